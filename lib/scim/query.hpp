#pragma once
// The query of SCIM reads (RFC 7644 §3.4.2): filter, startIndex and count
// for lists; attributes and excludedAttributes for lists and single reads.
// sortBy and sortOrder are not supported (ServiceProviderConfig says so)
// and are ignored: lists are ordered by id. Other parameters are ignored.

#include "scim/filter.hpp"

#include <boost/json/object.hpp>
#include <boost/url/params_view.hpp>

#include <cstddef>
#include <string>
#include <vector>

namespace rosterd::scim {

inline constexpr std::size_t default_count = 100;
inline constexpr std::size_t max_count = 1000;

// attributes / excludedAttributes: "userName,name.givenName".
struct projection {
    std::vector<std::string> attributes;
    std::vector<std::string> excluded;

    // Whether the response would leave out `name` (a top-level attribute).
    bool leaves_out(std::string_view name) const;
};

struct list_params {
    filter_ptr filter;              // null: every resource
    std::size_t start_index = 1;    // 1-based
    std::size_t count = default_count;
    projection shape;
};

// Throws scim::error: invalidFilter, or invalidValue for a malformed
// startIndex or count. A count over max_count is lowered to it (§3.4.2.4).
list_params parse_list_params(boost::urls::params_view query);
projection parse_projection(boost::urls::params_view query);

// Narrows `resource` to the projection; "schemas" and "id" always stay.
void project(boost::json::object& resource, projection const& shape);

} // namespace rosterd::scim
