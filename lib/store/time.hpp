#pragma once
// Wall-clock time as the directory stores it, and its RFC 3339 form.

#include "store/records.hpp"

#include <functional>
#include <string>

namespace rosterd::store {

// A source of the current time; tests inject a fixed or stepped one.
using clock_fn = std::function<unix_time()>;

unix_time system_now();

// "2026-11-28T14:53:55Z"
std::string format_rfc3339(unix_time t);

inline constexpr unix_time seconds_per_day = 24 * 60 * 60;

} // namespace rosterd::store
