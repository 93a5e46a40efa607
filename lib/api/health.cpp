// GET /healthz, GET /readyz, GET /metrics, GET /openapi.json: no
// authentication; and
// GET /server, the operator's view, for superusers.
#include "api/handlers.hpp"

#include "api/metrics.hpp"
#include "api/openapi.hpp"

#include <boost/json/serialize.hpp>

namespace rosterd::api {

http::response health(context& ctx)
{
    auto const s = ctx.log.status();
    if (!s.staleness)
        return http::json(http::status::ok, R"({"status":"ok"})");
    // A shared store: "ok" when current, "degraded" while it cannot tell
    // (still answering from memory), "stale" once it refuses (503, so that
    // a load balancer takes the node out).
    boost::json::object o;
    o["status"] = s.refusing ? "stale" : s.current ? "ok" : "degraded";
    o["store"] = s.store;
    o["current"] = s.current;
    o["appliedSeq"] = s.applied_seq;
    o["headSeq"] = s.head_seq;
    o["stalenessMs"] = s.staleness->count();
    return http::json(s.refusing ? http::status::service_unavailable : http::status::ok, boost::json::serialize(o));
}

// Liveness says the process answers; readiness, that a load balancer may
// send it writes: the directory is loaded (the listener opens after), the
// node is current with its store, and writes are accepted.
http::response readiness(context& ctx)
{
    auto const s = ctx.log.status();
    std::string_view reason;
    if (!s.writable)
        reason = "the journal failed to sync: writes are refused until a snapshot and a fresh journal succeed";
    else if (!s.current)
        reason = "not confirmed current with the shared store";
    boost::json::object o;
    o["status"] = reason.empty() ? "ready" : "not ready";
    if (!reason.empty())
        o["reason"] = reason;
    o["store"] = s.store;
    return http::json(reason.empty() ? http::status::ok : http::status::service_unavailable,
                      boost::json::serialize(o));
}

http::response server_info(context& ctx)
{
    if (!ctx.me->super_user)
        return forbidden("only a superuser may see the server's settings");
    auto const s = ctx.log.status();
    boost::json::object o;
    o["version"] = ROSTERD_VERSION;
    o["store"] = s.store;
    o["durability"] = ctx.rules.durability;
    o["current"] = s.current;
    o["users"] = ctx.dir.users().size();
    o["userGroups"] = ctx.dir.groups().size();
    o["tokens"] = ctx.dir.token_count();
    o["superUsers"] = ctx.dir.super_user_count();
    o["auditEvents"] = ctx.dir.audit().size();
    return http::json(http::status::ok, boost::json::serialize(o));
}

http::response prometheus_metrics(context& ctx)
{
    auto body = ctx.stats.render(ctx.dir);
    body.append(render_store(ctx.log.status()));
    return http::response{http::status::ok, http::media::prometheus, std::move(body), {}, {}, {}, {}, {}, {}, {}};
}

http::response openapi(context&)
{
    return http::response{http::status::ok, http::media::json, std::string(openapi_document()), {}, {}, {}, {}, {}, {}, {}};
}

} // namespace rosterd::api
