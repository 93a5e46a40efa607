// /scim/v2/Groups: SCIM 2.0 groups (docs/scim.md), on the same user groups,
// memberships and rights as /usergroup and PUT /user?userGroupId=.
#include "api/handlers.hpp"

#include "api/conditional.hpp"
#include "api/scim_call.hpp"
#include "auth/rights.hpp"
#include "scim/mapping.hpp"
#include "scim/patch.hpp"

#include <boost/json/array.hpp>
#include <boost/json/serialize.hpp>

#include <algorithm>
#include <functional>
#include <memory>
#include <optional>
#include <unordered_set>
#include <vector>

namespace rosterd::api {

namespace json = boost::json;

namespace {

bool may_read(store::user const& me, store::record_id group) { return me.super_user || me.is_admin_of(group); }

store::group const& path_group_or_throw(context const& ctx)
{
    auto const* g = path_group(ctx);
    if (!g)
        throw scim::error(http::status::not_found, "", "group " + ctx.path_id + " not found");
    return *g;
}

// Past this many members, a group's resource is sent in parts.
constexpr std::size_t members_per_part = 1000;

// The members of a large group, as the parts of its resource's body after
// the first: a part of members_per_part members, looked up under the read
// lock when it is made, resuming after the last id sent. A slow reader
// holds one part, not the group. The ETag is the group's when the answer
// began; members who join or leave meanwhile may or may not be listed, as
// in a list made while others write.
std::function<bool(std::string&)> member_parts(store::directory& dir, store::record_id group, store::record_id viewer)
{
    struct state {
        std::optional<store::record_id> last; // sent; none yet
    };
    auto s = std::make_shared<state>();
    return [&dir, group, viewer, s](std::string& out) {
        auto lock = dir.read_lock();
        auto const* me = dir.find_user(viewer); // deleted since: no displays
        auto const& members = dir.members_of(group);
        auto it = s->last ? std::upper_bound(members.begin(), members.end(), *s->last) : members.begin();
        for (std::size_t n = 0; it != members.end() && n < members_per_part; ++it, ++n) {
            if (s->last)
                out.push_back(',');
            out += json::serialize(scim::member_entry(*it, dir, me));
            s->last = *it;
        }
        if (it != members.end())
            return true;
        out += "]}";
        return false;
    };
}

http::response group_answer(context const& ctx, http::status code, store::group const& g)
{
    auto etag = etag_of(g, ctx.dir);
    auto const shape = scim::parse_projection(ctx.query);
    auto const& members = ctx.dir.members_of(g.id);
    bool const in_parts = !shape.leaves_out("members") && members.size() > members_per_part;
    auto const shown = shape.leaves_out("members") || in_parts ? scim::group_members::none
                                                              : scim::group_members::full;
    auto resource = scim::group_resource(g, ctx.dir, shown, *ctx.me, etag);
    auto res = scim_resource(ctx, code, std::move(resource), std::move(etag));
    if (in_parts) {
        res.body.pop_back(); // the object's closing brace: the members go before it
        res.body += R"(,"members":[)";
        res.more = member_parts(ctx.dir, g.id, ctx.me->id);
    }
    return res;
}

// Who joins and who leaves a group.
struct member_change {
    std::vector<store::record_id> joining, leaving;
};

// What makes the members of group `g` exactly `wanted` (ascending ids),
// once every check has passed: nothing is changed before all are made.
member_change plan_members(context const& ctx, store::group const& g, std::vector<store::record_id> const& wanted)
{
    auto const& me = *ctx.me;
    auto const& current = ctx.dir.members_of(g.id);
    member_change plan;
    std::set_difference(wanted.begin(), wanted.end(), current.begin(), current.end(),
                        std::back_inserter(plan.joining));
    std::set_difference(current.begin(), current.end(), wanted.begin(), wanted.end(),
                        std::back_inserter(plan.leaving));
    if (plan.joining.empty() && plan.leaving.empty())
        return plan;
    refuse_unless(auth::may_manage_members(me, g.id),
                  "members: the caller may not manage user group " + std::to_string(g.id));
    for (auto const id : plan.joining) {
        auto const* u = ctx.dir.find_user(id);
        if (!u)
            throw scim::invalid_value("members: no user " + std::to_string(id));
        refuse_unless(auth::access_to(me, *u) != auth::access::none,
                      "members: the caller may not add user " + std::to_string(id) + " to a user group");
        if (!store::clients_compatible(u->client_id, g.client_id))
            throw scim::invalid_value("members: user " + std::to_string(id) + " belongs to another clientId");
    }
    for (auto const id : plan.leaving)
        refuse_unless(auth::access_to(me, *ctx.dir.find_user(id)) != auth::access::none,
                      "members: the caller may not remove user " + std::to_string(id) + " from a user group");
    return plan;
}

// New members join as plain members, as PUT /user?userGroupId= would add
// them; members that leave lose the membership, an admin's included.
void change_members(context& ctx, store::record_id group, member_change const& plan)
{
    for (auto const id : plan.joining) {
        store::user u = *ctx.dir.find_user(id);
        u.set_membership(group, false);
        u.updated = ctx.now;
        commit(ctx, store::put_user{std::move(u)});
    }
    for (auto const id : plan.leaving) {
        store::user u = *ctx.dir.find_user(id);
        u.remove_membership(group);
        u.updated = ctx.now;
        commit(ctx, store::put_user{std::move(u)});
    }
}

// PUT and PATCH: makes the group what `resource` says (its displayName),
// with `members` (ascending ids) as its members.
void replace_group(context& ctx, store::group const& g, json::object const& resource,
                   std::vector<store::record_id> const& members)
{
    auto const name = scim::display_name(resource);
    auto const plan = plan_members(ctx, g, members);
    refuse_unless(name == g.name || ctx.me->super_user, "displayName: only a superuser may rename a user group");
    auto const id = g.id; // g may go with a change
    if (name != g.name || !plan.joining.empty() || !plan.leaving.empty()) {
        // Renamed, or its members changed: its lastModified moves (RFC 7643 §3.1).
        store::group changed = g;
        changed.name = name;
        changed.updated = ctx.now;
        commit(ctx, store::put_group{std::move(changed)});
    }
    change_members(ctx, id, plan);
}

store::group const& writable_group(context const& ctx)
{
    auto const& g = path_group_or_throw(ctx);
    refuse_unless(may_read(*ctx.me, g.id), "the caller may not change user group " + ctx.path_id);
    if (auto changed = check_if_match(ctx.req, "user group", ctx.path_id, [&] { return etag_of(g, ctx.dir); }))
        throw_problem(*changed);
    return g;
}

} // namespace

http::response scim_list_groups(context& ctx)
{
    return scim_call([&] {
        auto const params = scim::parse_list_params(ctx.query);
        // Members are listed only when asked for or filtered on; a group's
        // member list can be the whole directory.
        auto const members = params.filter || !params.shape.leaves_out("members") ? scim::group_members::full
                                                                                   : scim::group_members::none;
        json::array page;
        std::size_t total = 0;
        for (auto const& [id, g] : ctx.dir.groups()) {
            if (!may_read(*ctx.me, id))
                continue;
            // The version (a hash over every member) only for what is listed.
            auto resource = scim::group_resource(g, ctx.dir, members, *ctx.me, {});
            if (params.filter && !scim::matches(*params.filter, resource))
                continue;
            if (++total >= params.start_index && page.size() < params.count) {
                resource.at("meta").as_object()["version"] = etag_of(g, ctx.dir);
                scim::project(resource, params.shape);
                page.push_back(std::move(resource));
            }
        }
        return scim::list_response(total, params.start_index, std::move(page));
    });
}

http::response scim_create_group(context& ctx)
{
    return scim_call([&] {
        auto const body = scim_body(ctx);
        store::group g;
        g.name = scim::display_name(body);
        refuse_unless(ctx.me->super_user, "only a superuser may create a user group");
        g.id = ctx.dir.next_group_id();
        g.created = ctx.now;
        auto const plan = plan_members(ctx, g, scim::member_ids(body));
        commit(ctx, store::put_group{g});
        change_members(ctx, g.id, plan);
        auto res = group_answer(ctx, http::status::created, *ctx.dir.find_group(g.id));
        res.location = std::string(scim::base_path) + "/Groups/" + std::to_string(g.id);
        return res;
    });
}

http::response scim_read_group(context& ctx)
{
    return scim_call([&] {
        auto const& g = path_group_or_throw(ctx);
        refuse_unless(may_read(*ctx.me, g.id), "the caller may not read user group " + ctx.path_id);
        auto res = group_answer(ctx, http::status::ok, g);
        if (client_copy_is_current(ctx.req, res.etag))
            return http::not_modified(std::move(res.etag));
        return res;
    });
}

http::response scim_replace_group(context& ctx)
{
    return scim_call([&] {
        auto const& g = writable_group(ctx);
        auto const id = g.id;
        auto const body = scim_body(ctx);
        replace_group(ctx, g, body, scim::member_ids(body));
        return group_answer(ctx, http::status::ok, *ctx.dir.find_group(id));
    });
}

http::response scim_patch_group(context& ctx)
{
    return scim_call([&] {
        auto const& g = writable_group(ctx);
        // Members as a set of ids: each operation on them costs the same
        // in a group of ten or of a million (a JSON list of members made
        // each removal a walk of the whole group).
        auto resource = scim::group_resource(g, ctx.dir, scim::group_members::none, *ctx.me, {});
        auto const& current = ctx.dir.members_of(g.id);
        std::unordered_set<store::record_id> members(current.begin(), current.end());
        scim::apply_group_patch(resource, members, scim_body(ctx));
        std::vector<store::record_id> wanted(members.begin(), members.end());
        std::sort(wanted.begin(), wanted.end());
        replace_group(ctx, g, resource, wanted);
        // As Entra ID and Okta expect of a group: no body (a group's
        // members could be the whole directory).
        return http::no_content();
    });
}

http::response scim_delete_group(context& ctx)
{
    auto res = delete_group(ctx);
    return res.code == http::status::ok ? http::no_content() : res;
}

} // namespace rosterd::api
