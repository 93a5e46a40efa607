#pragma once
// The definition of run_session(), included where it is instantiated:
// session.cpp for TCP streams, tests for Beast's test stream.

#include "http/session.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/error.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http/error.hpp>
#include <boost/beast/ssl/ssl_stream.hpp>

#include <optional>
#include <string>

namespace rosterd::http {

namespace session_detail {

namespace asio = boost::asio;
namespace beast = boost::beast;

inline constexpr std::size_t read_chunk = 4096;
// How long, and how much, a closing connection is drained so that the
// client reads our last answer instead of a reset.
inline constexpr std::chrono::seconds linger_time{1};
inline constexpr std::size_t linger_bytes = 256 * 1024;

inline constexpr auto use_tuple = asio::as_tuple(asio::use_awaitable);

template <class T>
struct is_tls : std::false_type {};
template <class Next>
struct is_tls<beast::ssl_stream<Next>> : std::true_type {};

inline void set_deadline(session_state& state, std::chrono::milliseconds d)
{
    state.deadline = session_state::clock::now() + d;
}

// Ends a connection so that the client reads our last answer rather than a
// reset: TLS sends close_notify; plain TCP half-closes and drains a little.
template <class Stream>
asio::awaitable<void> close_connection(Stream& stream, beast::flat_buffer& buffer, session_state& state)
{
    set_deadline(state, linger_time);
    if constexpr (is_tls<Stream>::value) {
        co_await stream.async_shutdown(use_tuple);
    } else {
        if constexpr (requires(beast::error_code ec) { stream.shutdown(asio::socket_base::shutdown_send, ec); }) {
            beast::error_code ec;
            stream.shutdown(asio::socket_base::shutdown_send, ec);
        } else {
            stream.close();
        }
        for (std::size_t drained = 0; drained < linger_bytes;) {
            buffer.clear();
            auto [ec, n] = co_await stream.async_read_some(buffer.prepare(read_chunk), use_tuple);
            if (ec)
                break;
            drained += n;
        }
    }
}

// The answer to a failed read, if it deserves one: malformed input does,
// a vanished or silent peer does not.
inline std::optional<response> answer_read_error(beast::error_code ec)
{
    namespace h = beast::http;
    if (ec == h::error::header_limit)
        return problem(status::request_header_fields_too_large, "request headers exceed the limit");
    if (ec == h::error::body_limit)
        return problem(status::payload_too_large, "request body exceeds the limit");
    if (ec == h::error::end_of_stream || ec == h::error::partial_message)
        return std::nullopt;
    if (&ec.category() == &h::make_error_code(h::error::bad_method).category())
        return problem(status::bad_request, "malformed request: " + ec.message());
    return std::nullopt;
}

// Reads one request into `req`: what is already in `buffer` first, then
// from the stream until the parser is done. Says "100 Continue" when the
// client waits for it. A clean end of stream before any byte of the
// request is end_of_stream; in the middle of one, partial_message.
template <class Stream>
asio::awaitable<beast::error_code> read_request(Stream& stream, beast::flat_buffer& buffer, request& req,
                                                session_limits const& limits, std::string& out)
{
    namespace h = beast::http;
    request_parser parser(req);
    parser.header_limit(static_cast<std::uint32_t>(limits.header_limit));
    parser.body_limit(limits.body_limit);
    parser.eager(true);
    bool continued = false;
    for (;;) {
        beast::error_code ec;
        if (buffer.size() > 0) {
            auto const used = parser.put(buffer.data(), ec);
            buffer.consume(used);
            if (ec && ec != h::error::need_more)
                co_return ec;
            if (parser.is_done()) {
                req.keep_alive = parser.keep_alive();
                co_return beast::error_code{};
            }
            if (!ec && used > 0 && buffer.size() > 0)
                continue; // the parser stopped at a boundary, not for want of input
        }
        if (parser.is_header_done() && req.expect_continue && !continued) {
            continued = true;
            finalize_continue(out);
            auto [write_ec, written] = co_await asio::async_write(stream, asio::buffer(out), use_tuple);
            if (write_ec)
                co_return write_ec;
        }
        auto [read_ec, n] = co_await stream.async_read_some(buffer.prepare(read_chunk), use_tuple);
        buffer.commit(n);
        if (read_ec == asio::error::eof || read_ec == asio::ssl::error::stream_truncated) {
            if (!parser.got_some())
                co_return h::error::end_of_stream;
            parser.put_eof(ec);
            if (!ec && parser.is_done()) {
                req.keep_alive = false;
                co_return beast::error_code{};
            }
            co_return h::error::partial_message;
        }
        if (read_ec)
            co_return read_ec;
    }
}

} // namespace session_detail

template <class Stream>
boost::asio::awaitable<void> run_session(Stream& stream, request_handler const& handler,
                                         session_limits const& limits, session_state& state)
{
    using namespace session_detail;

    beast::flat_buffer buffer;
    request req;     // its strings' capacity is reused from request to request
    std::string out; // the response's bytes; likewise
    for (;;) {
        if (buffer.size() == 0) {
            if (state.stopping)
                break;
            state.idle = true;
            set_deadline(state, limits.idle_timeout);
            auto [ec, n] = co_await stream.async_read_some(buffer.prepare(read_chunk), use_tuple);
            state.idle = false;
            buffer.commit(n);
            if (ec)
                break;
        }

        set_deadline(state, limits.request_timeout);
        if (auto const ec = co_await read_request(stream, buffer, req, limits, out)) {
            if (auto answer = answer_read_error(ec)) {
                finalize(*answer, 11, connection::close, out);
                co_await asio::async_write(stream, asio::buffer(out), use_tuple);
            }
            break;
        }

        bool const keep_alive = req.keep_alive && !state.stopping;
        auto const res = co_await handler.handle(req);
        finalize(res, req.version, keep_alive ? connection::keep_alive : connection::close, out);
        auto [write_ec, written] = co_await asio::async_write(stream, asio::buffer(out), use_tuple);
        if (write_ec || !keep_alive)
            break;
    }

    co_await close_connection(stream, buffer, state);
}

} // namespace rosterd::http
