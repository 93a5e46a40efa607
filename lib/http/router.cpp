#include "http/router.hpp"

#include <boost/url/parse_path.hpp>
#include <boost/url/parse_query.hpp>

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
    for (std::size_t route = 0; route < table.size(); ++route) {
        auto const& key = table[route];
        auto segments = split_pattern(key.pattern);
        auto it = std::find_if(paths_.begin(), paths_.end(),
                               [&](path_pattern const& p) { return p.segments == segments; });
        if (it == paths_.end()) {
            paths_.push_back(path_pattern{std::move(segments), {}, {}});
            it = std::prev(paths_.end());
        }
        if (std::any_of(it->methods.begin(), it->methods.end(), [&](auto const& m) { return m.first == key.method; }))
            throw std::invalid_argument("duplicate route: " + std::string(key.pattern));
        it->methods.emplace_back(key.method, route);
        it->allow.append(boost::beast::http::to_string(key.method)).append(", ");
    }
    for (std::size_t p = 0; p < paths_.size(); ++p) {
        auto& path = paths_[p];
        path.allow.append("OPTIONS");
        auto const count = path.segments.size();
        if (by_count_.size() <= count)
            by_count_.resize(count + 1);
        auto& group = by_count_[count];
        if (count > 0 && path.segments.front() == capture)
            group.capture_first.push_back(p);
        else
            group.literal[count == 0 ? std::string() : path.segments.front()].push_back(p);
    }
    // A pattern with the capture first fits any first segment: it is a
    // candidate beside each literal one, in table order.
    for (auto& group : by_count_)
        for (auto& [first, list] : group.literal) {
            list.insert(list.end(), group.capture_first.begin(), group.capture_first.end());
            std::sort(list.begin(), list.end());
        }
}

bool router::fits(std::size_t p, std::string_view path, std::string_view& captured) const
{
    auto const& pattern = paths_[p].segments;
    std::string_view rest = path;
    if (pattern.empty() != rest.empty())
        return false;
    for (std::size_t i = 0; i < pattern.size(); ++i) {
        auto const slash = rest.find('/');
        auto const segment = rest.substr(0, slash);
        bool const last = i + 1 == pattern.size();
        if (last != (slash == std::string_view::npos))
            return false;
        if (pattern[i] == capture) {
            if (segment.empty())
                return false;
            captured = segment;
        } else if (pattern[i] != segment) {
            return false;
        }
        rest = last ? std::string_view{} : rest.substr(slash + 1);
    }
    return true;
}

std::optional<request_target> parse_target(std::string_view target)
{
    auto const mark = target.find('?');
    request_target out{target.substr(0, mark), {}};
    if (out.path.empty() || out.path.front() != '/' || !boost::urls::parse_path(out.path))
        return std::nullopt;
    if (mark != std::string_view::npos) {
        auto const query = target.substr(mark + 1);
        if (!boost::urls::parse_query(query))
            return std::nullopt;
        // Checked above, so this does not throw. Its own reading of the
        // query takes '+' as a space, as url_view::params() does; the
        // library's view from parse_query() would not, and the constructor
        // that would change that is not exported from Boost 1.81's library.
        boost::urls::encoding_opts plus_is_space;
        plus_is_space.space_as_plus = true;
        out.query = boost::urls::params_view(query, plus_is_space);
    }
    return out;
}

match_result router::match(boost::beast::http::verb method, std::string_view path) const
{
    if (path.empty() || path.front() != '/')
        return {};
    path.remove_prefix(1); // "" has no segments; "a/" has two, "a" and ""
    auto const count = path.empty() ? 0 : 1 + static_cast<std::size_t>(std::count(path.begin(), path.end(), '/'));
    if (count >= by_count_.size())
        return {};
    auto const& group = by_count_[count];
    auto const found = group.literal.find(path.substr(0, path.find('/')));
    for (auto p : found != group.literal.end() ? found->second : group.capture_first) {
        std::string_view captured;
        if (!fits(p, path, captured))
            continue;
        match_result result;
        result.captured = captured;
        result.allow = paths_[p].allow;
        result.outcome = match_result::kind::method_not_allowed;
        for (auto const& [m, route] : paths_[p].methods) {
            if (m == method) {
                result.outcome = match_result::kind::found;
                result.route = route;
                break;
            }
        }
        return result;
    }
    return {};
}

} // namespace rosterd::http
