// /scim/v2/ServiceProviderConfig, /ResourceTypes and /Schemas: what a SCIM
// client asks before it provisions. No token needed: they describe rosterd,
// not its directory (as /openapi.json does).
#include "api/handlers.hpp"

#include "api/scim_call.hpp"
#include "scim/discovery.hpp"
#include "scim/filter.hpp"

#include <boost/url/pct_string_view.hpp>

namespace rosterd::api {

namespace json = boost::json;

namespace {

http::response list_of(json::array resources)
{
    auto const n = resources.size();
    return scim::list_response(n, 1, std::move(resources));
}

// The element of `list` whose "id" is the path's. The id is a URN, which a
// client may send percent-encoded (urn%3Aietf%3A...).
http::response one_of(context const& ctx, json::array const& list, std::string_view what)
{
    auto const encoded = boost::urls::make_pct_string_view(ctx.path_id);
    auto const wanted = encoded ? encoded->decode() : ctx.path_id;
    for (auto const& e : list)
        if (auto const* id = e.as_object().if_contains("id"); id && scim::same_name(id->as_string(), wanted))
            return scim::resource_response(http::status::ok, e.as_object());
    return scim::error_response(scim::error(http::status::not_found, "", std::string(what) + " " + wanted + " not found"));
}

} // namespace

http::response scim_service_provider_config(context&)
{
    return scim::resource_response(http::status::ok, scim::service_provider_config());
}

http::response scim_resource_types(context&) { return list_of(scim::resource_types()); }

http::response scim_resource_type(context& ctx) { return one_of(ctx, scim::resource_types(), "resource type"); }

http::response scim_schemas(context&) { return list_of(scim::schemas()); }

http::response scim_schema(context& ctx) { return one_of(ctx, scim::schemas(), "schema"); }

http::response scim_me(context&)
{
    return scim::error_response(scim::error(http::status::not_implemented, "",
                                            "/Me is not offered: address the user by id, /scim/v2/Users/{id}"));
}

} // namespace rosterd::api
