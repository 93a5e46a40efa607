#pragma once
// Every handler of the API; routes.cpp puts them in the table.

#include "api/context.hpp"

namespace rosterd::api {

// users.cpp (list_users: user_list.cpp)
http::response update_user(context& ctx);
http::response create_user(context& ctx);
http::response read_user(context& ctx);
// GET /me: the caller, as GET /user/{id} shows them (what the console signs in with).
http::response read_me(context& ctx);
http::response list_users(context& ctx);
http::response delete_user(context& ctx);
// groups.cpp
http::response create_group(context& ctx);
http::response read_group(context& ctx);
http::response list_groups(context& ctx);
http::response delete_group(context& ctx);
// tokens.cpp
http::response create_token(context& ctx);
http::response list_tokens(context& ctx);
http::response delete_token(context& ctx);
// audit.cpp
http::response list_audit(context& ctx);
http::response user_history(context& ctx);
// backup.cpp
http::response backup(context& ctx);
// scim_users.cpp, scim_groups.cpp, scim_discovery.cpp: SCIM 2.0 (docs/scim.md)
http::response scim_list_users(context& ctx);
http::response scim_create_user(context& ctx);
http::response scim_read_user(context& ctx);
http::response scim_replace_user(context& ctx);
http::response scim_patch_user(context& ctx);
http::response scim_delete_user(context& ctx);
http::response scim_list_groups(context& ctx);
http::response scim_create_group(context& ctx);
http::response scim_read_group(context& ctx);
http::response scim_replace_group(context& ctx);
http::response scim_patch_group(context& ctx);
http::response scim_delete_group(context& ctx);
http::response scim_service_provider_config(context& ctx);
http::response scim_resource_types(context& ctx);
http::response scim_resource_type(context& ctx);
http::response scim_schemas(context& ctx);
http::response scim_schema(context& ctx);
http::response scim_bulk(context& ctx);
// /scim/v2/Me, any method: 501 (RFC 7644 §3.11 lets a server not offer it).
http::response scim_me(context& ctx);
// health.cpp
http::response health(context& ctx);
http::response readiness(context& ctx);
// GET /server: what the operator's page shows (superusers).
http::response server_info(context& ctx);
// guard.cpp: forward auth for proxies, token introspection (RFC 7662)
http::response forward_auth(context& ctx);
http::response introspect(context& ctx);
// console.cpp
http::response console_redirect(context& ctx);
http::response console_page(context& ctx);
http::response prometheus_metrics(context& ctx);
http::response openapi(context& ctx);

} // namespace rosterd::api
