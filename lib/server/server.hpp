#pragma once
// rosterd's life, as a library: options → data directory → serve → wait →
// flush. app/main.cpp is one call to main(); tests run a server in their
// own process, start it, talk to it, stop it and look at what it left.

#include "config/options.hpp"

#include <boost/asio/ip/tcp.hpp>

#include <functional>
#include <map>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

namespace rosterd::server {

inline constexpr int exit_ok = 0;
inline constexpr int exit_failure = 1;   // I/O, a busy data directory, a failed final snapshot
inline constexpr int exit_bad_input = 2; // bad options, a damaged data directory

// Why a server could not start, with the exit code that says so.
struct start_error : std::runtime_error {
    start_error(int code, std::string const& what) : std::runtime_error(what), exit_code(code) {}
    int exit_code;
};

// A server on a data directory. Constructing it takes the directory's lock,
// loads it, bootstraps an empty one and listens; run() serves until stop()
// or SIGINT/SIGTERM, then finishes the requests in hand and flushes.
//
// SIGHUP reloads (see reload_with): what can change live is applied to new
// connections, every open connection is kept, and a new configuration that
// is not valid is refused whole, with a log line.
//
// Thread safety: run() once, on one thread; stop() and local_endpoint()
// from any thread.
class server {
public:
    // Throws start_error.
    explicit server(config::options const& opts);
    ~server();
    server(server const&) = delete;
    server& operator=(server const&) = delete;

    boost::asio::ip::tcp::endpoint local_endpoint() const;
    // Serves until stopped; the exit code (exit_failure if the final
    // snapshot could not be written: the journal still holds everything).
    int run();
    // As SIGTERM: stop accepting, finish the requests in hand, flush.
    void stop();
    // How SIGHUP reads the options anew (the same command line and
    // environment, the --config file as it is now; throws
    // config::option_error), and the texts the server started with. Call
    // before run(); without it SIGHUP only says it cannot reload.
    void reload_with(std::function<config::parsed()> reread, std::map<std::string, std::string> texts);

private:
    struct parts;
    std::unique_ptr<parts> parts_;
};

// All of rosterd for a command line: serve, `recover`, or answer --help,
// --version and --check-config. Messages go to stdout and stderr; returns
// the exit code.
int main(int argc, char const* const* argv, std::vector<std::string> const& environment);

} // namespace rosterd::server
