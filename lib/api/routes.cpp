#include "api/handlers.hpp"
#include "api/service.hpp"

#include <array>

namespace rosterd::api {

std::span<route const> routes()
{
    using http::verb;
    static constexpr std::array table{
        route{"/user", verb::get, list_users, true},
        route{"/user", verb::post, create_user, true},
        route{"/user/{id}", verb::get, read_user, true},
        route{"/user/{id}", verb::put, update_user, true},
        route{"/user/{id}", verb::delete_, delete_user, true},
        route{"/user/{id}/history", verb::get, user_history, true},
        route{"/user/{id}/token", verb::get, list_tokens, true},
        route{"/user/{id}/token", verb::post, create_token, true},
        route{"/token/{id}", verb::delete_, delete_token, true},
        route{"/usergroup", verb::get, list_groups, true},
        route{"/usergroup", verb::post, create_group, true},
        route{"/usergroup/{id}", verb::get, read_group, true},
        route{"/usergroup/{id}", verb::delete_, delete_group, true},
        route{"/audit", verb::get, list_audit, true},
        route{"/backup", verb::get, backup, true, locking::none},
        route{"/healthz", verb::get, health, false},
        route{"/metrics", verb::get, prometheus_metrics, false},
        route{"/openapi.json", verb::get, openapi, false},
    };
    return table;
}

} // namespace rosterd::api
