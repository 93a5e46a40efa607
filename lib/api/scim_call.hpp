#pragma once
// What the SCIM handlers (scim_users.cpp, scim_groups.cpp) share: running
// a handler so that a scim::error becomes its SCIM error response, reading
// a SCIM body, and the resource responses.

#include "api/context.hpp"
#include "scim/protocol.hpp"
#include "scim/query.hpp"

#include <boost/json/object.hpp>

namespace rosterd::api {

// Runs `body`; a thrown scim::error becomes its response.
template <class Body>
http::response scim_call(Body&& body)
{
    try {
        return body();
    } catch (scim::error const& e) {
        return scim::error_response(e);
    }
}

// A 403 with `detail` unless `allowed`.
inline void refuse_unless(bool allowed, std::string const& detail)
{
    if (!allowed)
        throw scim::error(http::status::forbidden, "", detail);
}

// The request's body as a JSON object (application/scim+json or
// application/json). Throws scim::error: 415, or 400 invalidSyntax.
boost::json::object scim_body(context const& ctx);

// Throws the SCIM form of a problem response (a 403 or 412 that the
// shared checks answer), naming SCIM's attributes where it names fields.
[[noreturn]] void throw_problem(http::response const& problem);

// A resource narrowed to the request's attributes/excludedAttributes, as
// application/scim+json, with its ETag.
http::response scim_resource(context const& ctx, http::status code, boost::json::object resource, std::string etag);

} // namespace rosterd::api
