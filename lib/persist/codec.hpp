#pragma once
// Binary encoding of change values (the payload of journal and snapshot
// records). Decoding checks every length against the bytes at hand and
// throws decode_error instead of reading past them: its input may be a
// damaged file.

#include "store/change.hpp"

#include <bit>
#include <cstdint>
#include <cstring>
#include <stdexcept>
#include <string>
#include <string_view>

namespace rosterd::persist {

struct decode_error : std::runtime_error {
    using std::runtime_error::runtime_error;
};

class encoder {
public:
    explicit encoder(std::string& out) : out_(out) {}
    void u8(std::uint8_t v) { out_.push_back(static_cast<char>(v)); }
    void u64(std::uint64_t v);
    void i64(std::int64_t v) { u64(static_cast<std::uint64_t>(v)); }
    void boolean(bool v) { u8(v ? 1 : 0); }
    void str(std::string_view s);
    void opt_str(std::optional<std::string_view> s);
    void opt_u64(std::optional<std::uint64_t> const& v);
    void opt_i64(std::optional<std::int64_t> const& v);

private:
    std::string& out_;
};

// The reads of single values are inline: a load decodes about thirty of
// them a user, and as calls they were a third of its decoding.
class decoder {
public:
    explicit decoder(std::string_view in) : in_(in) {}
    std::uint8_t u8() { return static_cast<std::uint8_t>(take(1)[0]); }
    std::uint64_t u64()
    {
        // Little-endian, whatever the host's order.
        auto const b = take(8);
        std::uint64_t v;
        std::memcpy(&v, b.data(), sizeof v);
        if constexpr (std::endian::native == std::endian::big)
            v = __builtin_bswap64(v);
        return v;
    }
    std::int64_t i64() { return static_cast<std::int64_t>(u64()); }
    bool boolean()
    {
        auto const v = u8();
        if (v > 1)
            fail("bad boolean");
        return v == 1;
    }
    std::string str();
    // A view into the input.
    std::string_view str_view();
    std::optional<std::string_view> opt_str(); // a view, too
    std::optional<std::uint64_t> opt_u64();
    std::optional<std::int64_t> opt_i64();
    void bytes(void* out, std::size_t n);
    bool done() const { return in_.empty(); }
    std::size_t left() const { return in_.size(); }

private:
    std::string_view take(std::size_t n)
    {
        if (n > in_.size())
            fail("record ends early");
        auto const out = in_.substr(0, n);
        in_.remove_prefix(n);
        return out;
    }
    [[noreturn]] static void fail(char const* what);
    std::string_view in_;
};

void encode_change(encoder& e, store::change const& c);
// The same as encode_change of a put_* change of the record, without
// copying it into one (a snapshot encodes every record).
void encode_put(encoder& e, store::user const& u);
void encode_put(encoder& e, store::group const& g);
void encode_put(encoder& e, store::token const& t);
void encode_put(encoder& e, store::audit_event const& a);
void encode_put(encoder& e, store::kept_answer const& a);
store::change decode_change(decoder& d);

// Whether `c` is a record's image (a put_*): what a snapshot item or a
// stored record holds, never a removal.
inline bool is_record_image(store::change const& c)
{
    return std::holds_alternative<store::put_user>(c) || std::holds_alternative<store::put_group>(c)
        || std::holds_alternative<store::put_token>(c) || std::holds_alternative<store::put_audit>(c)
        || std::holds_alternative<store::put_answer>(c);
}

} // namespace rosterd::persist
