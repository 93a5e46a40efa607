#pragma once
// A static routing table. Patterns are paths whose segments are literals or
// one "{id}" capture, e.g. "/user/{id}/token". match() returns a value:
// found (the route's index and the captured segment), method not allowed
// (with the Allow list of that path, built once), or not found.
//
// A path matches only as sent, byte for byte: "/%75ser/4" or "/./user/4"
// is not "/user/4", and the captured segment is not percent-decoded (so
// "/user/%34" captures "%34", which names no record). Each resource has
// one spelling, and a rule a proxy applies to a path means what it says.
//
// A match looks only at the patterns with the path's number of segments and
// its first segment (or a capture there), in table order: the first that
// matches is the route, as if the whole table were tried in order, without
// the cost of trying it (the table has dozens of paths, and /auth, which a
// proxy asks before every request it passes, was near its end).
//
// Thread safety: immutable after construction; match() may be called from
// any thread. The Allow strings live as long as the router.

#include <ostream> // boost::core::string_view, through verb.hpp, needs it whole
#include <boost/beast/http/verb.hpp>
#include <boost/url/params_view.hpp>

#include <cstddef>
#include <functional>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

namespace rosterd::http {

// A request target in origin form (RFC 9112 §3.2.1): the path, as sent,
// and the query's parameters, which view the target's own characters.
struct request_target {
    std::string_view path;
    boost::urls::params_view query;
};

// Parses `target` with Boost.URL's path and query rules, each on its own
// part: nothing when it is not an absolute path with an optional query
// (no fragment, no bad percent-escape). For a target without a query,
// parsing the path alone costs a quarter of Boost.URL's whole origin-form
// parse, which fills in every part a URL can have; a proxy's GET /auth
// pays it on every request it guards. A '?' with nothing after it is no
// query, as nginx reads it.
std::optional<request_target> parse_target(std::string_view target);

struct route_key {
    std::string_view pattern;
    boost::beast::http::verb method;
};

struct match_result {
    enum class kind { found, method_not_allowed, not_found };
    kind outcome = kind::not_found;
    std::size_t route = 0;  // index into the table, when found
    std::string captured;   // the "{id}" segment, when the pattern has one
    std::string_view allow; // "GET, PUT, OPTIONS", unless not found
};

class router {
public:
    explicit router(std::span<route_key const> table);

    // `path`: the request target's path, without the query, as received.
    match_result match(boost::beast::http::verb method, std::string_view path) const;

private:
    struct path_pattern {
        std::vector<std::string> segments; // "{id}" marks the capture
        std::string allow;
        // Its routes: each method with its index into the table.
        std::vector<std::pair<boost::beast::http::verb, std::size_t>> methods;
    };
    // Whether `path` (without its leading '/') fits pattern p; its capture.
    bool fits(std::size_t p, std::string_view path, std::string_view& captured) const;

    struct text_hash {
        using is_transparent = void;
        std::size_t operator()(std::string_view s) const noexcept { return std::hash<std::string_view>{}(s); }
    };
    // Indexes into paths_, ascending.
    using candidates = std::vector<std::size_t>;
    struct by_first_segment {
        std::unordered_map<std::string, candidates, text_hash, std::equal_to<>> literal;
        candidates capture_first; // patterns whose first segment is the capture
    };
    std::vector<path_pattern> paths_;
    std::vector<by_first_segment> by_count_; // by the number of segments
};

} // namespace rosterd::http
