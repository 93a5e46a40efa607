// POST /usergroup, GET /usergroup/{id}, GET /usergroup, DELETE /usergroup/{id}
#include "api/handlers.hpp"

#include "api/conditional.hpp"
#include "api/paging.hpp"

#include "api/json_body.hpp"
#include "api/user_patch.hpp"
#include "api/user_view.hpp"

#include <boost/json/array.hpp>
#include <boost/json/serialize.hpp>

namespace rosterd::api {

namespace {

// {"name": string (1..255 characters), "clientId": positive integer (optional)}
std::optional<http::response> parse_group(context const& ctx, store::group& out)
{
    if (ctx.body->error())
        return ctx.body->error();
    bool named = false;
    for (auto const& [key, value] : ctx.body->object()) {
        if (key == "name") {
            if (!value.is_string() || value.get_string().empty())
                return bad_request("name: must be a non-empty string");
            if (count_code_points(value.get_string()) > limits::name_chars)
                return bad_request("name: longer than 255 characters");
            if (has_control_character(value.get_string()))
                return bad_request("name: contains a control character");
            out.name = value.get_string();
            named = true;
        } else if (key == "clientId") {
            out.client_id = positive_integer(value);
            if (!out.client_id)
                return bad_request("clientId: must be a positive integer");
        } else {
            return bad_request(std::string(key) + ": unknown field");
        }
    }
    if (!named)
        return bad_request("name: required");
    return std::nullopt;
}

// How many member and admin ids each group shows in GET /usergroup: a page
// of groups stays small however large the groups; GET /usergroup/{id}
// pages through the rest.
constexpr std::size_t listed_members = 10;

} // namespace

http::response create_group(context& ctx)
{
    store::group g;
    if (auto malformed = parse_group(ctx, g))
        return *malformed;
    auto const* me = ctx.me;
    if (!me->super_user)
        return forbidden("only a superuser may create a user group");
    g.id = ctx.dir.next_group_id();
    g.created = ctx.now;
    commit(ctx, store::put_group{g});
    return created("/usergroup", g.id);
}

http::response read_group(context& ctx)
{
    list_query q;
    auto const malformed = parse_list_query(ctx.query, {}, q);
    auto const* me = ctx.me;
    auto const* g = path_group(ctx);
    if (!g)
        return not_found("user group", ctx.path_id);
    if (malformed)
        return *malformed;
    if (!me->super_user && !me->is_admin_of(g->id))
        return forbidden("the caller may not read user group " + ctx.path_id);
    auto const etag = etag_of(*g, ctx.dir);
    if (client_copy_is_current(ctx.req, etag))
        return http::not_modified(etag);
    auto res = http::json(http::status::ok, boost::json::serialize(group_view(*g, ctx.dir, {q.offset, q.limit})));
    res.etag = etag;
    return res;
}

} // namespace rosterd::api

namespace rosterd::api {

http::response list_groups(context& ctx)
{
    list_query q;
    if (auto malformed = parse_list_query(ctx.query, {"clientId"}, q))
        return *malformed;
    std::optional<store::record_id> client;
    if (auto v = q.filter("clientId"); v && !(client = parse_id(*v)))
        return bad_request("clientId: must be a positive integer");

    auto const* me = ctx.me;
    boost::json::array page;
    std::size_t seen = 0;
    for (auto const& [id, g] : ctx.dir.groups()) {
        if (page.size() >= q.limit)
            break;
        if (!me->super_user && !me->is_admin_of(id))
            continue;
        if (client && g.client_id != client)
            continue;
        if (on_page(q, seen++))
            page.push_back(group_view(g, ctx.dir, {0, listed_members}));
    }
    return http::json(http::status::ok, boost::json::serialize(page));
}

http::response delete_group(context& ctx)
{
    auto const* me = ctx.me;
    auto const* g = path_group(ctx);
    if (!g)
        return not_found("user group", ctx.path_id);
    if (!me->super_user)
        return forbidden("only a superuser may delete a user group");
    if (auto changed = check_if_match(ctx.req, "user group", ctx.path_id, [&] { return etag_of(*g, ctx.dir); }))
        return *changed;
    auto const id = g->id; // g goes with the change
    commit(ctx, store::remove_group{id});
    return http::json(http::status::ok, std::to_string(id));
}

} // namespace rosterd::api
