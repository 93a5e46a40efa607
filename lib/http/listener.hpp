#pragma once
// Accepts connections and runs one session per connection, over plain TCP
// or - given a TLS context - over TLS after a handshake (one that fails, such
// as plain HTTP on a TLS port, just closes). Connections are dealt to the
// workers in turn; each stays on its worker's thread for life. Past
// `connection_limits::total` open connections, or `per_address` from one
// client address, a new one is closed at once while the others keep working.
//
// When a worker's connections fall to under half of a large peak (a flood
// has ended), the allocator is asked to give freed memory back to the system.
//
// Each worker checks its connections' deadlines (see session.hpp) a few
// times a second and cancels those past theirs: an idle or dribbling client
// costs a comparison per check instead of a timer per read.
//
// stop() stops accepting, closes idle connections at once and lets every
// busy one finish the request in hand; the workers then run out of work.
//
// reload() changes what new connections are served with (limits, timeouts,
// the TLS context); each open connection keeps what it was accepted with.
//
// Thread safety: start() once, stop() and reload() from any thread; the
// listener must outlive the workers' run().

#include "http/address_limit.hpp"
#include "http/session.hpp"
#include "http/workers.hpp"

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/asio/steady_timer.hpp>

#include <atomic>
#include <cstddef>
#include <list>
#include <memory>
#include <mutex>
#include <vector>

namespace rosterd::http {

struct connection_limits {
    std::size_t total = 10000;     // --max-connections
    std::size_t per_address = 256; // --max-connections-per-ip; 0: no limit
};

class listener {
public:
    // Binds and listens at once, so that a busy port fails here (throws).
    // Serves TLS when `tls` is given.
    listener(workers& pool, boost::asio::ip::tcp::endpoint const& endpoint, request_handler const& handler,
             session_limits const& limits, connection_limits const& connections,
             std::shared_ptr<boost::asio::ssl::context> tls = nullptr);

    boost::asio::ip::tcp::endpoint local_endpoint() const;
    void start();
    void stop();
    // connections.per_address is fixed at construction.
    void reload(session_limits const& limits, std::size_t max_connections,
                std::shared_ptr<boost::asio::ssl::context> tls);
    std::size_t open_connections() const { return open_.load(std::memory_order_relaxed); }

private:
    struct connection;
    // What a connection is served with, from its accept to its close.
    struct terms {
        session_limits limits;
        std::shared_ptr<boost::asio::ssl::context> tls;
    };
    // What one worker knows of its connections; touched only on its thread.
    struct worker {
        explicit worker(boost::asio::io_context& ioc) : ioc(ioc), sweep(ioc) {}
        boost::asio::io_context& ioc;
        std::list<std::shared_ptr<connection>> connections;
        steady_timer sweep;
        bool stopping = false;
        std::size_t peak = 0; // most connections since memory was last trimmed
    };

    awaitable<void> accept_loop();
    awaitable<void> serve(worker& w, std::shared_ptr<connection> conn);
    awaitable<void> sweep_loop(worker& w);
    static void stop_worker(worker& w);

    std::vector<std::unique_ptr<worker>> workers_;
    tcp_acceptor acceptor_;
    request_handler const& handler_;
    std::mutex terms_mutex_;
    std::shared_ptr<terms const> terms_; // for new connections
    std::atomic<std::size_t> max_connections_;
    address_limit per_address_;
    std::size_t next_worker_ = 0; // the accept loop's own
    std::atomic<std::size_t> open_{0};
    std::atomic<bool> stopping_{false};
};

} // namespace rosterd::http
