#include "api/service.hpp"

#include "api/idempotency.hpp"
#include "api/json_body.hpp"
#include "auth/token.hpp"
#include "log/log.hpp"
#include "scim/protocol.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <openssl/crypto.h>

#include <functional>
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

std::optional<store::record_id> parse_id(std::string_view text) { return store::parse_record_id(text); }

store::actor actor_of(context const& ctx)
{
    auto const& peer = ctx.req.peer;
    auto const v6 = peer.is_v4()
        ? boost::asio::ip::make_address_v6(boost::asio::ip::v4_mapped, peer.to_v4())
        : peer.to_v6();
    return {ctx.who.user_id, ctx.who.token_id, v6.to_bytes()};
}

bool pause_read(context& ctx)
{
    if (!ctx.read_lock)
        return ctx.me != nullptr;
    ctx.read_lock->unlock();
    ctx.read_lock->lock();
    ctx.me = ctx.dir.find_user(ctx.who.user_id);
    return ctx.me && ctx.me->active;
}

store::user const* path_user(context const& ctx)
{
    auto const id = parse_id(ctx.path_id);
    return id ? ctx.dir.find_user(*id) : nullptr;
}

store::group const* path_group(context const& ctx)
{
    auto const id = parse_id(ctx.path_id);
    return id ? ctx.dir.find_group(*id) : nullptr;
}

store::token const* path_token(context const& ctx)
{
    auto const id = parse_id(ctx.path_id);
    return id ? ctx.dir.find_token(*id) : nullptr;
}

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

service::service(store::directory& dir, persist::backend& log, store::clock_fn now,
                 std::span<route const> table)
    : dir_(dir), log_(log), now_(std::move(now)), table_(table), router_(keys_of(table)), metrics_(table),
      rules_{}
{
}

http::awaitable<void> service::handle(http::request const& req, http::response& res) const
{
    auto const start = std::chrono::steady_clock::now();
    request_facts facts{metrics_.unrouted()};
    if (auto const waiting = respond(req, facts, res))
        co_await finish(*waiting, res);
    auto const took = std::chrono::steady_clock::now() - start;
    metrics_.record(facts.route, static_cast<unsigned>(res.code), took);
    // A SCIM client gets SCIM errors, whichever layer refused it.
    if (res.content_type == http::media::problem && scim::is_scim_target(req.target))
        res = scim::from_problem(res);
    if (log::enabled(log::level::info))
        log_access(req, res, facts, took);
}

http::response service::refused(http::request const& req, http::response res) const
{
    request_facts const facts{metrics_.unrouted()};
    metrics_.record(facts.route, static_cast<unsigned>(res.code), {});
    // Under /scim/v2 (when the request line was read), a SCIM error.
    if (scim::is_scim_target(req.target))
        res = scim::from_problem(res);
    if (log::enabled(log::level::info))
        log_access(req, res, facts, {});
    return res;
}

void service::log_access(http::request const& req, http::response const& res, request_facts const& facts,
                         std::chrono::nanoseconds took) const
{
    // The method is a token (the parser admits no spaces or quotes), or
    // nothing when the request line itself was refused.
    auto const status = std::to_string(static_cast<unsigned>(res.code));
    auto const bytes = std::to_string(res.body.size());
    auto const micros = std::to_string(took.count() / 1000);
    auto const caller = facts.caller ? std::to_string(facts.caller) : std::string("-");
    auto const method = req.method_text.empty() ? std::string_view("-") : std::string_view(req.method_text);
    auto const route = facts.route < table_.size() ? table_[facts.route].pattern : std::string_view("-");
    log::field const fields[] = {{"method", method},         {"route", route},
                                 {"status", status, true},   {"bytes", bytes, true},
                                 {"duration_us", micros, true}, {"caller", caller, true},
                                 {"note", res.log_note}};
    log::access(std::span(fields, res.log_note.empty() ? std::size(fields) - 1 : std::size(fields)));
}

namespace {

http::response internal_error(std::string_view what)
{
    log::error("handler failed: " + std::string(what));
    return http::problem(http::status::internal_server_error, "internal error");
}

// Runs a handler, under the lock its route needs; a throw becomes a 500
// (and false, so that a write's changes are undone). A keyed POST's retry
// is answered from what its first run kept (api/idempotency.hpp).
bool run_handler(route const& r, context& ctx, http::response& res, keyed_request const* keyed)
{
    if (r.authenticated && r.lock != locking::none) {
        ctx.me = ctx.dir.find_user(ctx.who.user_id);
        if (!ctx.me || !ctx.me->active) {
            res = unauthorized();
            return true;
        }
    }
    try {
        if (keyed) {
            if (auto kept = kept_answer_for(ctx, *keyed)) {
                res = std::move(*kept);
                return true;
            }
        }
        res = r.handler(ctx);
        if (keyed)
            keep_answer(ctx, *keyed, res);
        return true;
    } catch (std::exception const& e) {
        res = internal_error(e.what());
    } catch (...) {
        res = internal_error("unknown exception");
    }
    return false;
}

} // namespace

struct service::request_state {
    request_state(http::request const& req, route const& r, http::match_result routed,
                  boost::urls::params_view query, service const& s)
        : r(r), match(std::move(routed)),
          ctx{req, match.captured, query, s.dir_, s.now_(), {}, nullptr, s.metrics_, s.log_, s.rules_, s.files_,
              nullptr, std::nullopt}
    {
        ctx.introspection_budget = &s.introspection_budget_;
    }
    request_state(request_state const&) = delete;
    request_state& operator=(request_state const&) = delete;

    bool run(http::response& res) { return run_handler(r, ctx, res, keyed ? &*keyed : nullptr); }

    route const& r;
    http::match_result match; // ctx.path_id is its capture
    context ctx;
    std::optional<keyed_request> keyed;
    std::unique_ptr<parsed_body> body;
};

std::unique_ptr<service::request_state> service::respond(http::request const& req, request_facts& facts,
                                                         http::response& res) const
{
    auto const target = http::parse_target(req.target);
    bool const preflight = req.method == http::verb::options;
    if (!target) {
        res = preflight ? http::no_content() : bad_request("malformed request target");
        return nullptr;
    }
    auto match = router_.match(req.method, target->path);
    using kind = http::match_result::kind;
    if (preflight) {
        res = http::no_content();
        res.allow = match.allow;
        return nullptr;
    }
    if (match.outcome == kind::not_found) {
        res = http::problem(http::status::not_found, "no such resource");
        return nullptr;
    }
    if (match.outcome == kind::method_not_allowed) {
        res = http::problem(http::status::method_not_allowed, "method not allowed on this resource");
        res.allow = match.allow;
        return nullptr;
    }

    facts.route = match.route;
    route const& r = table_[match.route];
    bool const reads = r.method == http::verb::get || r.lock == locking::read;
    if (r.lock == locking::none || r.lock == locking::long_read || (!reads && !log_.in_memory())) {
        auto waiting = std::make_unique<request_state>(req, r, std::move(match), target->query, *this);
        if (!prepare(*waiting, facts, res))
            return nullptr;
        return waiting;
    }
    request_state state(req, r, std::move(match), target->query, *this);
    if (!prepare(state, facts, res))
        return nullptr;
    if (reads) {
        auto lock = dir_.read_lock();
        state.ctx.read_lock = &lock;
        state.run(res);
    } else {
        // In memory, submit() runs the write before it returns. By
        // reference: a std::function holds that without allocating.
        auto work = [&] { return state.run(res); };
        log_.submit(std::ref(work), [](persist::write_outcome) {});
    }
    return nullptr;
}

bool service::prepare(request_state& state, request_facts& facts, http::response& res) const
{
    auto& ctx = state.ctx;
    auto const& r = state.r;
    if (r.authenticated) {
        // A node that cannot tell whether its memory is current (the shared
        // store unreachable for too long) refuses rather than risk honouring
        // a token revoked elsewhere.
        if (auto why = log_.refuse_reads()) {
            res = http::problem(http::status::service_unavailable, *why);
            return false;
        }
        std::optional<caller> who;
        try {
            who = authenticate(ctx.req, ctx.now);
        } catch (std::exception const& e) {
            res = internal_error(e.what());
            return false;
        }
        if (!who) {
            res = unauthorized();
            return false;
        }
        ctx.who = *who;
        facts.caller = who->user_id;
    }
    if (r.method == http::verb::post && r.authenticated && r.lock != locking::read) {
        std::optional<http::response> refusal;
        state.keyed = read_idempotency_key(ctx.req, ctx.who.user_id, refusal);
        if (refusal) {
            res = std::move(*refusal);
            return false;
        }
    }
    // Parsed here, before any lock: the lock covers the work, not the parsing.
    if (r.body != takes_body::no) {
        state.body = std::make_unique<parsed_body>(
            ctx.req, rules_.max_json_depth, r.body == takes_body::scim ? body_media::json_or_scim : body_media::json);
        ctx.body = state.body.get();
    }
    return true;
}

http::awaitable<void> service::finish(request_state& state, http::response& res) const
{
    if (state.r.lock == locking::none) {
        // A long job: on the service's own thread, so that the worker
        // goes on serving its other connections meanwhile.
        co_await boost::asio::co_spawn(long_jobs(), [&]() -> boost::asio::awaitable<void, boost::asio::thread_pool::executor_type> {
            state.run(res);
            co_return;
        }, http::use_awaitable);
    } else if (state.r.lock == locking::long_read) {
        co_await boost::asio::co_spawn(long_jobs(), [&]() -> boost::asio::awaitable<void, boost::asio::thread_pool::executor_type> {
            auto lock = dir_.read_lock();
            state.ctx.read_lock = &lock;
            state.run(res);
            co_return;
        }, http::use_awaitable);
    } else {
        auto work = [&] { return state.run(res); };
        auto const outcome = co_await log_.async_run(std::ref(work), http::use_awaitable);
        if (outcome != persist::write_outcome::made)
            res = http::problem(http::status::service_unavailable, log_.write_failure(outcome));
    }
}

boost::asio::thread_pool& service::long_jobs() const
{
    // Two: one long read cannot hold up another (or a backup) alone.
    std::call_once(long_jobs_started_, [this] { long_jobs_.emplace(2); });
    return *long_jobs_;
}

namespace {

// The hash of `secret`, from the connection's memo when it repeats the last
// one. Compared in constant time: behind a proxy that pools connections,
// the memo may hold another client's secret.
store::token_hash hash_of(std::string_view secret, http::request::token_memo& memo)
{
    if (!secret.empty() && memo.secret.size() == secret.size()
        && CRYPTO_memcmp(memo.secret.data(), secret.data(), secret.size()) == 0)
        return memo.hash;
    memo.hash = auth::hash_token(secret);
    memo.secret.assign(secret);
    return memo.hash;
}

} // namespace

std::optional<caller> service::authenticate(http::request const& req, store::unix_time now) const
{
    if (!req.has_authorization)
        return std::nullopt;
    auto const secret = auth::token_from_authorization(req.authorization);
    if (!secret)
        return std::nullopt;
    auto const hash = hash_of(*secret, req.last_token);

    std::optional<caller> who;
    bool touch = false;
    {
        auto lock = dir_.read_lock();
        auto const* token = dir_.find_token(hash);
        if (!token || (token->expires && *token->expires <= now))
            return std::nullopt;
        if (auto const* owner = dir_.find_user(token->user_id); !owner || !owner->active)
            return std::nullopt;
        who = caller{token->user_id, token->id};
        touch = !token->last_used || *token->last_used < now;
    }
    // lastUsed is best-effort, to the second, and not journaled (snapshots
    // carry it): at most one short write lock per token per second.
    if (touch) {
        auto lock = dir_.write_lock();
        if (auto const* token = dir_.find_token(who->token_id); token && (!token->last_used || *token->last_used < now))
            dir_.apply(store::touch_token{token->id, now});
    }
    return who;
}

} // namespace rosterd::api
