#include "log/log.hpp"

#include "store/time.hpp"

#include <boost/json/serialize.hpp>
#include <boost/json/string_view.hpp>

#include <unistd.h>

#include <atomic>
#include <string>

namespace rosterd::log {

namespace {

std::atomic<level> threshold{level::info};
std::atomic<format> style{format::logfmt};

constexpr std::string_view level_names[] = {"debug", "info", "warn", "error"};
constexpr std::string_view format_names[] = {"logfmt", "json"};

template <class Enum, std::size_t N>
std::optional<Enum> find_name(std::string_view const (&names)[N], std::string_view name)
{
    for (std::size_t i = 0; i < N; ++i)
        if (names[i] == name)
            return static_cast<Enum>(i);
    return std::nullopt;
}

// Builds one line in the format chosen when it began.
class line_builder {
public:
    explicit line_builder(level l) : json_(style.load(std::memory_order_relaxed) == format::json)
    {
        line_.reserve(160);
        if (json_)
            line_.push_back('{');
        add({"time", store::format_rfc3339(store::system_now())});
        add({"level", level_names[static_cast<std::size_t>(l)]});
    }

    void add(field const& f)
    {
        if (json_) {
            if (line_.size() > 1)
                line_.push_back(',');
            line_.append(boost::json::serialize(boost::json::string_view(f.key))).push_back(':');
            if (f.number)
                line_.append(f.value == "-" ? std::string_view("null") : f.value);
            else
                line_.append(boost::json::serialize(boost::json::string_view(f.value)));
            return;
        }
        if (!line_.empty())
            line_.push_back(' ');
        line_.append(f.key).push_back('=');
        if (f.number || plain(f.value)) {
            line_.append(f.value);
            return;
        }
        line_.push_back('"');
        for (char c : f.value) {
            // Keep one event on one line, and the quoting unambiguous.
            if (c == '"' || c == '\\')
                line_.push_back('\\');
            line_.push_back(c == '\n' || c == '\r' ? ' ' : c);
        }
        line_.push_back('"');
    }

    void emit()
    {
        line_.append(json_ ? "}\n" : "\n");
        // A failed write to stderr has nowhere to be reported.
        [[maybe_unused]] auto const n = ::write(STDERR_FILENO, line_.data(), line_.size());
    }

private:
    // A logfmt value that needs no quotes: not empty, no space, quote,
    // backslash, '=' or control character.
    static bool plain(std::string_view v)
    {
        if (v.empty())
            return false;
        for (unsigned char c : v)
            if (c <= ' ' || c == '"' || c == '\\' || c == '=' || c == 0x7f)
                return false;
        return true;
    }

    bool json_;
    std::string line_;
};

} // namespace

void set_level(level l) { threshold.store(l, std::memory_order_relaxed); }

bool enabled(level l) { return l >= threshold.load(std::memory_order_relaxed); }

std::optional<level> parse_level(std::string_view name) { return find_name<level>(level_names, name); }

void set_format(format f) { style.store(f, std::memory_order_relaxed); }

std::optional<format> parse_format(std::string_view name) { return find_name<format>(format_names, name); }

void access(std::span<field const> fields)
{
    if (!enabled(level::info))
        return;
    line_builder line(level::info);
    line.add({"msg", "request"});
    for (auto const& f : fields)
        line.add(f);
    line.emit();
}

void write(level l, std::string_view message)
{
    line_builder line(l);
    line.add({"msg", message});
    line.emit();
}

} // namespace rosterd::log
