#pragma once
// Log lines to stderr, one write() per line so that lines from several
// threads never interleave. Thread-safe. Nothing secret is ever passed here:
// no token, no Authorization header, no request body.
//
// Each line is logfmt (time=... level=info msg="...") or, with
// set_format(format::json), one JSON object with the same keys.

#include <optional>
#include <span>
#include <string_view>

namespace rosterd::log {

enum class level { debug, info, warn, error };
enum class format { logfmt, json };

void set_level(level l);
bool enabled(level l);
std::optional<level> parse_level(std::string_view name);
void set_format(format f);
std::optional<format> parse_format(std::string_view name);

void write(level l, std::string_view message);

// One key and its value in an access-log line. A number is written bare
// ("-" for none, null in JSON); text is quoted where it needs to be
// (always in JSON).
struct field {
    std::string_view key;
    std::string_view value;
    bool number = false;
};
// An access-log line at info level: msg=request and the fields.
void access(std::span<field const> fields);

inline void debug(std::string_view m) { if (enabled(level::debug)) write(level::debug, m); }
inline void info(std::string_view m) { if (enabled(level::info)) write(level::info, m); }
inline void warn(std::string_view m) { if (enabled(level::warn)) write(level::warn, m); }
inline void error(std::string_view m) { write(level::error, m); }

} // namespace rosterd::log
