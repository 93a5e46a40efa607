// GET /healthz, GET /metrics, GET /openapi.json: no authentication.
#include "api/handlers.hpp"

#include "api/metrics.hpp"
#include "api/openapi.hpp"

namespace rosterd::api {

http::response health(context&)
{
    return http::json(http::status::ok, R"({"status":"ok"})");
}

http::response prometheus_metrics(context& ctx)
{
    return http::response{http::status::ok, http::media::prometheus, ctx.stats.render(ctx.dir), {}, {}, {}};
}

http::response openapi(context&)
{
    return http::response{http::status::ok, http::media::json, std::string(openapi_document()), {}, {}, {}};
}

} // namespace rosterd::api
