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
// Thread safety: immutable after construction; match() may be called from
// any thread. The Allow strings live as long as the router.

#include <ostream> // boost::core::string_view, through verb.hpp, needs it whole
#include <boost/beast/http/verb.hpp>

#include <cstddef>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace rosterd::http {

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
    };
    struct entry {
        std::size_t path;                  // index into paths_
        boost::beast::http::verb method;
    };
    std::vector<path_pattern> paths_;
    std::vector<entry> entries_;
};

} // namespace rosterd::http
