#include "config/reload.hpp"

#include <algorithm>
#include <set>
#include <string_view>

namespace rosterd::config {

namespace {

constexpr std::string_view live_options[] = {"log-level", "log-format",   "tls-cert",        "tls-key",
                                             "max-body",  "max-header",   "idle-timeout",    "request-timeout",
                                             "max-connections"};

} // namespace

bool applies_live(std::string const& option)
{
    return std::find(std::begin(live_options), std::end(live_options), option) != std::end(live_options);
}

option_changes compare(option_texts const& in_use, option_texts next)
{
    std::set<std::string> names;
    for (auto const* m : {&in_use, static_cast<option_texts const*>(&next)})
        for (auto const& entry : *m)
            names.insert(entry.first);
    option_changes out;
    for (auto const& name : names) {
        auto const before = in_use.find(name);
        auto const after = next.find(name);
        if (before != in_use.end() && after != next.end() && before->second == after->second)
            continue;
        if (applies_live(name)) {
            out.applied.push_back(name);
            continue;
        }
        out.waiting.push_back(name);
        next.erase(name);
        if (before != in_use.end())
            next.insert(*before);
    }
    out.in_use = std::move(next);
    return out;
}

std::string joined(std::vector<std::string> const& names)
{
    std::string out;
    for (auto const& n : names)
        out.append(out.empty() ? "" : ", ").append(n);
    return out;
}

} // namespace rosterd::config
