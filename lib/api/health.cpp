// GET /healthz: liveness, no authentication.
#include "api/handlers.hpp"

namespace rosterd::api {

http::response health(context&)
{
    return http::json(http::status::ok, R"({"status":"ok"})");
}

} // namespace rosterd::api
