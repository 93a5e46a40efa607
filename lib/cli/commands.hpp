#pragma once
// `rosterd user|group|token|audit VERB ...`: everyday work against a running
// server through its public API, as a person would do it with curl, with
// readable tables (or the server's JSON, --json) and an exit status by
// outcome. The token is read from a file, never taken as an argument.

#include <iosfwd>
#include <string>
#include <string_view>
#include <vector>

namespace rosterd::cli {

// Exit statuses: the outcome, so that a script can branch on it.
inline constexpr int exit_done = 0;
inline constexpr int exit_unreachable = 1; // no answer, or the server failed (5xx)
inline constexpr int exit_refused = 2;     // a bad command line, or the server said 4xx (but these:)
inline constexpr int exit_not_found = 3;   // 404
inline constexpr int exit_not_allowed = 4; // 401, 403
inline constexpr int exit_conflict = 5;    // 409, 412

// Whether `word` (argv[1]) names one of these commands.
bool is_command(std::string_view word);

// Runs `args` (the command word first); returns the exit status.
int main(std::vector<std::string> const& args, std::vector<std::string> const& environment, std::ostream& out,
         std::ostream& err);

} // namespace rosterd::cli
