#include "log/log.hpp"

#include "store/time.hpp"

#include <unistd.h>

#include <atomic>
#include <string>

namespace rosterd::log {

namespace {

std::atomic<level> threshold{level::info};

constexpr std::string_view names[] = {"debug", "info", "warn", "error"};

} // namespace

void set_level(level l) { threshold.store(l, std::memory_order_relaxed); }

bool enabled(level l) { return l >= threshold.load(std::memory_order_relaxed); }

std::optional<level> parse_level(std::string_view name)
{
    for (std::size_t i = 0; i < std::size(names); ++i)
        if (names[i] == name)
            return static_cast<level>(i);
    return std::nullopt;
}

namespace {

std::string prefix(level l)
{
    std::string line = "time=" + store::format_rfc3339(store::system_now());
    line.append(" level=").append(names[static_cast<std::size_t>(l)]);
    return line;
}

void emit(std::string const& line)
{
    // A failed write to stderr has nowhere to be reported.
    [[maybe_unused]] auto const n = ::write(STDERR_FILENO, line.data(), line.size());
}

} // namespace

void access(std::string_view fields)
{
    if (!enabled(level::info))
        return;
    auto line = prefix(level::info);
    line.append(" msg=request ").append(fields).append("\n");
    emit(line);
}

void write(level l, std::string_view message)
{
    auto line = prefix(l);
    line.append(" msg=\"");
    for (char c : message) {
        // Keep one event on one line, and the quoting unambiguous.
        if (c == '"' || c == '\\') line.push_back('\\');
        line.push_back(c == '\n' || c == '\r' ? ' ' : c);
    }
    line.append("\"\n");
    emit(line);
}

} // namespace rosterd::log
