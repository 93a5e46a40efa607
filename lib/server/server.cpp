#include "server/server.hpp"

#include "server/data_commands.hpp"

#include "api/service.hpp"
#include "auth/bootstrap.hpp"
#include "auth/token.hpp"
#include "config/reload.hpp"
#include "http/listener.hpp"
#include "http/tls.hpp"
#include "http/workers.hpp"
#include "log/log.hpp"
#include "persist/local/committer.hpp"
#include "persist/data_dir.hpp"
#include "persist/pg/postgres_backend.hpp"
#include "persist/local/recovery.hpp"
#include "scim/protocol.hpp"
#include "store/operator_access.hpp"
#include "store/reaper.hpp"
#include "store/time.hpp"
#include "system/descriptors.hpp"
#include "system/notify.hpp"

#include <boost/asio/post.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/ssl/context.hpp>

#include <algorithm>
#include <optional>
#include <sstream>

namespace rosterd::server {

namespace {

// Descriptors beside the connections: listener, journal, snapshot, log, ...
constexpr std::size_t spare_descriptors = 64;
// How often users past their removeAt are looked for.
constexpr std::chrono::seconds reap_interval{60};

// Start-up warnings about what the operator gave or left behind.
void warn_about_access(store::directory const& dir, std::optional<std::string> const& given_token, bool bootstrapped)
{
    auto lock = dir.read_lock();
    if (given_token && !bootstrapped && !dir.find_token(auth::hash_token(*given_token)))
        log::warn("--bootstrap-token is ignored: this data directory was set up before, and the token given is "
                  "none of its tokens");
    switch (store::operator_access_of(dir, store::system_now())) {
    case store::operator_access::none:
        log::warn("no superuser holds a token that works; run 'rosterd recover' with the server stopped");
        break;
    case store::operator_access::expiring:
        log::warn("every superuser token expires; create one without expiresIn, or use 'rosterd recover' later");
        break;
    case store::operator_access::lasting:
        break;
    }
}

std::shared_ptr<boost::asio::ssl::context> tls_of(config::options const& opts)
{
    if (!opts.tls_cert)
        return nullptr;
    try {
        return http::make_tls_context(*opts.tls_cert, *opts.tls_key);
    } catch (std::exception const& e) {
        throw start_error(exit_bad_input, e.what());
    }
}

// SCIM Bulk's bodies, larger than --max-body: four at a time.
http::session_limits session_limits_of(config::options const& opts, std::atomic<unsigned>* large_bodies)
{
    return {opts.max_header,
            opts.max_body,
            opts.idle_timeout,
            opts.request_timeout,
            scim::bulk_request_line,
            std::max(opts.max_body, scim::bulk_max_payload),
            4,
            large_bodies};
}


persist::pg::settings shared_store_settings(config::options const& opts)
{
    persist::pg::settings s;
    s.uri = *opts.store_uri;
    s.commit_timeout = opts.commit_timeout;
    s.max_staleness = opts.max_staleness;
    s.keep_changes = opts.log_keep_changes;
    s.keep_age = opts.log_keep_age;
    s.trim_interval = opts.log_trim_interval;
    s.token_use_interval = opts.last_used_interval;
    return s;
}

} // namespace

// Members in the order they are built; they are torn down in reverse.
struct server::parts {
    explicit parts(config::options const& o) : opts(o), tls(tls_of(o)), files(o.data_dir) {}

    config::options opts; // as the server started: a reload changes what it applies, not these
    std::shared_ptr<boost::asio::ssl::context> tls;
    persist::data_dir files;
    store::directory dir;
    persist::recovered start;
    // One of these, chosen by --store; `log` is the one in use.
    std::optional<persist::committer> committer;
    std::optional<persist::pg::postgres_backend> shared;
    persist::backend* log = nullptr;
    std::optional<api::service> service;
    std::optional<http::workers> pool;
    std::optional<http::listener> listener;
    std::optional<store::reaper> reaper;
    std::optional<boost::asio::signal_set> signals;
    std::optional<boost::asio::signal_set> hangups;
    std::atomic<unsigned> large_bodies{0}; // session_limits::large_bodies_in_flight
    std::function<config::parsed()> reread;
    std::map<std::string, std::string> texts; // of the configuration in use

    void load();
    void begin_stopping(std::string const& why);
    void await_hangup();
    void reload();
};

void server::parts::load()
{
    try {
        files.lock();
        if (opts.store_uri) {
            shared.emplace(dir, shared_store_settings(opts));
            log::info("loaded " + sizes_of(dir) + " from PostgreSQL at change " +
                      std::to_string(shared->status().applied_seq));
        } else if (opts.durability != persist::durability::memory) {
            start = persist::recover(files, dir, persist::system_io());
            log::info("loaded " + sizes_of(dir) + " (" + std::to_string(start.replayed) +
                      " journal records replayed)");
        }
        for (auto const& [first, second] : dir.name_collisions())
            log::warn("users " + std::to_string(first) + " and " + std::to_string(second) + " have userNames that "
                      "are one name by RFC 8265 (case, width, normalization): lookups by it find user " +
                      std::to_string(first) + "; give one of them another userName");
    } catch (persist::corruption_error const& e) {
        throw start_error(exit_bad_input, std::string(e.what()) + "; " + persist::damage_advice(e, files));
    } catch (persist::pg::error const& e) {
        throw start_error(exit_failure, std::string("the PostgreSQL store: ") + e.what());
    } catch (std::exception const& e) {
        throw start_error(exit_failure, e.what());
    }
}

void server::parts::begin_stopping(std::string const& why)
{
    log::info(why + ": finishing requests in hand, then exiting");
    system::notify("STOPPING=1");
    listener->stop();
    reaper->stop();
    boost::system::error_code ignored;
    signals->cancel(ignored);
    hangups->cancel(ignored);
}

void server::parts::await_hangup()
{
    hangups->async_wait([this](boost::system::error_code ec, int) {
        if (ec)
            return;
        reload();
        await_hangup();
    });
}

void server::parts::reload()
{
    if (!reread) {
        log::warn("SIGHUP: this server was started without a way to re-read its options; nothing changed");
        return;
    }
    system::notify("RELOADING=1");
    struct ready_again {
        ~ready_again() { system::notify("READY=1"); }
    } notify_when_done;
    config::parsed next;
    std::shared_ptr<boost::asio::ssl::context> next_tls;
    try {
        next = reread();
        next_tls = tls_of(next.opts); // a key that does not fit its certificate is refused here
    } catch (config::option_error const& e) {
        log::error("reload refused, the configuration in use stays: " + config::joined(e.problems));
        return;
    } catch (std::exception const& e) {
        log::error(std::string("reload refused, the configuration in use stays: ") + e.what());
        return;
    }
    auto const changes = config::compare(texts, std::move(next.texts));
    // What config::applies_live names, applied; the rest of next.opts is
    // left unused until a restart.
    log::set_level(next.opts.log_level);
    log::set_format(next.opts.log_format);
    tls = next_tls;
    listener->reload(session_limits_of(next.opts, &large_bodies), next.opts.max_connections, tls);
    texts = changes.in_use;
    for (auto const& warning : next.warnings)
        log::warn(warning);

    std::string line = "reloaded the configuration: ";
    line += changes.applied.empty() ? "no option that applies live changed"
                                    : "applied " + config::joined(changes.applied);
    if (tls)
        line += "; TLS certificate and key read anew";
    // Whatever the log level: the operator asked, and this is the answer.
    log::write(log::level::info, line + "; open connections keep the limits they began with");
    if (!changes.waiting.empty())
        log::warn("changed in the configuration but kept until a restart: " + config::joined(changes.waiting));
}

server::server(config::options const& opts) : parts_(std::make_unique<parts>(opts))
{
    auto& p = *parts_;
    p.load();
    try {
        if (p.shared) {
            p.log = &*p.shared;
        } else {
            p.committer.emplace(p.dir, &p.files, persist::system_io(),
                                persist::commit_settings{opts.durability, opts.snapshot_after}, p.start);
            p.log = &*p.committer;
        }
        auto& log = *p.log;
        log.start();
        bool const bootstrapped = auth::bootstrap(p.dir, log, p.files, opts.bootstrap_token, store::system_now());
        // Every node of a shared store says where the first token is.
        if (bootstrapped && !opts.bootstrap_token)
            log::info("created superuser 1; its token is in " + p.files.bootstrap_token().string());
        else if (bootstrapped)
            log::info("created superuser 1 with the token given by --bootstrap-token");
        else if (p.shared)
            log::info("superuser 1 was created before, by the first node to start on this store: its token is the "
                      "--bootstrap-token that node was given, or in that node's <data-dir>/bootstrap-token");
        warn_about_access(p.dir, opts.bootstrap_token, bootstrapped);
        if (opts.durability == persist::durability::memory && !p.shared)
            log::warn("durability=memory: nothing is written to disk; the directory is lost at exit");

        auto const descriptors = system::raise_descriptor_limit(opts.max_connections + spare_descriptors);
        if (descriptors < opts.max_connections + spare_descriptors)
            log::warn("--max-connections " + std::to_string(opts.max_connections) + " needs more file descriptors "
                      "than the hard limit of " + std::to_string(descriptors) + " allows; raise LimitNOFILE");

        p.service.emplace(p.dir, log, store::system_now);
        p.service->set_rules({opts.max_json_depth, opts.max_tokens_per_user, opts.allow_self_verify, opts.phone_region,
                              opts.console, opts.introspect_group, persist::to_string(opts.durability)});
        p.service->set_data_dir(&p.files);
        p.pool.emplace(opts.threads);
        p.listener.emplace(*p.pool, opts.listen, *p.service, session_limits_of(opts, &p.large_bodies),
                           http::connection_limits{opts.max_connections, opts.max_connections_per_ip}, p.tls);
        p.service->stats().set_connection_gauge([&l = *p.listener] { return l.open_connections(); });
        if (p.committer)
            p.service->stats().set_journal_counters([&committer = *p.committer] {
                return std::pair{committer.syncs(), committer.records_written()};
            });
        p.reaper.emplace(
            p.pool->at(0).get_executor(), p.dir, store::system_now,
            [&log, &dir = p.dir](std::function<void(store::change_sink const&)> work) {
                log.submit([&log, &dir, work = std::move(work)] {
                    work([&log, &dir](store::change const& c) {
                        log.record_audited(dir, c, store::actor{}, store::system_now());
                        return true;
                    });
                    return true;
                }, [](persist::write_outcome) {});
            },
            reap_interval, opts.audit);
        p.signals.emplace(p.pool->at(0), SIGINT, SIGTERM);
        p.hangups.emplace(p.pool->at(0), SIGHUP);
    } catch (start_error const&) {
        throw;
    } catch (std::exception const& e) {
        throw start_error(exit_failure, e.what());
    }
}

server::~server()
{
    // A server that never ran still owns a started backend.
    if (parts_->log)
        parts_->log->stop();
}

boost::asio::ip::tcp::endpoint server::local_endpoint() const { return parts_->listener->local_endpoint(); }

void server::reload_with(std::function<config::parsed()> reread, std::map<std::string, std::string> texts)
{
    parts_->reread = std::move(reread);
    parts_->texts = std::move(texts);
}

void server::stop()
{
    boost::asio::post(parts_->pool->at(0), [&p = *parts_] { p.begin_stopping("asked to stop"); });
}

int server::run()
{
    auto& p = *parts_;
    p.listener->start();
    p.reaper->start();
    p.signals->async_wait([&p](boost::system::error_code ec, int signal) {
        if (!ec)
            p.begin_stopping("signal " + std::to_string(signal));
    });
    p.await_hangup();

    std::ostringstream where;
    where << p.listener->local_endpoint();
    log::info("listening on " + where.str() + (p.tls ? " (TLS)" : ""));
    system::notify("READY=1\nSTATUS=listening on " + where.str());

    p.pool->run();
    bool const flushed = p.log->stop();
    log::info(flushed ? "stopped" : "stopped, but the final snapshot failed (the journal is kept)");
    return flushed ? exit_ok : exit_failure;
}

} // namespace rosterd::server
