#include "api/paging.hpp"

#include "api/context.hpp"

#include <algorithm>
#include <charconv>

namespace rosterd::api {

namespace {

std::optional<std::size_t> parse_count(std::string_view text)
{
    std::size_t n = 0;
    auto const [end, ec] = std::from_chars(text.data(), text.data() + text.size(), n);
    if (text.empty() || ec != std::errc{} || end != text.data() + text.size())
        return std::nullopt;
    return n;
}

} // namespace

std::optional<std::string_view> list_query::filter(std::string_view name) const
{
    auto it = filters.find(name);
    if (it == filters.end())
        return std::nullopt;
    return it->second;
}

std::optional<http::response> parse_list_query(boost::urls::params_view query,
                                               std::initializer_list<std::string_view> filters, list_query& out)
{
    out = {};
    bool offset_seen = false, limit_seen = false;
    for (auto const& param : query) {
        if (param.key == "offset" || param.key == "limit") {
            bool& seen = param.key == "offset" ? offset_seen : limit_seen;
            if (seen)
                return bad_request(param.key + ": given more than once");
            seen = true;
            auto const n = parse_count(param.value);
            if (!n)
                return bad_request(param.key + ": must be a whole number");
            if (param.key == "limit" && *n > max_page)
                return bad_request("limit: at most " + std::to_string(max_page));
            (param.key == "offset" ? out.offset : out.limit) = *n;
        } else if (std::find(filters.begin(), filters.end(), param.key) != filters.end()) {
            if (!out.filters.emplace(param.key, param.value).second)
                return bad_request(param.key + ": given more than once");
        } else {
            return bad_request(param.key + ": unknown query parameter");
        }
    }
    return std::nullopt;
}

} // namespace rosterd::api
