// GET /audit, GET /user/{id}/history
#include "api/handlers.hpp"

#include "api/paging.hpp"
#include "auth/rights.hpp"
#include "store/audit.hpp"
#include "store/time.hpp"

#include <boost/asio/ip/address_v6.hpp>
#include <boost/json/array.hpp>
#include <boost/json/monotonic_resource.hpp>
#include <boost/json/serialize.hpp>

#include <algorithm>

namespace rosterd::api {

namespace json = boost::json;

namespace {

json::value id_or_null(store::record_id id)
{
    if (id == 0)
        return nullptr;
    return id;
}

// The actor's token and address only when `full`: a caller sees them only
// for actors whose record they may read (an admin never learns where a
// superuser works from).
json::value actor_view(store::audit_event const& e, bool full, json::storage_ptr sp)
{
    if (e.actor_user == 0)
        return nullptr; // rosterd itself
    if (!full)
        return json::object({{"userId", e.actor_user}, {"tokenId", nullptr}, {"address", nullptr}}, sp);
    auto const v6 = boost::asio::ip::make_address_v6(e.address);
    auto const address = v6.is_v4_mapped()
        ? boost::asio::ip::make_address_v4(boost::asio::ip::v4_mapped, v6).to_string()
        : v6.to_string();
    return json::object({{"userId", e.actor_user}, {"tokenId", id_or_null(e.actor_token)}, {"address", address}},
                        sp);
}

json::object event_view(store::audit_event const& e, bool full_actor, json::storage_ptr sp)
{
    json::array fields(sp);
    for (auto const name : store::field_names(e.fields))
        fields.emplace_back(json::string_view(name.data(), name.size()));
    auto const action = store::action_name(e.action);
    return json::object({
        {"id", e.id},
        {"at", store::format_rfc3339(e.at)},
        {"action", json::string_view(action.data(), action.size())},
        {"actor", actor_view(e, full_actor, sp)},
        {"userId", id_or_null(e.user_id)},
        {"userGroupId", id_or_null(e.group_id)},
        {"tokenId", id_or_null(e.token_id)},
        {"fields", std::move(fields)},
    }, sp);
}

// The filters of the audit trail's queries, parsed.
struct audit_query {
    list_query page;
    std::optional<store::record_id> user;
    std::optional<store::record_id> actor;
    store::unix_time since = std::numeric_limits<store::unix_time>::min();
    store::unix_time until = std::numeric_limits<store::unix_time>::max();

    bool matches(store::audit_event const& e) const
    {
        return (!user || e.user_id == *user) && (!actor || e.actor_user == *actor) && e.at >= since
            && e.at <= until;
    }
};

std::optional<http::response> parse_audit_query(context const& ctx, bool by_user, audit_query& q)
{
    std::initializer_list<std::string_view> const all{"userId", "actor", "since", "until"};
    std::initializer_list<std::string_view> const per_user{"actor", "since", "until"};
    if (auto malformed = parse_list_query(ctx.query, by_user ? per_user : all, q.page))
        return malformed;
    for (auto const name : {"userId", "actor"}) {
        if (auto v = q.page.filter(name)) {
            auto const id = parse_id(*v);
            if (!id)
                return bad_request(std::string(name) + ": must be a positive integer");
            (name == std::string_view("userId") ? q.user : q.actor) = id;
        }
    }
    for (auto const name : {"since", "until"}) {
        if (auto v = q.page.filter(name)) {
            auto const at = store::parse_rfc3339(*v);
            if (!at)
                return bad_request(std::string(name) + ": must be a UTC time like 2026-11-28T14:53:55Z");
            (name == std::string_view("since") ? q.since : q.until) = *at;
        }
    }
    return std::nullopt;
}

// Whether the caller may see the actor's token and address: a superuser
// always; anyone else for their own actions and actors they may read.
bool reveals_actor(context const& ctx, store::audit_event const& e)
{
    auto const& me = *ctx.me;
    if (me.super_user || e.actor_user == me.id)
        return true;
    auto const* actor = ctx.dir.find_user(e.actor_user);
    return actor && auth::access_to(me, *actor) != auth::access::none;
}

// The events that match `q` and `visible`, newest first, one page.
template <class Visible>
http::response event_page(context& ctx, audit_query const& q, Visible&& visible)
{
    json::monotonic_resource memory; // freed at once, with the page
    json::array page(&memory);
    std::size_t seen = 0, walked = 0;
    auto const& trail = ctx.dir.audit();
    for (auto it = trail.rbegin(); it != trail.rend() && page.size() < q.page.limit;) {
        if (q.matches(*it) && visible(*it) && on_page(q.page, seen++))
            page.push_back(event_view(*it, reveals_actor(ctx, *it), &memory));
        auto const last = (it++)->id;
        if (++walked % records_between_pauses != 0)
            continue;
        // A walk of a million events lets writers in now and then; it
        // resumes before the last event it saw, wherever that is now.
        if (!pause_read(ctx))
            return unauthorized();
        it = std::make_reverse_iterator(store::directory::first_event_from(trail, last));
    }
    return http::json(http::status::ok, json::serialize(page));
}

} // namespace

http::response list_audit(context& ctx)
{
    audit_query q;
    if (auto malformed = parse_audit_query(ctx, false, q))
        return *malformed;
    if (ctx.me->super_user)
        return event_page(ctx, q, [](store::audit_event const&) { return true; });
    bool const admin = std::ranges::any_of(ctx.me->groups(), [](auto const& m) { return m.admin; });
    if (!admin)
        return forbidden("only a superuser or a user group admin may read the audit trail");
    // An admin sees the events of the users they may read now, and of
    // the groups they administer. (ctx.me, not a copy of it: a long walk
    // looks the caller up again after each pause.)
    return event_page(ctx, q, [&](store::audit_event const& e) {
        if (e.group_id && ctx.me->is_admin_of(e.group_id))
            return true;
        auto const* subject = e.user_id ? ctx.dir.find_user(e.user_id) : nullptr;
        return subject && auth::access_to(*ctx.me, *subject) != auth::access::none;
    });
}

http::response user_history(context& ctx)
{
    auto const id = parse_id(ctx.path_id);
    auto const* target = path_user(ctx);
    auto const& me = *ctx.me;
    // A superuser may read the history of a user deleted since.
    bool const known = target || (id && me.super_user && std::any_of(ctx.dir.audit().begin(), ctx.dir.audit().end(),
        [&](store::audit_event const& e) { return e.user_id == *id; }));
    if (!known)
        return not_found("user", ctx.path_id);
    audit_query q;
    if (auto malformed = parse_audit_query(ctx, true, q))
        return *malformed;
    if (!me.super_user && auth::access_to(me, *target) == auth::access::none)
        return forbidden("the caller may not read the history of user " + ctx.path_id);
    q.user = id;
    return event_page(ctx, q, [](store::audit_event const&) { return true; });
}

} // namespace rosterd::api
