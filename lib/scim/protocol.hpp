#pragma once
// What every SCIM call shares (RFC 7644): the schema URNs, the error body
// (§3.12) and the media type application/scim+json.
//
// SCIM calls report failures as SCIM errors, not as RFC 9457 problems. A
// SCIM handler throws scim::error; what the layers under it answer (401,
// 404 for an unknown path, 412, 503) is converted by from_problem(), so
// that a SCIM client never sees a problem body.

#include "http/response.hpp"

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>

#include <cstddef>
#include <cstdint>

#include <stdexcept>
#include <string>
#include <string_view>

namespace rosterd::scim {

inline constexpr std::string_view base_path = "/scim/v2";

// POST /scim/v2/Bulk's limits (ServiceProviderConfig's bulk): operations in
// one request, and its body's size, which the server takes for this route
// alone (any other's is --max-body).
inline constexpr std::size_t bulk_max_operations = 1000;
inline constexpr std::uint64_t bulk_max_payload = 4 * 1024 * 1024;
inline constexpr std::string_view bulk_request_line = "POST /scim/v2/Bulk";

namespace urn {
inline constexpr std::string_view user = "urn:ietf:params:scim:schemas:core:2.0:User";
inline constexpr std::string_view group = "urn:ietf:params:scim:schemas:core:2.0:Group";
inline constexpr std::string_view enterprise_user = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User";
inline constexpr std::string_view list_response = "urn:ietf:params:scim:api:messages:2.0:ListResponse";
inline constexpr std::string_view patch_op = "urn:ietf:params:scim:api:messages:2.0:PatchOp";
inline constexpr std::string_view error = "urn:ietf:params:scim:api:messages:2.0:Error";
} // namespace urn

// An error of a SCIM call: its status, scimType (RFC 7644 Table 9; empty
// when none applies) and detail.
struct error : std::runtime_error {
    error(http::status code, std::string_view scim_type, std::string const& detail)
        : std::runtime_error(detail), status(code), type(scim_type)
    {
    }
    http::status status;
    std::string type;
    // The record's current ETag, on a 412: the client's next If-Match.
    std::string etag;
};

// 400 invalidValue: the commonest refusal.
inline error invalid_value(std::string const& detail)
{
    return error(http::status::bad_request, "invalidValue", detail);
}

// {"schemas":[Error],"status":"400","scimType":"invalidValue","detail":"..."}
http::response error_response(error const& e);

// The SCIM form of a problem response (RFC 9457) from the layers under the
// SCIM handlers; any other response unchanged.
http::response from_problem(http::response res);

// A problem response's detail.
std::string problem_detail(http::response const& problem);

// Whether a request target is under /scim/v2.
bool is_scim_target(std::string_view target);

// A resource (or a list) as application/scim+json.
http::response resource_response(http::status code, boost::json::object const& body);

// A ListResponse (§3.4.2): `page`, the resources from the `start_index`-th
// (1-based) of `total`.
http::response list_response(std::size_t total, std::size_t start_index, boost::json::array page);

// The member of `object` named `name`, ignoring ASCII case (SCIM attribute
// names are case-insensitive); null when there is none.
boost::json::value const* find_attribute(boost::json::object const& object, std::string_view name);
boost::json::value* find_attribute(boost::json::object& object, std::string_view name);

} // namespace rosterd::scim
