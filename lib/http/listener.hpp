#pragma once
// Accepts connections and runs one session per connection, each on its own
// strand, over plain TCP or - given a TLS context - over TLS after a
// handshake (one that fails, such as plain HTTP on a TLS port, just closes).
// Past `max_connections` open connections, a new one is closed at once
// while the others keep working.
//
// stop() stops accepting, closes idle connections at once and lets every
// busy one finish the request in hand; the io_context then runs out of work.
//
// Thread safety: start() and stop() may be called from any thread; the
// listener must outlive the io_context's run().

#include "http/session.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/asio/strand.hpp>

#include <cstddef>
#include <list>
#include <memory>
#include <mutex>

namespace rosterd::http {

class listener {
public:
    // Binds and listens at once, so that a busy port fails here (throws).
    // `tls`, if given, must outlive the listener.
    listener(boost::asio::io_context& ioc, boost::asio::ip::tcp::endpoint const& endpoint,
             request_handler const& handler, session_limits const& limits,
             std::size_t max_connections, boost::asio::ssl::context* tls = nullptr);

    boost::asio::ip::tcp::endpoint local_endpoint() const;
    void start();
    void stop();
    std::size_t open_connections() const;

private:
    struct connection;
    using registry = std::list<std::shared_ptr<connection>>;

    boost::asio::awaitable<void> accept_loop();
    boost::asio::awaitable<void> serve(std::shared_ptr<connection> conn);

    boost::asio::io_context& ioc_;
    boost::asio::ip::tcp::acceptor acceptor_;
    request_handler const& handler_;
    session_limits const limits_;
    std::size_t const max_connections_;
    boost::asio::ssl::context* const tls_;

    mutable std::mutex mutex_; // guards connections_ and stopping_
    registry connections_;
    bool stopping_ = false;
};

} // namespace rosterd::http
