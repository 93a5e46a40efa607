#include "api/handlers.hpp"
#include "api/service.hpp"

#include <array>

namespace rosterd::api {

std::span<route const> routes()
{
    using http::verb;
    static constexpr std::array table{
        route{"/user", verb::get, list_users, true, locking::long_read},
        route{"/user", verb::post, create_user, true, locking::by_method, takes_body::json},
        route{"/user/{id}", verb::get, read_user, true},
        route{"/user/{id}", verb::put, update_user, true, locking::by_method, takes_body::json},
        route{"/user/{id}", verb::delete_, delete_user, true},
        route{"/me", verb::get, read_me, true},
        route{"/user/{id}/history", verb::get, user_history, true},
        route{"/user/{id}/token", verb::get, list_tokens, true},
        route{"/user/{id}/token", verb::post, create_token, true, locking::by_method, takes_body::json},
        route{"/token/{id}", verb::delete_, delete_token, true},
        route{"/usergroup", verb::get, list_groups, true},
        route{"/usergroup", verb::post, create_group, true, locking::by_method, takes_body::json},
        route{"/usergroup/{id}", verb::get, read_group, true},
        route{"/usergroup/{id}", verb::delete_, delete_group, true},
        route{"/audit", verb::get, list_audit, true, locking::long_read},
        route{"/backup", verb::get, backup, true, locking::none},
        route{"/scim/v2/Users", verb::get, scim_list_users, true, locking::long_read},
        route{"/scim/v2/Users", verb::post, scim_create_user, true, locking::by_method, takes_body::scim},
        route{"/scim/v2/Users/{id}", verb::get, scim_read_user, true},
        route{"/scim/v2/Users/{id}", verb::put, scim_replace_user, true, locking::by_method, takes_body::scim},
        route{"/scim/v2/Users/{id}", verb::patch, scim_patch_user, true, locking::by_method, takes_body::scim},
        route{"/scim/v2/Users/{id}", verb::delete_, scim_delete_user, true},
        route{"/scim/v2/Groups", verb::get, scim_list_groups, true, locking::long_read},
        route{"/scim/v2/Groups", verb::post, scim_create_group, true, locking::by_method, takes_body::scim},
        route{"/scim/v2/Groups/{id}", verb::get, scim_read_group, true},
        route{"/scim/v2/Groups/{id}", verb::put, scim_replace_group, true, locking::by_method, takes_body::scim},
        route{"/scim/v2/Groups/{id}", verb::patch, scim_patch_group, true, locking::by_method, takes_body::scim},
        route{"/scim/v2/Groups/{id}", verb::delete_, scim_delete_group, true},
        route{"/scim/v2/Bulk", verb::post, scim_bulk, true, locking::by_method, takes_body::scim},
        route{"/scim/v2/Me", verb::get, scim_me, false},
        route{"/scim/v2/Me", verb::post, scim_me, false},
        route{"/scim/v2/Me", verb::put, scim_me, false},
        route{"/scim/v2/Me", verb::patch, scim_me, false},
        route{"/scim/v2/Me", verb::delete_, scim_me, false},
        route{"/scim/v2/ServiceProviderConfig", verb::get, scim_service_provider_config, false},
        route{"/scim/v2/ResourceTypes", verb::get, scim_resource_types, false},
        route{"/scim/v2/ResourceTypes/{id}", verb::get, scim_resource_type, false},
        route{"/scim/v2/Schemas", verb::get, scim_schemas, false},
        route{"/scim/v2/Schemas/{id}", verb::get, scim_schema, false},
        route{"/healthz", verb::get, health, false},
        route{"/readyz", verb::get, readiness, false},
        route{"/metrics", verb::get, prometheus_metrics, false},
        route{"/openapi.json", verb::get, openapi, false},
        route{"/server", verb::get, server_info, true},
        // nginx's auth_request asks with the method of the request it
        // guards; Traefik and Caddy with GET. Each only reads.
        route{"/auth", verb::get, forward_auth, true, locking::read},
        route{"/auth", verb::post, forward_auth, true, locking::read},
        route{"/auth", verb::put, forward_auth, true, locking::read},
        route{"/auth", verb::patch, forward_auth, true, locking::read},
        route{"/auth", verb::delete_, forward_auth, true, locking::read},
        route{"/introspect", verb::post, introspect, true, locking::read},
        route{"/", verb::get, console_redirect, false},
        route{"/ui", verb::get, console_redirect, false},
        route{"/ui/", verb::get, console_page, false},
        route{"/ui/{id}", verb::get, console_page, false},
    };
    return table;
}

} // namespace rosterd::api
