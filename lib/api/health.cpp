// GET /healthz, GET /metrics, GET /openapi.json: no authentication.
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

http::response prometheus_metrics(context& ctx)
{
    auto body = ctx.stats.render(ctx.dir);
    body.append(render_store(ctx.log.status()));
    return http::response{http::status::ok, http::media::prometheus, std::move(body), {}, {}, {}, {}, {}};
}

http::response openapi(context&)
{
    return http::response{http::status::ok, http::media::json, std::string(openapi_document()), {}, {}, {}, {}, {}};
}

} // namespace rosterd::api
