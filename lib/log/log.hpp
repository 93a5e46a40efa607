#pragma once
// Log lines to stderr, one write() per line so that lines from several
// threads never interleave. Thread-safe. Nothing secret is ever passed here:
// no token, no Authorization header, no request body.

#include <optional>
#include <string_view>

namespace rosterd::log {

enum class level { debug, info, warn, error };

void set_level(level l);
bool enabled(level l);
std::optional<level> parse_level(std::string_view name);

void write(level l, std::string_view message);
// An access-log line at info level: `fields` is already logfmt ("method=GET route=/user ...").
void access(std::string_view fields);

inline void debug(std::string_view m) { if (enabled(level::debug)) write(level::debug, m); }
inline void info(std::string_view m) { if (enabled(level::info)) write(level::info, m); }
inline void warn(std::string_view m) { if (enabled(level::warn)) write(level::warn, m); }
inline void error(std::string_view m) { write(level::error, m); }

} // namespace rosterd::log
