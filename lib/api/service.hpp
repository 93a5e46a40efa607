#pragma once
// The request handler the sessions call: CORS preflight, routing (404, 405
// with Allow), authentication (401) and the handler itself, whose failures
// end here as a 500 so that one bad request never takes the server down.
//
// Thread safety: handle() may run on many threads at once; the directory's
// lock orders the handlers.

#include "api/context.hpp"
#include "http/router.hpp"
#include "http/session.hpp"
#include "store/time.hpp"

#include <span>

namespace rosterd::api {

// Every route of the API.
std::span<route const> routes();

class service final : public http::request_handler {
public:
    service(store::directory& dir, store::clock_fn now, std::span<route const> table = routes());

    http::response handle(http::request const& req) const override;

private:
    http::response dispatch(http::request const& req) const;
    // The caller behind the request's token; nullopt for a missing, unknown
    // or expired token, or one whose user is gone.
    std::optional<caller> authenticate(http::request const& req, store::unix_time now) const;

    store::directory& dir_;
    store::clock_fn now_;
    std::span<route const> table_;
    http::router router_;
};

} // namespace rosterd::api
