#include "http/listener.hpp"

#include "log/log.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/ssl/ssl_stream.hpp>

#include <sstream>
#include <stdexcept>

namespace rosterd::http {

namespace asio = boost::asio;
using tcp = asio::ip::tcp;

namespace {

// After an accept error such as EMFILE, wait instead of spinning.
constexpr std::chrono::milliseconds accept_backoff{50};

void log_exception(std::exception_ptr e, std::string_view where)
{
    if (!e)
        return;
    try {
        std::rethrow_exception(e);
    } catch (std::exception const& ex) {
        log::error(std::string(where) + ": " + ex.what());
    } catch (...) {
        log::error(std::string(where) + ": unknown exception");
    }
}

} // namespace

struct listener::connection {
    connection(tcp::socket socket, asio::ssl::context* tls) : plain(std::move(socket))
    {
        if (tls)
            secure.emplace(std::move(plain), *tls);
    }
    // The TCP stream, whether or not TLS runs over it.
    boost::beast::tcp_stream& transport() { return secure ? secure->next_layer() : plain; }

    boost::beast::tcp_stream plain; // moved into `secure` when there is TLS
    std::optional<boost::beast::ssl_stream<boost::beast::tcp_stream>> secure;
    session_state state;
    registry::iterator self;
};

listener::listener(asio::io_context& ioc, tcp::endpoint const& endpoint, request_handler const& handler,
                   session_limits const& limits, std::size_t max_connections, asio::ssl::context* tls)
    : ioc_(ioc), acceptor_(asio::make_strand(ioc)), handler_(handler), limits_(limits),
      max_connections_(max_connections), tls_(tls)
{
    boost::system::error_code ec;
    acceptor_.open(endpoint.protocol(), ec);
    if (!ec)
        acceptor_.set_option(asio::socket_base::reuse_address(true), ec);
    if (!ec)
        acceptor_.bind(endpoint, ec);
    if (!ec)
        acceptor_.listen(asio::socket_base::max_listen_connections, ec);
    if (ec) {
        std::ostringstream where;
        where << endpoint;
        throw std::runtime_error("cannot listen on " + where.str() + ": " + ec.message());
    }
}

tcp::endpoint listener::local_endpoint() const { return acceptor_.local_endpoint(); }

void listener::start()
{
    asio::co_spawn(acceptor_.get_executor(), accept_loop(),
                   [](std::exception_ptr e) { log_exception(e, "listener"); });
}

void listener::stop()
{
    asio::post(acceptor_.get_executor(), [this] {
        boost::system::error_code ignored;
        acceptor_.close(ignored);
    });
    std::lock_guard lock(mutex_);
    stopping_ = true;
    for (auto const& conn : connections_) {
        asio::post(conn->transport().get_executor(), [conn] {
            conn->state.stopping = true;
            if (conn->state.idle)
                conn->transport().cancel();
        });
    }
}

std::size_t listener::open_connections() const
{
    std::lock_guard lock(mutex_);
    return connections_.size();
}

asio::awaitable<void> listener::accept_loop()
{
    auto const use_tuple = asio::as_tuple(asio::use_awaitable);
    for (;;) {
        auto [ec, socket] = co_await acceptor_.async_accept(asio::make_strand(ioc_), use_tuple);
        if (ec == asio::error::operation_aborted || !acceptor_.is_open())
            co_return;
        if (ec) {
            log::warn("accept failed: " + ec.message());
            asio::steady_timer pause(acceptor_.get_executor(), accept_backoff);
            co_await pause.async_wait(use_tuple);
            continue;
        }
        std::shared_ptr<connection> conn;
        {
            std::lock_guard lock(mutex_);
            if (stopping_ || connections_.size() >= max_connections_) {
                boost::system::error_code ignored;
                socket.close(ignored);
                continue;
            }
            conn = std::make_shared<connection>(std::move(socket), tls_);
            conn->self = connections_.insert(connections_.end(), conn);
        }
        auto executor = conn->transport().get_executor();
        asio::co_spawn(executor, serve(std::move(conn)),
                       [](std::exception_ptr e) { log_exception(e, "session"); });
    }
}

asio::awaitable<void> listener::serve(std::shared_ptr<connection> conn)
{
    struct unregister {
        listener& owner;
        connection& conn;
        ~unregister()
        {
            std::lock_guard lock(owner.mutex_);
            owner.connections_.erase(conn.self);
        }
    } guard{*this, *conn};
    if (!conn->secure) {
        co_await run_session(conn->plain, handler_, limits_, conn->state);
        co_return;
    }
    conn->transport().expires_after(limits_.request_timeout);
    auto [ec] = co_await conn->secure->async_handshake(asio::ssl::stream_base::server,
                                                        asio::as_tuple(asio::use_awaitable));
    if (ec) {
        log::debug("TLS handshake failed: " + ec.message());
        co_return;
    }
    co_await run_session(*conn->secure, handler_, limits_, conn->state);
}

} // namespace rosterd::http
