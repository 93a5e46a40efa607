#include "api/service.hpp"

#include "auth/token.hpp"
#include "log/log.hpp"

#include <boost/url/parse.hpp>

#include <charconv>
#include <vector>

namespace rosterd::api {

namespace {

std::vector<http::route_key> keys_of(std::span<route const> table)
{
    std::vector<http::route_key> keys;
    keys.reserve(table.size());
    for (auto const& r : table)
        keys.push_back(http::route_key{r.pattern, r.method});
    return keys;
}

} // namespace

std::optional<store::record_id> parse_id(std::string_view text)
{
    store::record_id id = 0;
    auto const [end, ec] = std::from_chars(text.data(), text.data() + text.size(), id);
    constexpr store::record_id max_id = std::numeric_limits<std::int64_t>::max();
    if (text.empty() || ec != std::errc{} || end != text.data() + text.size() || id == 0 || id > max_id)
        return std::nullopt;
    return id;
}

void commit(context& ctx, store::change const& c) { ctx.dir.apply(c); }

store::user const* caller_user(context const& ctx) { return ctx.dir.find_user(ctx.who.user_id); }

http::response unauthorized()
{
    return http::problem(http::status::unauthorized, "missing, unknown, revoked or expired token");
}

http::response not_found(std::string_view what, std::string_view id)
{
    return http::problem(http::status::not_found, std::string(what) + " " + std::string(id) + " not found");
}

http::response forbidden(std::string_view detail) { return http::problem(http::status::forbidden, detail); }

http::response bad_request(std::string_view detail) { return http::problem(http::status::bad_request, detail); }

http::response created(std::string_view collection, store::record_id id)
{
    auto res = http::json(http::status::created, std::to_string(id));
    res.location = std::string(collection) + "/" + res.body;
    return res;
}

service::service(store::directory& dir, store::clock_fn now, std::span<route const> table)
    : dir_(dir), now_(std::move(now)), table_(table), router_(keys_of(table)), metrics_(table)
{
}

http::response service::handle(http::request const& req) const
{
    auto const start = std::chrono::steady_clock::now();
    request_facts facts{metrics_.unrouted()};
    http::response res = [&] {
        try {
            return dispatch(req, facts);
        } catch (std::exception const& e) {
            log::error(std::string("handler failed: ") + e.what());
        } catch (...) {
            log::error("handler failed: unknown exception");
        }
        return http::problem(http::status::internal_server_error, "internal error");
    }();
    auto const took = std::chrono::steady_clock::now() - start;
    metrics_.record(facts.route, static_cast<unsigned>(res.code), took);
    if (log::enabled(log::level::info))
        log_access(req, res, facts, took);
    return res;
}

void service::log_access(http::request const& req, http::response const& res, request_facts const& facts,
                         std::chrono::nanoseconds took) const
{
    std::string line = "method=";
    line.append(req.method_string()); // a token: the parser admits no spaces or quotes
    line.append(" route=").append(facts.route < table_.size() ? table_[facts.route].pattern : "-");
    line.append(" status=").append(std::to_string(static_cast<unsigned>(res.code)));
    line.append(" bytes=").append(std::to_string(res.body.size()));
    line.append(" duration_us=").append(std::to_string(took.count() / 1000));
    line.append(" caller=").append(facts.caller ? std::to_string(facts.caller) : "-");
    log::access(line);
}

http::response service::dispatch(http::request const& req, request_facts& facts) const
{
    auto const target = boost::urls::parse_origin_form(req.target());
    bool const preflight = req.method() == http::verb::options;
    if (!target) {
        if (preflight)
            return http::no_content();
        return bad_request("malformed request target");
    }
    auto match = router_.match(req.method(), target->segments());
    using kind = http::match_result::kind;
    if (preflight) {
        auto res = http::no_content();
        res.allow = match.allow;
        return res;
    }
    if (match.outcome == kind::not_found)
        return http::problem(http::status::not_found, "no such resource");
    if (match.outcome == kind::method_not_allowed) {
        auto res = http::problem(http::status::method_not_allowed, "method not allowed on this resource");
        res.allow = match.allow;
        return res;
    }

    facts.route = match.route;
    route const& r = table_[match.route];
    auto const now = now_();
    context ctx{req, match.captured, target->params(), dir_, now, {}, metrics_};
    if (r.authenticated) {
        auto who = authenticate(req, now);
        if (!who)
            return unauthorized();
        ctx.who = *who;
        facts.caller = who->user_id;
    }
    return r.handler(ctx);
}

std::optional<caller> service::authenticate(http::request const& req, store::unix_time now) const
{
    auto const header = req.find(boost::beast::http::field::authorization);
    if (header == req.end())
        return std::nullopt;
    auto const secret = auth::token_from_authorization(header->value());
    if (!secret)
        return std::nullopt;
    auto const hash = auth::hash_token(*secret);

    auto lock = dir_.write_lock();
    auto const* token = dir_.find_token(hash);
    if (!token || (token->expires && *token->expires <= now) || !dir_.find_user(token->user_id))
        return std::nullopt;
    caller who{token->user_id, token->id};
    // Best-effort, to the second: at most one touch per token per second.
    if (!token->last_used || *token->last_used < now)
        dir_.apply(store::touch_token{token->id, now});
    return who;
}

} // namespace rosterd::api
