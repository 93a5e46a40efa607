#pragma once
// Query parameters shared by the list calls: offset, limit, and filters.

#include "http/response.hpp"
#include "store/records.hpp"

#include <boost/url/params_view.hpp>

#include <cstddef>
#include <initializer_list>
#include <map>
#include <optional>
#include <string>
#include <string_view>

namespace rosterd::api {

inline constexpr std::size_t default_page = 100;
inline constexpr std::size_t max_page = 1000;

struct list_query {
    std::size_t offset = 0;
    std::size_t limit = default_page;
    // Filters by name, as given (decoded); only names the call allows.
    std::map<std::string, std::string, std::less<>> filters;

    std::optional<std::string_view> filter(std::string_view name) const;
};

// Parses offset, limit and the allowed filters: 400 for anything else, a
// repeated parameter, or a limit over max_page.
std::optional<http::response> parse_list_query(boost::urls::params_view query,
                                               std::initializer_list<std::string_view> filters, list_query& out);

// Whether the next item (the `seen`-th match, counting from 0) is on the page.
inline bool on_page(list_query const& q, std::size_t seen) { return seen >= q.offset && seen - q.offset < q.limit; }

} // namespace rosterd::api
