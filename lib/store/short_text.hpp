#pragma once
// A string in 16 bytes: up to 15 bytes held in place, a longer one in one
// heap block (its length, then the characters). For a user's first and
// last names, which are almost always short: as std::string each took 32
// bytes of the record, 32 MB more at a million users.
//
// Reads as a std::string_view (`view()`, `==`, `empty()`); assigned from one.

#include <cstdint>
#include <cstring>
#include <iosfwd>
#include <string>
#include <string_view>
#include <utility>

namespace rosterd::store {

class short_text {
public:
    static constexpr std::size_t inline_capacity = 15;

    short_text() noexcept { bytes_[tag_at] = 0; }
    short_text(std::string_view s) { assign(s); }
    short_text(char const* s) : short_text(std::string_view(s)) {}
    short_text(std::string const& s) : short_text(std::string_view(s)) {}
    short_text(short_text const& other) { assign(other.view()); }
    short_text(short_text&& other) noexcept
    {
        std::memcpy(bytes_, other.bytes_, sizeof bytes_);
        other.bytes_[tag_at] = 0;
    }
    short_text& operator=(short_text other) noexcept
    {
        std::swap(bytes_, other.bytes_);
        return *this;
    }
    ~short_text()
    {
        if (on_heap())
            release();
    }

    std::string_view view() const noexcept;
    std::size_t size() const noexcept { return view().size(); }
    bool empty() const noexcept { return bytes_[tag_at] == 0; }

    friend bool operator==(short_text const& a, short_text const& b) noexcept { return a.view() == b.view(); }
    friend bool operator==(short_text const& a, std::string_view b) noexcept { return a.view() == b; }
    friend bool operator==(short_text const& a, char const* b) noexcept { return a.view() == b; }
    friend bool operator==(short_text const& a, std::string const& b) noexcept { return a.view() == b; }
    friend std::ostream& operator<<(std::ostream& out, short_text const& t);

private:
    static constexpr std::size_t tag_at = 15;
    // In bytes_[15]: the length of an inline text (0-15), or this.
    static constexpr unsigned char heap_tag = 0xff;

    bool on_heap() const noexcept { return static_cast<unsigned char>(bytes_[tag_at]) == heap_tag; }
    void assign(std::string_view s);
    void release() noexcept;

    // Inline: the characters, then the length in the last byte. On the
    // heap: the block's address in the first eight bytes, heap_tag last.
    char bytes_[16];
};

} // namespace rosterd::store
