#pragma once
// The request handler the sessions call: CORS preflight, routing (404, 405
// with Allow), authentication (401), then the handler - a GET under the
// directory's read lock, anything else through the backend (persist/backend.hpp), answered only
// once its change is durable (503 if it could not be persisted). A handler's
// failure ends here as a 500, so one bad request never takes the server down.
//
// Every request is counted in the metrics and logged in logfmt (method,
// route pattern, status, bytes, duration, caller id) - never a token, a
// header or a body.
//
// Thread safety: handle() may run on many threads at once.

#include "api/context.hpp"
#include "api/metrics.hpp"
#include "auth/attempt_budget.hpp"
#include "http/router.hpp"
#include "http/session.hpp"
#include "persist/backend.hpp"
#include "store/time.hpp"

#include <boost/asio/thread_pool.hpp>

#include <memory>
#include <mutex>
#include <optional>
#include <span>

namespace rosterd::api {

// Every route of the API.
std::span<route const> routes();

class service final : public http::request_handler {
public:
    service(store::directory& dir, persist::backend& log, store::clock_fn now,
            std::span<route const> table = routes());

    http::awaitable<void> handle(http::request const& req, http::response& res) const override;

    // The counters behind GET /metrics; the listener adds its connection gauge.
    api::metrics& stats() { return metrics_; }
    void set_rules(api_rules const& rules) { rules_ = rules; }
    // The data directory GET /backup snapshots into; none by default.
    void set_data_dir(persist::data_dir const* files) { files_ = files; }

    http::response refused(http::request const& req, http::response res) const override;

private:
    // What the access log and the metrics say of a request.
    struct request_facts {
        std::size_t route;
        store::record_id caller = 0;
    };
    // A routed request on its way to its handler: what the handler's
    // context refers to.
    struct request_state;
    // The part of answering that does not wait, which is all of it for a
    // read or a write in memory: answers into `res`. A request whose answer
    // must wait (a long job or a long read, on the service's own threads; a
    // write, until it is durable) comes back for finish(). Not a coroutine:
    // its frame would be larger than Asio recycles, a heap allocation on
    // every request, and a proxy asks GET /auth before each one it passes.
    std::unique_ptr<request_state> respond(http::request const& req, request_facts& facts,
                                           http::response& res) const;
    // Authentication, an Idempotency-Key and the body, before any lock:
    // false when `res` is already the answer (401, 400, 503).
    bool prepare(request_state& state, request_facts& facts, http::response& res) const;
    http::awaitable<void> finish(request_state& state, http::response& res) const;
    // The caller behind the request's token; nullopt for a missing, unknown
    // or expired token, or one whose user is gone.
    std::optional<caller> authenticate(http::request const& req, store::unix_time now) const;
    void log_access(http::request const& req, http::response const& res, request_facts const& facts,
                    std::chrono::nanoseconds took) const;

    store::directory& dir_;
    persist::backend& log_;
    store::clock_fn now_;
    std::span<route const> table_;
    http::router router_;
    mutable api::metrics metrics_;
    api_rules rules_;
    // Failed introspections: 100 at once, then 10 a second, per caller.
    mutable auth::attempt_budget introspection_budget_{100, 10};
    persist::data_dir const* files_ = nullptr;
    // One thread for long jobs (a backup), off the workers' threads; started
    // by the first such job, so that a service that never has one (most
    // tests, every fuzz input) starts no thread.
    boost::asio::thread_pool& long_jobs() const;
    mutable std::once_flag long_jobs_started_;
    mutable std::optional<boost::asio::thread_pool> long_jobs_;
};

} // namespace rosterd::api
