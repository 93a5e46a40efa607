// Guarding other services (docs/guard.md): GET /auth, the forward-auth hook
// of nginx (auth_request), Traefik (ForwardAuth) and Caddy (forward_auth);
// and POST /introspect, token introspection (RFC 7662).
#include "api/handlers.hpp"

#include "auth/attempt_budget.hpp"
#include "auth/token.hpp"

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <boost/json/serialize.hpp>
#include <boost/url/parse_query.hpp>

#include <algorithm>

namespace rosterd::api {

namespace {

// A header value is `text` with control characters (CR and LF above all,
// which would start a header of the caller's choosing in the protected
// app's request) made spaces, and its ends trimmed. Written in place: a
// proxy asks /auth before every request it passes.
bool is_control(char c)
{
    return static_cast<unsigned char>(c) < 0x20 || c == 0x7f;
}

// Appends `text` as a header value (or one item of a list value).
void append_value(std::string& out, std::string_view text)
{
    auto const blank = [](char c) { return c == ' ' || is_control(c); };
    while (!text.empty() && blank(text.front()))
        text.remove_prefix(1);
    while (!text.empty() && blank(text.back()))
        text.remove_suffix(1);
    auto const from = out.size();
    out.append(text);
    std::replace_if(out.begin() + static_cast<std::ptrdiff_t>(from), out.end(), is_control, ' ');
}

// Appends a group name as an item of a comma-separated list: as it is when
// it has no comma or quote, else an RFC 9110 quoted-string, so that a group
// named "ops, admins" reads as one group, never two.
void append_list_item(std::string& out, std::string_view name)
{
    auto const from = out.size();
    append_value(out, name);
    if (out.find_first_of(",\"\\", from) == std::string::npos)
        return;
    std::string quoted = "\"";
    for (char c : std::string_view(out).substr(from)) {
        if (c == '"' || c == '\\')
            quoted.push_back('\\');
        quoted.push_back(c);
    }
    out.resize(from);
    out.append(quoted).append("\"");
}

// Appends the line "Name: value\r\n". Answers whether the value is not empty.
bool add_header(std::string& headers, std::string_view name, std::string_view text)
{
    headers.append(name).append(": ");
    auto const from = headers.size();
    append_value(headers, text);
    bool const some = headers.size() > from;
    headers.append("\r\n");
    return some;
}

// Whether `u` is a member (an admin, with `admin`) of a group named `name`.
bool in_group_named(store::directory const& dir, store::user const& u, std::string_view name, bool admin)
{
    for (auto const& m : u.groups()) {
        if (admin && !m.admin)
            continue;
        if (auto const* g = dir.find_group(m.group_id); g && g->name == name)
            return true;
    }
    return false;
}

// The names of `u`'s groups, in the order of their ids.
std::vector<std::string_view> group_names(store::directory const& dir, store::user const& u)
{
    std::vector<std::string_view> names;
    for (auto const& m : u.groups())
        if (auto const* g = dir.find_group(m.group_id))
            names.push_back(g->name);
    return names;
}

// The name a user goes by for another service: userName, else the id.
std::string remote_user(store::user const& u)
{
    if (auto name = u.user_name(); name && !name->empty())
        return std::string(*name);
    return std::to_string(u.id);
}

} // namespace

http::response forward_auth(context& ctx)
{
    auto const& me = *ctx.me;
    // The rules in the query, all of which must hold.
    for (auto const& param : ctx.query) {
        if (param.key == "group" || param.key == "admin") {
            if (param.value.empty())
                return bad_request(param.key + ": name a user group");
            if (!in_group_named(ctx.dir, me, param.value, param.key == "admin"))
                return forbidden(param.key + ": the caller is not " + (param.key == "admin" ? "an admin" : "a member")
                                 + " of that user group");
        } else if (param.key == "superuser") {
            if (param.value != "true")
                return bad_request("superuser: must be true");
            if (!me.super_user)
                return forbidden("superuser: the caller is not a superuser");
        } else {
            return bad_request(param.key + ": unknown query parameter");
        }
    }
    std::string headers;
    headers.reserve(256);
    add_header(headers, "Remote-User", remote_user(me));
    add_header(headers, "Remote-User-Id", std::to_string(me.id));
    if (auto address = me.email_address(); address && !address->empty())
        add_header(headers, "Remote-Email", *address);
    std::string name(me.first_name());
    if (!me.last_name().empty())
        name.append(name.empty() ? "" : " ").append(me.last_name());
    if (auto const before = headers.size(); !add_header(headers, "Remote-Name", name))
        headers.resize(before);
    headers.append("Remote-Groups: ");
    auto const list = headers.size();
    for (auto const group : group_names(ctx.dir, me)) {
        if (headers.size() > list)
            headers.append(", ");
        append_list_item(headers, group);
    }
    headers.append("\r\n");
    http::response res = http::no_content();
    res.code = http::status::ok;
    res.headers = std::move(headers);
    return res;
}

http::response introspect(context& ctx)
{
    auto const& me = *ctx.me;
    if (!me.super_user
        && (ctx.rules.introspect_group.empty() || !in_group_named(ctx.dir, me, ctx.rules.introspect_group, false)))
        return forbidden("only a superuser or a member of the introspection group may introspect tokens");
    // The same reading of a media type as a JSON body's: parameters aside,
    // any case ("application/x-www-form-urlencodedX" is not a form).
    if (!is_json_media_type(ctx.req.content_type, "application/x-www-form-urlencoded"))
        return http::problem(http::status::unsupported_media_type,
                             "Content-Type must be application/x-www-form-urlencoded (RFC 7662)");
    auto const form = boost::urls::parse_query(ctx.req.body);
    if (!form)
        return bad_request("the body is not a form");
    std::optional<std::string> secret;
    for (auto const& param : *form) {
        if (param.key != "token")
            continue; // token_type_hint and extensions: nothing to do with them
        if (secret)
            return bad_request("token: given more than once");
        secret = param.value;
    }
    if (!secret)
        return bad_request("token: missing");
    if (ctx.introspection_budget && !ctx.introspection_budget->allowed(me.id))
        return http::problem(http::status::too_many_requests,
                             "too many tokens that do not work; try again in a few seconds");

    auto const* t = ctx.dir.find_token(auth::hash_token(*secret));
    auto const* owner = t ? ctx.dir.find_user(t->user_id) : nullptr;
    if (!t || (t->expires && *t->expires <= ctx.now) || !owner || !owner->active) {
        if (ctx.introspection_budget)
            ctx.introspection_budget->spend(me.id);
        return http::json(http::status::ok, R"({"active":false})");
    }
    boost::json::object o;
    o["active"] = true;
    o["sub"] = std::to_string(owner->id);
    o["username"] = remote_user(*owner);
    if (auto address = owner->email_address(); address && !address->empty())
        o["email"] = *address;
    boost::json::array groups;
    for (auto const group : group_names(ctx.dir, *owner))
        groups.emplace_back(group);
    o["groups"] = std::move(groups);
    if (t->expires)
        o["exp"] = *t->expires;
    o["iat"] = t->created;
    o["token_type"] = "Bearer";
    return http::json(http::status::ok, boost::json::serialize(o));
}

} // namespace rosterd::api
