#include "api/conditional.hpp"

#include "api/user_view.hpp"
#include "auth/token.hpp"

#include <boost/json/monotonic_resource.hpp>
#include <boost/json/serialize.hpp>

#include <limits>

namespace rosterd::api {

namespace {

constexpr std::size_t etag_bytes = 16;

std::string_view trim(std::string_view s)
{
    while (!s.empty() && (s.front() == ' ' || s.front() == '\t'))
        s.remove_prefix(1);
    while (!s.empty() && (s.back() == ' ' || s.back() == '\t'))
        s.remove_suffix(1);
    return s;
}

enum class comparison { strong, weak };

// Whether the header's list ("*", or entity tags separated by commas)
// names `current`. A weak tag (W/"...") matches only in weak comparison.
bool list_names(std::string_view list, std::string_view current, comparison how)
{
    if (trim(list) == "*")
        return true;
    while (!list.empty()) {
        auto const comma = list.find(',');
        auto tag = trim(list.substr(0, comma));
        list = comma == std::string_view::npos ? std::string_view{} : list.substr(comma + 1);
        bool const weak = tag.starts_with("W/");
        if (weak)
            tag.remove_prefix(2);
        if ((!weak || how == comparison::weak) && tag == current)
            return true;
    }
    return false;
}

} // namespace

std::string etag_of(std::string_view representation)
{
    static constexpr char hex[] = "0123456789abcdef";
    auto const digest = auth::hash_token(representation); // SHA-256 of the bytes
    std::string out = "\"";
    for (std::size_t i = 0; i < etag_bytes; ++i) {
        out.push_back(hex[digest[i] >> 4]);
        out.push_back(hex[digest[i] & 0xf]);
    }
    out.push_back('"');
    return out;
}

std::string etag_of(store::user const& u)
{
    unsigned char buffer[4096];
    boost::json::monotonic_resource memory(buffer, sizeof buffer);
    return etag_of(boost::json::serialize(user_view(u, &memory)));
}

std::string etag_of(store::group const& g, store::directory const& dir)
{
    auto const everyone = page_window{0, std::numeric_limits<std::size_t>::max()};
    return etag_of(boost::json::serialize(group_view(g, dir, everyone)));
}

std::optional<http::response> if_match_failure(http::request const& req, std::string const& what,
                                               std::string const& current)
{
    if (list_names(req.if_match, current, comparison::strong))
        return std::nullopt;
    auto res = http::problem(http::status::precondition_failed,
                             "If-Match: " + what + " has changed since; its ETag is now " + current);
    res.etag = current;
    return res;
}

bool client_copy_is_current(http::request const& req, std::string_view current)
{
    return !req.if_none_match.empty() && list_names(req.if_none_match, current, comparison::weak);
}

} // namespace rosterd::api
