#pragma once
// Wall-clock time as the directory stores it, and its RFC 3339 form.

#include "store/records.hpp"

#include <compare>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>

namespace rosterd::store {

// A source of the current time; tests inject a fixed or stepped one.
using clock_fn = std::function<unix_time()>;

unix_time system_now();

// "2026-11-28T14:53:55Z"
std::string format_rfc3339(unix_time t);
// The form format_rfc3339 writes, exactly (UTC, whole seconds, years
// 1000-9999); nullopt for anything else, or a date that does not exist.
std::optional<unix_time> parse_rfc3339(std::string_view text);

// A moment to the nanosecond.
struct instant {
    unix_time seconds = 0;
    std::uint32_t nanos = 0;
    friend auto operator<=>(instant const&, instant const&) = default;
};

// Any RFC 3339 date-time (§5.6): "T" or "t", fractional seconds of any
// length (beyond nine digits ignored), "Z", "z" or an offset, a leap
// second (taken as the end of its minute); nullopt for anything else.
std::optional<instant> parse_rfc3339_instant(std::string_view text);

inline constexpr unix_time seconds_per_day = 24 * 60 * 60;

} // namespace rosterd::store
