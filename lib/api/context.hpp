#pragma once
// What a handler is given, and the helpers every handler shares. A handler
// is a plain function of this context to a response. It follows the spec's
// order: (authenticated already) load, parse, authorize, apply; and builds
// every error through http::problem().
//
// Handlers take no locks: the service runs a GET handler under the
// directory's read lock and any other under its write lock, inside the
// backend's batch, so a handler's checks and its change see one state.

#include "api/json_body.hpp"
#include "http/request.hpp"
#include "http/response.hpp"
#include "persist/backend.hpp"
#include "persist/data_dir.hpp"
#include "store/directory.hpp"

#include <boost/url/params_view.hpp>

#include <optional>
#include <string>
#include <string_view>

namespace rosterd::auth {
class attempt_budget;
}

namespace rosterd::api {

struct caller {
    store::record_id user_id = 0;
    store::record_id token_id = 0;
};

class metrics;

// The operator's rules for the API, from the options; the same for every request.
struct api_rules {
    static constexpr std::size_t default_max_tokens_per_user = 100;

    std::size_t max_json_depth = default_max_json_depth;
    std::size_t max_tokens_per_user = default_max_tokens_per_user;
    bool allow_self_verify = false;   // may a user verify their own phone and e-mail?
    std::string phone_region;         // for national phone numbers through SCIM (--phone-region)
    bool console = true;              // the web console is served at /ui/ (--console)
    std::string introspect_group;     // its members may introspect tokens (--introspect-group)
    std::string_view durability;      // for the operator: strict, relaxed or memory
};

struct context {
    http::request const& req;
    std::string const& path_id;   // the route's "{id}" segment, as sent
    boost::urls::params_view query;
    store::directory& dir;
    store::unix_time now;
    caller who;                   // set when the route is authenticated
    // The calling user, looked up under the lock the handler runs under
    // (the service answers 401 itself if they were deleted since).
    store::user const* me = nullptr;
    metrics const& stats;
    persist::backend& log;
    api_rules const& rules;
    // The data directory, for a backup; null when there is none (tests).
    persist::data_dir const* files = nullptr;
    // The read lock a GET's handler runs under; null otherwise.
    std::shared_lock<store::rw_lock>* read_lock = nullptr;
    // What a retry with this POST's Idempotency-Key gets, when not the
    // answer itself (api/idempotency.hpp): a token's secret is shown once.
    std::optional<http::response> retry_answer = std::nullopt;
    // The request's body, parsed before any lock was taken: set for the
    // routes that take one (route::body), else null.
    parsed_body* body = nullptr;
    // What a caller of POST /introspect has left of failed attempts; null
    // when there is no limit (tests).
    auth::attempt_budget* introspection_budget = nullptr;
};

// For a long read, every few thousand records: lets the writers waiting
// for the directory in (and the readers queued behind them), then takes
// the read lock again and looks the caller up anew. False when the caller
// is gone or deactivated meanwhile. Any pointer into the directory from
// before is stale after it: resume by id.
bool pause_read(context& ctx);
// How many records a long read handles between pauses.
inline constexpr std::size_t records_between_pauses = 4096;

using handler_fn = http::response (*)(context&);

// How the service runs a handler: a GET under the directory's read lock and
// any other method through the backend, under its write lock; a long read
// (a list that may walk the whole directory) under the read lock too, but
// off the connections' threads, so that it may take long without holding
// up their other requests, and free to pause_read(); or, for a long job (a
// backup), on a thread of its own with no lock, taking what it needs
// itself (ctx.me is then null).
// `read`: under the read lock whatever the method (a POST that only reads,
// such as POST /introspect).
enum class locking { by_method, long_read, none, read };

// Whether a route takes a JSON body, which the service then parses before
// it takes any lock (context::body): SCIM's may also be application/scim+json.
enum class takes_body { no, json, scim };

struct route {
    std::string_view pattern;
    http::verb method;
    handler_fn handler;
    bool authenticated;
    locking lock = locking::by_method;
    takes_body body = takes_body::no;
};

// Who makes this request's changes, for the audit trail.
store::actor actor_of(context const& ctx);

// Makes `c` part of the directory, through the journal, with the audit
// event that says who made it: the one way a handler changes state.
inline void commit(context& ctx, store::change c)
{
    ctx.log.record_audited(ctx.dir, std::move(c), actor_of(ctx), ctx.now);
}

// An id: decimal digits without a leading zero naming a positive 63-bit
// integer; nullopt otherwise.
std::optional<store::record_id> parse_id(std::string_view text);

// The record the path's "{id}" names; null when there is none (an id that
// is not a positive number names nothing).
store::user const* path_user(context const& ctx);
store::group const* path_group(context const& ctx);
store::token const* path_token(context const& ctx);

http::response unauthorized();
http::response not_found(std::string_view what, std::string_view id);
http::response forbidden(std::string_view detail);
http::response bad_request(std::string_view detail);
http::response created(std::string_view collection, store::record_id id);

} // namespace rosterd::api
