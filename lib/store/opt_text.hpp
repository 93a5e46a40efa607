#pragma once
// An optional string in one pointer: null when absent, else one heap block
// holding the length and the characters. A user has six optional strings
// and most are absent; as std::optional<std::string> each took 40 bytes.
//
// Reads like the std::optional<std::string> it replaces (`if (u.remarks)`,
// `*u.remarks`), but *t is a std::string_view into the block: copy it to
// keep it past a change of the record.

#include <cstdint>
#include <cstdlib>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

namespace rosterd::store {

class opt_text {
public:
    opt_text() noexcept = default;
    opt_text(std::nullopt_t) noexcept {}
    opt_text(std::string_view s) { assign(s); }
    opt_text(char const* s) : opt_text(std::string_view(s)) {}
    opt_text(std::string const& s) : opt_text(std::string_view(s)) {}
    template <class T>
    opt_text(std::optional<T> const& s)
    {
        if (s)
            assign(*s);
    }
    opt_text(opt_text const& other)
    {
        if (other)
            assign(*other);
    }
    opt_text(opt_text&& other) noexcept : block_(std::exchange(other.block_, nullptr)) {}
    opt_text& operator=(opt_text other) noexcept
    {
        std::swap(block_, other.block_);
        return *this;
    }
    // Inline, so that the usual absent text costs a test, not a call: a
    // user has seven, and every write destroys a copy of one.
    ~opt_text()
    {
        if (block_)
            std::free(block_);
    }

    bool has_value() const noexcept { return block_ != nullptr; }
    explicit operator bool() const noexcept { return has_value(); }
    // Only when has_value().
    std::string_view operator*() const noexcept;

    friend bool operator==(opt_text const& a, opt_text const& b) noexcept
    {
        return a.has_value() == b.has_value() && (!a || *a == *b);
    }
    friend bool operator==(opt_text const& a, std::string_view b) noexcept { return a && *a == b; }

private:
    void assign(std::string_view s);
    char* block_ = nullptr; // a std::uint32_t length, then the characters
};

} // namespace rosterd::store
