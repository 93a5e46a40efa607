#pragma once
// An optional integer in the integer's own eight bytes: one value the field
// can never take stands for "absent". As std::optional each took sixteen:
// 16 bytes a user for its two, and a token's two as well.
//
// - opt_time: a time; the least int64 is absent (no stored time is that).
// - opt_id: an id such as a clientId; 0 is absent (ids are positive).
//
// Reads like the std::optional it replaces (`if (u.remove_at)`,
// `*u.remove_at`, `u.remove_at.reset()`), and converts to one.

#include <cstdint>
#include <limits>
#include <optional>

namespace rosterd::store {

template <class T, T Absent>
class opt_int {
public:
    using value_type = T;
    static constexpr value_type absent = Absent;

    constexpr opt_int() noexcept = default;
    constexpr opt_int(std::nullopt_t) noexcept {}
    // `v` must not be `absent` (a decoder checks that before).
    constexpr opt_int(value_type v) noexcept : value_(v) {}
    constexpr opt_int(std::optional<value_type> v) noexcept : value_(v ? *v : absent) {}

    constexpr explicit operator bool() const noexcept { return value_ != absent; }
    constexpr bool has_value() const noexcept { return value_ != absent; }
    constexpr value_type operator*() const noexcept { return value_; }
    constexpr void reset() noexcept { value_ = absent; }
    constexpr operator std::optional<value_type>() const noexcept
    {
        return has_value() ? std::optional<value_type>(value_) : std::nullopt;
    }

    friend constexpr bool operator==(opt_int, opt_int) noexcept = default;

private:
    value_type value_ = absent;
};

using opt_time = opt_int<std::int64_t, std::numeric_limits<std::int64_t>::min()>;
using opt_id = opt_int<std::uint64_t, 0>;

} // namespace rosterd::store
