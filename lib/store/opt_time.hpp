#pragma once
// An optional time in eight bytes: the one value no stored time can take
// (the least int64) stands for "absent". As std::optional<unix_time> it
// took sixteen, and those eight bytes are what put a user's map node in
// malloc's 256-byte class rather than its 240-byte one.
//
// Reads like the std::optional it replaces (`if (u.remove_at)`,
// `*u.remove_at`, `u.remove_at.reset()`), and converts to one.

#include <cstdint>
#include <limits>
#include <optional>

namespace rosterd::store {

class opt_time {
public:
    using value_type = std::int64_t;
    static constexpr value_type absent = std::numeric_limits<value_type>::min();

    constexpr opt_time() noexcept = default;
    constexpr opt_time(std::nullopt_t) noexcept {}
    // `t` must not be `absent` (a decoder checks that before).
    constexpr opt_time(value_type t) noexcept : value_(t) {}
    constexpr opt_time(std::optional<value_type> t) noexcept : value_(t ? *t : absent) {}

    constexpr explicit operator bool() const noexcept { return value_ != absent; }
    constexpr bool has_value() const noexcept { return value_ != absent; }
    constexpr value_type operator*() const noexcept { return value_; }
    constexpr void reset() noexcept { value_ = absent; }
    constexpr operator std::optional<value_type>() const noexcept
    {
        return has_value() ? std::optional<value_type>(value_) : std::nullopt;
    }

    friend constexpr bool operator==(opt_time, opt_time) noexcept = default;

private:
    value_type value_ = absent;
};

} // namespace rosterd::store
