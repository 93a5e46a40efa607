#include "api/handlers.hpp"
#include "api/service.hpp"

#include <array>

namespace rosterd::api {

std::span<route const> routes()
{
    using http::verb;
    static constexpr std::array table{
        route{"/user", verb::post, create_user, true},
        route{"/user/{id}", verb::get, read_user, true},
        route{"/user/{id}", verb::put, update_user, true},
        route{"/user/{id}/token", verb::post, create_token, true},
        route{"/usergroup", verb::post, create_group, true},
        route{"/usergroup/{id}", verb::get, read_group, true},
        route{"/healthz", verb::get, health, false},
    };
    return table;
}

} // namespace rosterd::api
