#include "http/listener.hpp"

#include "log/log.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/ssl/ssl_stream.hpp>

#include <malloc.h>

#include <algorithm>
#include <optional>
#include <sstream>
#include <stdexcept>

namespace rosterd::http {

namespace asio = boost::asio;
using tcp = asio::ip::tcp;

namespace {

// After an accept error such as EMFILE, wait instead of spinning.
constexpr std::chrono::milliseconds accept_backoff{50};
// How often each worker looks for connections past their deadline: timeouts
// are whole seconds, so a quarter of one is close enough.
constexpr std::chrono::milliseconds sweep_interval{250};

// A worker whose connections fall to under half of a peak this large trims
// the allocator's free memory (malloc_trim): smaller swings are not worth it.
constexpr std::size_t trim_peak = 1024;

constexpr auto use_tuple = asio::as_tuple(http::use_awaitable);

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
    connection(tcp_socket socket, asio::ip::address peer, std::shared_ptr<terms const> served_with)
        : with(std::move(served_with)), plain(std::move(socket)), peer(peer)
    {
        state.peer = peer;
        if (with->tls)
            secure.emplace(std::move(plain), *with->tls);
    }
    // The TCP socket, whether or not TLS runs over it.
    tcp_socket& transport() { return secure ? secure->next_layer() : plain; }

    std::shared_ptr<terms const> with; // first, so that it outlives `secure`, which uses its context
    tcp_socket plain;                  // moved into `secure` when there is TLS
    std::optional<boost::beast::ssl_stream<tcp_socket>> secure;
    asio::ip::address peer;
    session_state state;
};

listener::listener(workers& pool, tcp::endpoint const& endpoint, request_handler const& handler,
                   session_limits const& limits, connection_limits const& connections,
                   std::shared_ptr<asio::ssl::context> tls)
    : acceptor_(pool.at(0).get_executor()), handler_(handler),
      terms_(std::make_shared<terms const>(terms{limits, std::move(tls)})), max_connections_(connections.total),
      per_address_(connections.per_address)
{
    for (std::size_t i = 0; i < pool.size(); ++i)
        workers_.push_back(std::make_unique<worker>(pool.at(i)));
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
    for (auto& w : workers_)
        asio::co_spawn(w->ioc, sweep_loop(*w), [](std::exception_ptr e) { log_exception(e, "listener"); });
    asio::co_spawn(acceptor_.get_executor(), accept_loop(),
                   [](std::exception_ptr e) { log_exception(e, "listener"); });
}

void listener::reload(session_limits const& limits, std::size_t max_connections,
                      std::shared_ptr<asio::ssl::context> tls)
{
    auto next = std::make_shared<terms const>(terms{limits, std::move(tls)});
    std::lock_guard lock(terms_mutex_);
    terms_ = std::move(next);
    max_connections_ = max_connections;
}

void listener::stop()
{
    stopping_ = true;
    asio::post(acceptor_.get_executor(), [this] {
        boost::system::error_code ignored;
        acceptor_.close(ignored);
    });
    for (auto& w : workers_)
        asio::post(w->ioc, [&w = *w] { stop_worker(w); });
}

void listener::stop_worker(worker& w)
{
    w.stopping = true;
    for (auto const& conn : w.connections) {
        conn->state.stopping = true;
        if (conn->state.idle) {
            boost::system::error_code ignored;
            conn->transport().cancel(ignored);
        }
    }
    if (w.connections.empty())
        w.sweep.cancel();
}

awaitable<void> listener::accept_loop()
{
    for (;;) {
        worker& w = *workers_[next_worker_];
        next_worker_ = (next_worker_ + 1) % workers_.size();
        auto [ec, socket] = co_await acceptor_.async_accept(w.ioc, use_tuple);
        if (ec == asio::error::operation_aborted || !acceptor_.is_open())
            co_return;
        if (ec) {
            log::warn("accept failed: " + ec.message());
            steady_timer pause(acceptor_.get_executor(), accept_backoff);
            co_await pause.async_wait(use_tuple);
            continue;
        }
        boost::system::error_code peer_ec;
        auto const peer = socket.remote_endpoint(peer_ec).address();
        if (stopping_ || peer_ec || open_.load() >= max_connections_ || !per_address_.try_open(peer)) {
            boost::system::error_code ignored;
            socket.close(ignored);
            continue;
        }
        ++open_;
        std::shared_ptr<terms const> with;
        {
            std::lock_guard lock(terms_mutex_);
            with = terms_;
        }
        auto conn = std::make_shared<connection>(std::move(socket), peer, std::move(with));
        asio::co_spawn(w.ioc, serve(w, std::move(conn)), [](std::exception_ptr e) { log_exception(e, "session"); });
    }
}

awaitable<void> listener::serve(worker& w, std::shared_ptr<connection> conn)
{
    struct unregister {
        listener& owner;
        worker& w;
        std::list<std::shared_ptr<connection>>::iterator self;
        ~unregister()
        {
            owner.per_address_.close((*self)->peer);
            w.connections.erase(self);
            --owner.open_;
            if (w.stopping && w.connections.empty())
                w.sweep.cancel();
        }
    } guard{*this, w, w.connections.insert(w.connections.end(), conn)};
    if (w.stopping)
        conn->state.stopping = true; // accepted just as the server began to stop
    if (!conn->secure) {
        co_await run_session(conn->plain, handler_, conn->with->limits, conn->state);
        co_return;
    }
    conn->state.deadline = session_state::clock::now() + conn->with->limits.request_timeout;
    auto [ec] = co_await conn->secure->async_handshake(asio::ssl::stream_base::server, use_tuple);
    if (ec) {
        log::debug("TLS handshake failed: " + ec.message());
        co_return;
    }
    co_await run_session(*conn->secure, handler_, conn->with->limits, conn->state);
}

awaitable<void> listener::sweep_loop(worker& w)
{
    while (!(w.stopping && w.connections.empty())) {
        w.sweep.expires_after(sweep_interval);
        co_await w.sweep.async_wait(use_tuple);
        w.peak = std::max(w.peak, w.connections.size());
        if (w.peak >= trim_peak && w.connections.size() < w.peak / 2) {
            ::malloc_trim(0);
            w.peak = w.connections.size();
        }
        auto const now = session_state::clock::now();
        for (auto const& conn : w.connections) {
            if (conn->state.deadline <= now) {
                boost::system::error_code ignored;
                conn->transport().cancel(ignored);
            }
        }
    }
}

} // namespace rosterd::http
