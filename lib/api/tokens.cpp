// POST /user/{id}/token, GET /user/{id}/token, DELETE /token/{id}
#include "api/handlers.hpp"

#include "api/json_body.hpp"
#include "api/paging.hpp"
#include "api/user_patch.hpp"
#include "auth/rights.hpp"
#include "auth/token.hpp"
#include "store/operator_access.hpp"
#include "store/time.hpp"

#include <boost/json/array.hpp>
#include <boost/json/serialize.hpp>

namespace rosterd::api {

namespace {

inline constexpr std::int64_t max_expires_in = 10 * 365 * store::seconds_per_day;

struct token_request {
    std::string description;
    std::optional<std::int64_t> expires_in;
};

// {"description": string (≤ 255 characters), "expiresIn": seconds, 1 to 10 years}
std::optional<http::response> parse_token_request(context const& ctx, token_request& out)
{
    if (ctx.body->error())
        return ctx.body->error();
    for (auto const& [key, value] : ctx.body->object()) {
        if (key == "description") {
            if (!value.is_string())
                return bad_request("description: must be a string");
            if (count_code_points(value.get_string()) > limits::name_chars)
                return bad_request("description: longer than 255 characters");
            if (has_control_character(value.get_string()))
                return bad_request("description: contains a control character");
            out.description = value.get_string();
        } else if (key == "expiresIn") {
            auto const seconds = positive_integer(value);
            if (!seconds || *seconds > static_cast<std::uint64_t>(max_expires_in))
                return bad_request("expiresIn: must be a number of seconds from 1 to 10 years");
            out.expires_in = static_cast<std::int64_t>(*seconds);
        } else {
            return bad_request(std::string(key) + ": unknown field");
        }
    }
    return std::nullopt;
}

} // namespace

http::response create_token(context& ctx)
{
    token_request wanted;
    auto const malformed = parse_token_request(ctx, wanted);

    auto const* me = ctx.me;
    auto const* owner = path_user(ctx);
    if (!owner)
        return not_found("user", ctx.path_id);
    if (malformed)
        return *malformed;
    if (!auth::may_manage_tokens(*me, *owner))
        return forbidden("the caller may not manage the tokens of user " + ctx.path_id);
    if (ctx.dir.tokens_of(owner->id).size() >= ctx.rules.max_tokens_per_user)
        return http::problem(http::status::conflict,
                             "user " + ctx.path_id + " already holds " + std::to_string(ctx.rules.max_tokens_per_user) +
                                 " tokens, the most allowed (--max-tokens-per-user); revoke one first");

    auto secret = auth::generate_token();
    store::token t;
    t.id = ctx.dir.next_token_id();
    t.user_id = owner->id;
    t.hash = auth::hash_token(secret);
    t.description = std::move(wanted.description);
    t.created = ctx.now;
    if (wanted.expires_in)
        t.expires = ctx.now + *wanted.expires_in;
    commit(ctx, store::put_token{t});
    ctx.retry_answer = http::problem(
        http::status::conflict,
        "token " + std::to_string(t.id) + " was made by the first request with this Idempotency-Key; its secret "
        "was shown only in that answer and is kept nowhere: if it was lost, revoke the token (DELETE /token/" +
            std::to_string(t.id) + ") and make another with a new key");

    return http::json(http::status::created,
                      boost::json::serialize(boost::json::object{{"id", t.id}, {"token", secret}}));
}

} // namespace rosterd::api

namespace rosterd::api {

namespace {

boost::json::value time_or_null(std::optional<store::unix_time> t)
{
    if (!t)
        return nullptr;
    return boost::json::value(store::format_rfc3339(*t));
}

} // namespace

http::response list_tokens(context& ctx)
{
    list_query q;
    auto const malformed = parse_list_query(ctx.query, {}, q);
    auto const* me = ctx.me;
    auto const* owner = path_user(ctx);
    if (!owner)
        return not_found("user", ctx.path_id);
    if (malformed)
        return *malformed;
    if (!auth::may_manage_tokens(*me, *owner))
        return forbidden("the caller may not manage the tokens of user " + ctx.path_id);
    boost::json::array out;
    auto const& ids = ctx.dir.tokens_of(owner->id);
    auto const first = ids.begin() + static_cast<std::ptrdiff_t>(std::min(q.offset, ids.size()));
    auto const last = first + static_cast<std::ptrdiff_t>(std::min<std::size_t>(q.limit, ids.end() - first));
    for (auto it = first; it != last; ++it) {
        auto const& t = *ctx.dir.find_token(*it);
        out.push_back(boost::json::object{
            {"id", t.id},
            {"description", t.description.view()},
            {"created", store::format_rfc3339(t.created)},
            {"expires", time_or_null(t.expires)},
            {"lastUsed", time_or_null(t.last_used)},
        });
    }
    return http::json(http::status::ok, boost::json::serialize(out));
}

http::response delete_token(context& ctx)
{
    auto const* me = ctx.me;
    auto const* t = path_token(ctx);
    if (!t)
        return not_found("token", ctx.path_id);
    // An owner can only be missing in a hand-made data directory: then
    // only a superuser may act on the token.
    auto const* owner = ctx.dir.find_user(t->user_id);
    if (owner ? !auth::may_manage_tokens(*me, *owner) : !me->super_user)
        return forbidden("the caller may not revoke token " + ctx.path_id);
    auto const id = t->id; // t goes with the change
    if (store::would_lock_out(ctx.dir, ctx.now, {.token = id}))
        return forbidden("revoking token " + ctx.path_id + " would leave no superuser with a token that works "
                         "(and never expires); create another superuser token first");
    commit(ctx, store::remove_token{id});
    return http::json(http::status::ok, std::to_string(id));
}

} // namespace rosterd::api
