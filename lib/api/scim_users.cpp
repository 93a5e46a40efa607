// /scim/v2/Users: SCIM 2.0 users (docs/scim.md), on the same records,
// rights and checks as /user.
#include "api/handlers.hpp"

#include "api/conditional.hpp"
#include "api/scim_call.hpp"
#include "api/user_patch.hpp"
#include "auth/rights.hpp"
#include "scim/mapping.hpp"
#include "scim/patch.hpp"
#include "scim/user_attributes.hpp"

#include <boost/json/array.hpp>

#include <optional>

namespace rosterd::api {

namespace json = boost::json;

namespace {

// A detail of the native checks ("phoneNumber: not an E.164 number"),
// naming the SCIM attribute the field came from instead.
std::string scim_detail(std::string detail)
{
    static constexpr std::pair<std::string_view, std::string_view> names[] = {
        {"emailAddress", "emails"}, {"phoneNumber", "phoneNumbers"},
        {"firstName", "name.givenName"}, {"lastName", "name.familyName"},
    };
    for (auto const& [native, scim] : names)
        if (detail.starts_with(native) && detail.size() > native.size() && detail[native.size()] == ':')
            detail.replace(0, native.size(), scim);
    return detail;
}

// A 400 of check_user_patch() or apply_patch().
[[noreturn]] void throw_invalid(std::string const& detail) { throw scim::invalid_value(scim_detail(detail)); }

user_patch checked(json::object fields)
{
    user_patch patch;
    if (auto detail = check_user_patch(std::move(fields), patch))
        throw_invalid(*detail);
    return patch;
}

// A 409 when `name` is claimed by a user other than `self` (the one rule of
// store::directory::name_claimant). The holder's id only to a caller who may
// read the holder: a name is no way to learn who exists.
void refuse_taken_name(context const& ctx, json::object const& fields, store::record_id self)
{
    auto const& name = fields.at("userName").get_string();
    if (auto const* holder = ctx.dir.name_claimant(name, self))
        throw scim::error(http::status::conflict, "uniqueness", "userName: " + taken_by(ctx, *holder));
}

store::user const& path_user_or_throw(context const& ctx)
{
    auto const* u = path_user(ctx);
    if (!u)
        throw scim::error(http::status::not_found, "", "user " + ctx.path_id + " not found");
    return *u;
}

http::response user_answer(context const& ctx, http::status code, store::user const& u)
{
    auto etag = etag_of(u);
    auto resource = scim::user_resource(u, ctx.dir, *ctx.me, etag);
    return scim_resource(ctx, code, std::move(resource), std::move(etag));
}

// PUT and PATCH: stores `resource` as the user's new state. Only the fields
// it changes are written, and checked against the caller's rights; a
// resource that changes nothing writes nothing.
http::response replace_user(context& ctx, store::user const& target, json::object const& resource)
{
    auto const level = auth::access_to(*ctx.me, target);
    auto const allowed = auth::settable_fields(level, ctx.me->id == target.id, ctx.rules.allow_self_verify);
    std::string dropped;
    auto current = scim::native_fields(scim::user_resource(target, ctx.dir, *ctx.me, {}), ctx.rules.phone_region);
    auto const kept_phone = target.phone_number() ? std::string(*target.phone_number()) : std::string();
    auto wanted = scim::native_fields(resource, ctx.rules.phone_region, &dropped, kept_phone);
    // A user without a userName goes by their e-mail address; the first
    // SCIM write stores that name, so that the provider's name for the user
    // does not follow a later change of address.
    if (!target.user_name() && allowed.has(store::user_field::user_name))
        current["userName"] = nullptr;
    json::object changes;
    for (auto const& [key, value] : wanted)
        if (auto const* now = current.if_contains(key); !now || *now != value)
            changes[key] = value;
    auto const patch = checked(std::move(changes));

    if (auto refusal = refuse_fields(patch.fields, allowed))
        throw_problem(*refusal);
    if (auto refusal = refuse_lock_out(ctx, target, patch))
        throw_problem(*refusal);
    if (auto refusal = refuse_retirement(ctx, target, patch))
        throw_problem(*refusal);
    if (patch.values.contains("userName"))
        refuse_taken_name(ctx, wanted, target.id);
    if (patch.fields.empty()) {
        auto res = user_answer(ctx, http::status::ok, target);
        res.log_note = std::move(dropped);
        return res;
    }

    store::user after = target;
    if (auto detail = apply_patch(after, patch, ctx.now))
        throw_invalid(*detail);
    after.updated = ctx.now;
    auto res = user_answer(ctx, http::status::ok, after);
    res.log_note = std::move(dropped);
    commit(ctx, store::put_user{std::move(after)});
    return res;
}

store::user const& writable_user(context const& ctx)
{
    auto const& target = path_user_or_throw(ctx);
    refuse_unless(auth::access_to(*ctx.me, target) != auth::access::none,
                  "the caller may not update user " + ctx.path_id);
    if (auto changed = check_if_match(ctx.req, "user", ctx.path_id, [&] { return etag_of(target); }))
        throw_problem(*changed);
    return target;
}

// The string of a filter that is exactly `attribute eq "string"`;
// nullopt for any other filter.
std::optional<std::string_view> equality_on(scim::filter const* f, std::string_view attribute)
{
    auto const* c = f ? std::get_if<scim::comparison>(&f->node) : nullptr;
    if (!c || c->op != scim::compare_op::eq || !c->path.sub.empty() || !c->value.is_string()
        || !scim::same_name(c->path.name, attribute))
        return std::nullopt;
    return std::string_view(c->value.get_string());
}

// The address an equality on e-mail addresses names: emails eq "a",
// emails.value eq "a" or emails[value eq "a"].
std::optional<std::string_view> address_equality(scim::filter const* f)
{
    auto const is_eq = [](scim::comparison const& c) {
        return c.op == scim::compare_op::eq && c.value.is_string();
    };
    if (auto const* c = f ? std::get_if<scim::comparison>(&f->node) : nullptr) {
        if (is_eq(*c) && scim::same_name(c->path.name, "emails")
            && (c->path.sub.empty() || scim::same_name(c->path.sub, "value")))
            return std::string_view(c->value.get_string());
        return std::nullopt;
    }
    auto const* v = f ? std::get_if<scim::value_path>(&f->node) : nullptr;
    if (!v || !scim::same_name(v->path.name, "emails"))
        return std::nullopt;
    auto const* inner = std::get_if<scim::comparison>(&v->inner->node);
    if (!inner || !is_eq(*inner) || !inner->path.sub.empty() || !scim::same_name(inner->path.name, "value"))
        return std::nullopt;
    return std::string_view(inner->value.get_string());
}

// A cheap test that rules most users out of "externalId eq" filters before
// any JSON is built. ("userName eq" is resolved by name, never walked.)
bool may_match(scim::filter const& f, store::user const& u)
{
    if (auto external = equality_on(&f, "externalId"))
        return u.external_id() == *external;
    return true;
}

} // namespace

json::object scim_body(context const& ctx)
{
    if (auto const& error = ctx.body->error()) {
        if (error->code == http::status::bad_request)
            throw scim::error(http::status::bad_request, "invalidSyntax", "body: not a JSON object");
        throw_problem(*error);
    }
    return ctx.body->take();
}

void throw_problem(http::response const& problem)
{
    scim::error e(problem.code, "", scim_detail(scim::problem_detail(problem)));
    e.etag = problem.etag;
    throw e;
}

http::response scim_resource(context const& ctx, http::status code, json::object resource, std::string etag)
{
    scim::project(resource, scim::parse_projection(ctx.query));
    auto res = scim::resource_response(code, resource);
    res.etag = std::move(etag);
    return res;
}

http::response scim_list_users(context& ctx)
{
    return scim_call([&] {
        auto const params = scim::parse_list_params(ctx.query);
        json::array page;
        std::size_t total = 0;
        std::optional<scim::user_attributes> record(std::in_place, ctx.dir, *ctx.me);
        auto consider = [&](store::user const& u) {
            if (auth::access_to(*ctx.me, u) == auth::access::none)
                return;
            if (params.filter && !may_match(*params.filter, u))
                return;
            // The filter runs on the record; JSON is built only for what is listed.
            if (params.filter) {
                record->reset(u);
                if (!scim::matches(*params.filter, *record))
                    return;
            }
            bool const on_page = ++total >= params.start_index && page.size() < params.count;
            if (on_page) {
                auto resource = scim::user_resource(u, ctx.dir, *ctx.me, etag_of(u));
                scim::project(resource, params.shape);
                page.push_back(std::move(resource));
            }
        };
        // A provider's lookup of a user it provisioned: the one user the
        // name resolves to, found through the name index, in the same time
        // whether that user exists, is out of the caller's reach or not.
        // Likewise by externalId or e-mail address, from their indexes.
        auto const by_index = [&](std::vector<store::record_id> const& ids) {
            for (auto const id : ids)
                consider(*ctx.dir.find_user(id));
        };
        if (auto const name = equality_on(params.filter.get(), "userName")) {
            if (auto const* named = ctx.dir.find_user_by_name(*name))
                consider(*named);
        } else if (auto const external = equality_on(params.filter.get(), "externalId")) {
            by_index(ctx.dir.users_with_external_id(*external));
        } else if (auto const address = address_equality(params.filter.get())) {
            by_index(ctx.dir.users_with_address(*address));
        } else {
            // A walk of the directory: it pauses every few thousand users,
            // so that writers (and the readers behind them) wait for one
            // stretch of it, not the whole.
            auto const& users = ctx.dir.users();
            std::size_t since_pause = 0;
            for (auto it = users.begin(); it != users.end();) {
                consider(*it);
                auto const last = it->id;
                ++it;
                if (++since_pause < records_between_pauses)
                    continue;
                since_pause = 0;
                if (!pause_read(ctx))
                    throw_problem(unauthorized());
                record.emplace(ctx.dir, *ctx.me);
                it = users.upper_bound(last);
            }
        }
        return scim::list_response(total, params.start_index, std::move(page));
    });
}

http::response scim_create_user(context& ctx)
{
    return scim_call([&] {
        auto const body = scim_body(ctx);
        std::string dropped;
        auto fields = scim::native_fields(body, ctx.rules.phone_region, &dropped);
        for (auto it = fields.begin(); it != fields.end();)
            it = it->value().is_null() ? fields.erase(it) : it + 1;
        auto const patch = checked(fields);

        auto const* me = ctx.me;
        role_change roles;
        if (!me->super_user) {
            // A group admin provisions into the group they administer.
            for (auto const& m : me->groups()) {
                if (!m.admin)
                    continue;
                refuse_unless(!roles.group, "a group admin who administers several user groups cannot create users "
                                            "through SCIM: it would not say which group they join");
                roles.group = m.group_id;
            }
            refuse_unless(roles.group.has_value(), "only a superuser or a user group admin may create users");
        }
        auto const level = me->super_user ? auth::access::super : auth::access::admin;
        if (auto refusal = refuse_fields(patch.fields, auth::settable_fields(level, false)))
            throw_problem(*refusal);
        refuse_taken_name(ctx, fields, 0);

        store::user u;
        u.id = ctx.dir.next_user_id();
        u.created = ctx.now;
        u.updated = ctx.now;
        if (auto detail = apply_patch(u, patch, ctx.now))
            throw_invalid(*detail);
        if (auto detail = apply_roles(u, roles, ctx.dir))
            throw scim::invalid_value(*detail);
        auto res = user_answer(ctx, http::status::created, u);
        res.location = std::string(scim::base_path) + "/Users/" + std::to_string(u.id);
        res.log_note = std::move(dropped);
        commit(ctx, store::put_user{std::move(u)});
        return res;
    });
}

http::response scim_read_user(context& ctx)
{
    return scim_call([&] {
        auto const& target = path_user_or_throw(ctx);
        refuse_unless(auth::access_to(*ctx.me, target) != auth::access::none,
                      "the caller may not read user " + ctx.path_id);
        auto res = user_answer(ctx, http::status::ok, target);
        if (client_copy_is_current(ctx.req, res.etag))
            return http::not_modified(std::move(res.etag));
        return res;
    });
}

http::response scim_replace_user(context& ctx)
{
    return scim_call([&] {
        auto const& target = writable_user(ctx);
        return replace_user(ctx, target, scim_body(ctx));
    });
}

http::response scim_patch_user(context& ctx)
{
    return scim_call([&] {
        auto const& target = writable_user(ctx);
        auto resource = scim::user_resource(target, ctx.dir, *ctx.me, {});
        scim::apply_patch(resource, scim_body(ctx));
        return replace_user(ctx, target, resource);
    });
}

http::response scim_delete_user(context& ctx)
{
    auto res = delete_user(ctx);
    return res.code == http::status::ok ? http::no_content() : res;
}

} // namespace rosterd::api
