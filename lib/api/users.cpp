// PUT /user/{id}, POST /user, GET /user/{id}, GET /me, DELETE /user/{id} (GET /user: user_list.cpp)
#include "api/handlers.hpp"

#include "api/conditional.hpp"
#include "api/paging.hpp"

#include "api/user_patch.hpp"
#include "api/user_view.hpp"
#include "auth/rights.hpp"
#include "store/operator_access.hpp"

#include <boost/json/array.hpp>
#include <boost/json/monotonic_resource.hpp>
#include <boost/json/serialize.hpp>

#include <cstdint>
#include <limits>

namespace rosterd::api {

namespace {

// The user as GET /user/{id} shows them, with their ETag; 304 for a
// current If-None-Match.
http::response user_answer(context const& ctx, store::user const& u)
{
    unsigned char buffer[4096]; // enough for most users, without a heap allocation
    boost::json::monotonic_resource memory(buffer, sizeof buffer);
    auto res = http::json(http::status::ok, boost::json::serialize(user_view(u, &memory)));
    res.etag = etag_of(res.body);
    if (client_copy_is_current(ctx.req, res.etag))
        return http::not_modified(std::move(res.etag));
    return res;
}

std::optional<http::response> refuse_roles(store::user const& me, role_change const& roles)
{
    if (roles.group && !auth::may_manage_members(me, *roles.group))
        return forbidden("userGroupId: the caller may not manage user group " + std::to_string(*roles.group));
    return std::nullopt;
}

// Applies patch and roles to `u`: a 400 when the result is not valid.
std::optional<http::response> merge(store::user& u, user_patch const& patch, role_change const& roles,
                                    context const& ctx)
{
    if (auto detail = apply_patch(u, patch, ctx.now))
        return bad_request(*detail);
    if (patch.fields.has(store::user_field::auto_remove_after)) {
        // The reaper re-checks this caller's right when removeAt comes.
        auto const by = ctx.me->id;
        u.removal_by = u.remove_at && by <= std::numeric_limits<std::uint32_t>::max() ? static_cast<std::uint32_t>(by)
                                                                                      : 0;
    }
    if (auto detail = apply_roles(u, roles, ctx.dir))
        return bad_request(*detail);
    if (auto const* holder = name_clash(ctx.dir, u))
        return bad_request("userName: " + taken_by(ctx, *holder));
    u.updated = ctx.now;
    return std::nullopt;
}

// Whether `u`'s membership of `group` (admin flag included) differs between
// the two versions.
bool membership_moved(store::user const* before, store::user const& after, store::record_id group)
{
    auto const was = before ? before->membership_of(group) : std::nullopt;
    return was != after.membership_of(group);
}

// A member joined or changed: the group's lastModified moves (RFC 7643 §3.1).
void touch_group(context& ctx, store::record_id group)
{
    if (auto const* g = ctx.dir.find_group(group)) {
        store::group changed = *g;
        changed.updated = ctx.now;
        commit(ctx, store::put_group{std::move(changed)});
    }
}

} // namespace

std::optional<http::response> refuse_fields(store::field_set const& fields, store::field_set allowed)
{
    auto const beyond = fields.beyond(allowed);
    if (beyond.empty())
        return std::nullopt;
    return forbidden(std::string(field_name(beyond.first())) + ": the caller may not set this field");
}

std::optional<http::response> refuse_lock_out(context const& ctx, store::user const& target,
                                              user_patch const& patch)
{
    using store::user_field;
    if (!target.super_user || !target.active
        || !(patch.fields.has(user_field::super_user) || patch.fields.has(user_field::active)))
        return std::nullopt;
    auto const turned_off = [&](std::string_view name) {
        auto const* v = patch.values.if_contains(name);
        return v && v->is_bool() && !v->get_bool();
    };
    bool const demoting = turned_off("superUser");
    bool const deactivating = turned_off("active");
    if (!demoting && !deactivating)
        return std::nullopt;
    std::string const field = demoting ? "superUser" : "active";
    if (ctx.dir.super_user_count() == 1)
        return forbidden(field + ": the last superuser cannot be " + (demoting ? "demoted" : "deactivated"));
    if (store::would_lock_out(ctx.dir, ctx.now, {.demoted = target.id}))
        return forbidden(field + ": user " + std::to_string(target.id) + " holds the last superuser token that "
                         "works (and never expires); give another superuser a token first");
    return std::nullopt;
}

std::optional<http::response> refuse_retirement(context const& ctx, store::user const& target,
                                                user_patch const& patch)
{
    auto const& me = *ctx.me;
    if (auto const* active = patch.values.if_contains("active"); active && active->is_bool() && !active->get_bool()) {
        if (me.id == target.id)
            return forbidden("active: nobody deactivates themselves");
        if (!auth::may_retire(me, target))
            return forbidden("active: user " + std::to_string(target.id) + " is an admin of a user group the "
                             "caller does not administer");
    }
    if (auto const* removal = patch.values.if_contains("autoRemoveAfter");
        removal && !removal->is_null() && !auth::may_retire(me, target))
        return forbidden("autoRemoveAfter: user " + std::to_string(target.id) + " is an admin of a user group the "
                         "caller does not administer");
    return std::nullopt;
}

store::user const* name_clash(store::directory const& dir, store::user const& u)
{
    return u.user_name() ? dir.name_claimant(*u.user_name(), u.id) : nullptr;
}

std::string taken_by(context const& ctx, store::user const& holder)
{
    if (auth::access_to(*ctx.me, holder) != auth::access::none)
        return "user " + std::to_string(holder.id) + " already has this userName";
    return "this name is taken";
}

http::response update_user(context& ctx)
{
    // The body was parsed before the lock was taken; report in the spec's
    // order below.
    role_change roles;
    user_patch patch{boost::json::object(ctx.body->storage()), {}};
    auto malformed = parse_role_change(ctx.query, roles);
    if (!malformed)
        malformed = read_user_patch(*ctx.body, patch);

    auto const* me = ctx.me;
    auto const* target = path_user(ctx);
    if (!target)
        return not_found("user", ctx.path_id);
    if (malformed)
        return *malformed;

    auto const level = auth::access_to(*me, *target);
    if (level == auth::access::none)
        return forbidden("the caller may not update user " + ctx.path_id);
    if (auto refusal = refuse_fields(patch.fields, auth::settable_fields(level, me->id == target->id,
                                                                         ctx.rules.allow_self_verify)))
        return *refusal;
    if (auto refusal = refuse_retirement(ctx, *target, patch))
        return *refusal;
    if (auto refusal = refuse_roles(*me, roles))
        return *refusal;
    if (auto refusal = refuse_lock_out(ctx, *target, patch))
        return *refusal;
    if (auto changed = check_if_match(ctx.req, "user", ctx.path_id, [&] { return etag_of(*target); }))
        return *changed;

    store::user after = *target;
    if (auto invalid = merge(after, patch, roles, ctx))
        return *invalid;
    auto res = http::json(http::status::ok, std::to_string(after.id));
    if (ctx.req.has_if_match) // a client that edits conditionally gets the next version's tag
        res.etag = etag_of(after);
    bool const joined = roles.group && membership_moved(target, after, *roles.group);
    commit(ctx, store::put_user{std::move(after)});
    if (joined)
        touch_group(ctx, *roles.group);
    return res;
}

http::response create_user(context& ctx)
{
    role_change roles;
    user_patch patch{boost::json::object(ctx.body->storage()), {}};
    if (auto malformed = parse_role_change(ctx.query, roles))
        return *malformed;
    if (auto malformed = read_user_patch(*ctx.body, patch))
        return *malformed;

    auto const* me = ctx.me;
    // Only a superuser creates users outside any group; a group admin
    // creates them into a group they administer.
    if (!me->super_user && !roles.group)
        return forbidden("only a superuser may create a user outside a user group");
    if (auto refusal = refuse_roles(*me, roles))
        return *refusal;
    auto const level = me->super_user ? auth::access::super : auth::access::admin;
    if (auto refusal = refuse_fields(patch.fields, auth::settable_fields(level, false)))
        return *refusal;

    store::user u;
    u.id = ctx.dir.next_user_id();
    u.created = ctx.now;
    if (auto invalid = merge(u, patch, roles, ctx))
        return *invalid;
    auto const id = u.id;
    commit(ctx, store::put_user{std::move(u)});
    if (roles.group)
        touch_group(ctx, *roles.group);
    return created("/user", id);
}

http::response read_user(context& ctx)
{
    auto const* me = ctx.me;
    auto const* target = path_user(ctx);
    if (!target)
        return not_found("user", ctx.path_id);
    if (auth::access_to(*me, *target) == auth::access::none)
        return forbidden("the caller may not read user " + ctx.path_id);
    return user_answer(ctx, *target);
}

http::response read_me(context& ctx) { return user_answer(ctx, *ctx.me); }

namespace {

constexpr store::record_id bootstrap_user = 1;

} // namespace

http::response delete_user(context& ctx)
{
    auto const* me = ctx.me;
    auto const* target = path_user(ctx);
    if (!target)
        return not_found("user", ctx.path_id);
    if (!me->super_user)
        return forbidden("only a superuser may delete a user");
    // The directory must never lock its operator out.
    if (target->id == bootstrap_user)
        return forbidden("user 1 cannot be deleted");
    if (target->super_user && ctx.dir.super_user_count() == 1)
        return forbidden("the last superuser cannot be deleted");
    if (target->super_user && store::would_lock_out(ctx.dir, ctx.now, {.user = target->id}))
        return forbidden("user " + ctx.path_id + " holds the last superuser token that works (and never "
                         "expires); give another superuser a token first");
    if (auto changed = check_if_match(ctx.req, "user", ctx.path_id, [&] { return etag_of(*target); }))
        return *changed;
    auto const id = target->id; // target goes with the change
    commit(ctx, store::remove_user{id});
    return http::json(http::status::ok, std::to_string(id));
}

} // namespace rosterd::api
