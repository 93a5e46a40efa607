#include "http/router.hpp"

#include <algorithm>
#include <stdexcept>

namespace rosterd::http {

namespace {

constexpr std::string_view capture = "{id}";

std::vector<std::string> split_pattern(std::string_view pattern)
{
    if (pattern.empty() || pattern.front() != '/')
        throw std::invalid_argument("route pattern must start with '/'");
    // As match() reads a path: "/" has no segments; "/a/" has two, "a" and "".
    std::vector<std::string> out;
    pattern.remove_prefix(1);
    if (pattern.empty())
        return out;
    for (;;) {
        auto const slash = pattern.find('/');
        out.emplace_back(pattern.substr(0, slash));
        if (slash == std::string_view::npos)
            return out;
        pattern.remove_prefix(slash + 1);
    }
}

} // namespace

router::router(std::span<route_key const> table)
{
    for (auto const& key : table) {
        auto segments = split_pattern(key.pattern);
        auto it = std::find_if(paths_.begin(), paths_.end(),
                               [&](path_pattern const& p) { return p.segments == segments; });
        if (it == paths_.end()) {
            paths_.push_back(path_pattern{std::move(segments), {}});
            it = std::prev(paths_.end());
        }
        auto const path = static_cast<std::size_t>(it - paths_.begin());
        if (std::any_of(entries_.begin(), entries_.end(),
                        [&](entry const& e) { return e.path == path && e.method == key.method; }))
            throw std::invalid_argument("duplicate route: " + std::string(key.pattern));
        entries_.push_back(entry{path, key.method});
        it->allow.append(boost::beast::http::to_string(key.method)).append(", ");
    }
    for (auto& p : paths_)
        p.allow.append("OPTIONS");
}

match_result router::match(boost::beast::http::verb method, std::string_view path) const
{
    if (path.empty() || path.front() != '/')
        return {};
    path.remove_prefix(1); // "" has no segments; "a/" has two, "a" and ""
    for (std::size_t p = 0; p < paths_.size(); ++p) {
        auto const& pattern = paths_[p].segments;
        std::string_view rest = path;
        std::string_view captured;
        bool matches = pattern.empty() == rest.empty();
        for (std::size_t i = 0; matches && i < pattern.size(); ++i) {
            auto const slash = rest.find('/');
            auto const segment = rest.substr(0, slash);
            bool const last = i + 1 == pattern.size();
            if (last != (slash == std::string_view::npos))
                matches = false;
            else if (pattern[i] == capture)
                matches = !(captured = segment).empty();
            else
                matches = pattern[i] == segment;
            rest = last ? std::string_view{} : rest.substr(slash + 1);
        }
        if (!matches)
            continue;
        match_result result;
        result.captured = captured;
        result.allow = paths_[p].allow;
        for (std::size_t e = 0; e < entries_.size(); ++e) {
            if (entries_[e].path == p && entries_[e].method == method) {
                result.outcome = match_result::kind::found;
                result.route = e;
                return result;
            }
        }
        result.outcome = match_result::kind::method_not_allowed;
        return result;
    }
    return {};
}

} // namespace rosterd::http
