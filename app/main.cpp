// rosterd: options → data directory → serve → wait for a signal.
#include "api/service.hpp"
#include "auth/bootstrap.hpp"
#include "auth/recover.hpp"
#include "auth/token.hpp"
#include "config/options.hpp"
#include "http/listener.hpp"
#include "http/tls.hpp"
#include "http/workers.hpp"
#include "log/log.hpp"
#include "persist/committer.hpp"
#include "persist/data_dir.hpp"
#include "persist/journal_reader.hpp"
#include "persist/recovery.hpp"
#include "store/operator_access.hpp"
#include "store/reaper.hpp"
#include "store/time.hpp"
#include "system/descriptors.hpp"
#include "system/notify.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>

#include <algorithm>
#include <iostream>
#include <sstream>
#include <vector>

extern char** environ;

namespace {

constexpr int exit_bad_option = 2;
constexpr int exit_bad_data = 2;
constexpr int exit_failure = 1;
// Descriptors beside the connections: listener, journal, snapshot, log, ...
constexpr std::size_t spare_descriptors = 64;
// How often users past their removeAt are looked for.
constexpr std::chrono::seconds reap_interval{60};

std::vector<std::string> environment()
{
    std::vector<std::string> env;
    for (char** e = environ; e && *e; ++e)
        env.emplace_back(*e);
    return env;
}

int recover(rosterd::config::options const& opts)
{
    using namespace rosterd;
    try {
        persist::data_dir files(opts.data_dir);
        auto const done = auth::recover_access(files, opts.recover_user, store::system_now());
        std::cout << "rosterd: token " << done.token_id << " made for superuser " << opts.recover_user
                  << "; its secret is in " << done.token_file.string() << "\n";
        return 0;
    } catch (persist::corruption_error const& e) {
        std::cerr << "rosterd: " << e.what() << "\n";
        return exit_bad_data;
    } catch (std::exception const& e) {
        std::cerr << "rosterd: " << e.what() << "\n";
        return exit_failure;
    }
}

// Start-up warnings about what the operator gave or left behind.
void warn_about_access(rosterd::store::directory const& dir, std::optional<std::string> const& given_token,
                       bool bootstrapped)
{
    using namespace rosterd;
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

} // namespace

int main(int argc, char** argv)
{
    using namespace rosterd;
    config::parsed cli;
    try {
        cli = config::parse(argc, argv, environment());
    } catch (config::option_error const& e) {
        // A start stops at one line; --check-config lists every problem.
        bool const checking = std::find(argv, argv + argc, std::string_view("--check-config")) != argv + argc;
        for (auto const& line : e.problems) {
            std::cerr << "rosterd: " << line << "\n";
            if (!checking)
                break;
        }
        return exit_bad_option;
    }
    if (cli.what == config::action::check_config) {
        std::cout << "rosterd: configuration is valid\n";
        return 0;
    }
    if (cli.what == config::action::help) {
        std::cout << cli.help_text;
        return 0;
    }
    if (cli.what == config::action::version) {
        std::cout << "rosterd " << ROSTERD_VERSION << "\n";
        return 0;
    }
    auto const& opts = cli.opts;
    log::set_level(opts.log_level);
    if (cli.what == config::action::recover)
        return recover(opts);

    std::unique_ptr<boost::asio::ssl::context> tls;
    if (opts.tls_cert) {
        try {
            tls = http::make_tls_context(*opts.tls_cert, *opts.tls_key);
        } catch (std::exception const& e) {
            std::cerr << "rosterd: " << e.what() << "\n";
            return exit_bad_option;
        }
    }
    persist::data_dir files(opts.data_dir);
    store::directory dir;
    persist::recovered start;
    try {
        files.lock();
        if (opts.durability != persist::durability::memory) {
            start = persist::recover(files, dir, persist::system_io());
            log::info("loaded " + std::to_string(dir.users().size()) + " users, " +
                      std::to_string(dir.groups().size()) + " groups, " + std::to_string(dir.token_count()) +
                      " tokens (" + std::to_string(start.replayed) + " journal records replayed)");
        }
    } catch (persist::corruption_error const& e) {
        log::error(std::string(e.what()) + "; the data directory is damaged: restore it from a backup, or move "
                   "the named file away to start from what remains");
        return exit_bad_data;
    } catch (std::exception const& e) {
        log::error(e.what());
        return exit_failure;
    }

    try {
        persist::committer committer(dir, &files, persist::system_io(),
                                     {opts.durability, opts.snapshot_after}, start);
        committer.start();
        bool const bootstrapped = auth::bootstrap(dir, committer, files, opts.bootstrap_token, store::system_now());
        if (bootstrapped && !opts.bootstrap_token)
            log::info("created superuser 1; its token is in " + files.bootstrap_token().string());
        warn_about_access(dir, opts.bootstrap_token, bootstrapped);
        if (opts.durability == persist::durability::memory)
            log::warn("durability=memory: nothing is written to disk; the directory is lost at exit");

        auto const descriptors = system::raise_descriptor_limit(opts.max_connections + spare_descriptors);
        if (descriptors < opts.max_connections + spare_descriptors)
            log::warn("--max-connections " + std::to_string(opts.max_connections) + " needs more file descriptors "
                      "than the hard limit of " + std::to_string(descriptors) + " allows; raise LimitNOFILE");

        api::service service(dir, committer, store::system_now);
        http::workers pool(opts.threads);
        service.set_rules({opts.max_json_depth, opts.max_tokens_per_user, opts.allow_self_verify});
        http::session_limits const limits{opts.max_header, opts.max_body, opts.idle_timeout, opts.request_timeout};
        http::listener server(pool, opts.listen, service, limits, {opts.max_connections, opts.max_connections_per_ip},
                              tls.get());
        service.stats().set_connection_gauge([&server] { return server.open_connections(); });
        service.stats().set_journal_counters([&committer] {
            return std::pair{committer.syncs(), committer.records_written()};
        });
        server.start();

        store::reaper reaper(
            pool.at(0).get_executor(), dir, store::system_now,
            [&committer](std::function<void(store::change_sink const&)> work) {
                committer.submit([&committer, work = std::move(work)] {
                    work([&committer](store::change const& c) { committer.record(c); return true; });
                    return true;
                }, [](bool) {});
            },
            reap_interval);
        reaper.start();

        boost::asio::signal_set signals(pool.at(0), SIGINT, SIGTERM);
        signals.async_wait([&](boost::system::error_code ec, int signal) {
            if (ec)
                return;
            log::info("signal " + std::to_string(signal) + ": finishing requests in hand, then exiting");
            system::notify("STOPPING=1");
            server.stop();
            reaper.stop();
        });

        std::ostringstream where;
        where << server.local_endpoint();
        log::info("listening on " + where.str() + (tls ? " (TLS)" : ""));
        system::notify("READY=1\nSTATUS=listening on " + where.str());

        pool.run();
        bool const flushed = committer.stop();
        log::info(flushed ? "stopped" : "stopped, but the final snapshot failed (the journal is kept)");
        return flushed ? 0 : exit_failure;
    } catch (std::exception const& e) {
        log::error(e.what());
        return exit_failure;
    }
}
