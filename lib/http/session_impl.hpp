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
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/core/stream_traits.hpp>
#include <boost/beast/core/string.hpp>
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

// The deadline lives on the TCP stream, under TLS if there is TLS; Beast's
// test stream has none.
template <class Stream>
void set_deadline(Stream& stream, std::chrono::milliseconds d)
{
    auto& lowest = beast::get_lowest_layer(stream);
    if constexpr (requires { lowest.expires_after(d); })
        lowest.expires_after(d);
}

// Ends a connection so that the client reads our last answer rather than a
// reset: TLS sends close_notify; plain TCP half-closes and drains a little.
template <class Stream>
asio::awaitable<void> close_connection(Stream& stream, beast::flat_buffer& buffer)
{
    set_deadline(stream, linger_time);
    if constexpr (is_tls<Stream>::value) {
        co_await stream.async_shutdown(use_tuple);
    } else {
        if constexpr (requires { stream.socket(); }) {
            beast::error_code ec;
            stream.socket().shutdown(asio::socket_base::shutdown_send, ec);
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

inline bool expects_continue(request const& req)
{
    auto const it = req.find(beast::http::field::expect);
    return it != req.end() && beast::iequals(it->value(), "100-continue");
}

} // namespace session_detail

template <class Stream>
boost::asio::awaitable<void> run_session(Stream& stream, request_handler const& handler,
                                         session_limits const& limits, session_state& state)
{
    using namespace session_detail;
    namespace h = beast::http;

    beast::flat_buffer buffer;
    std::string out; // the response's bytes; its capacity is reused
    for (;;) {
        if (buffer.size() == 0) {
            if (state.stopping)
                break;
            state.idle = true;
            set_deadline(stream, limits.idle_timeout);
            auto [ec, n] = co_await stream.async_read_some(buffer.prepare(read_chunk), use_tuple);
            state.idle = false;
            if (ec)
                break;
            buffer.commit(n);
        }

        set_deadline(stream, limits.request_timeout);
        h::request_parser<h::string_body> parser;
        parser.header_limit(static_cast<std::uint32_t>(limits.header_limit));
        parser.body_limit(limits.body_limit);
        auto [ec, n] = co_await h::async_read_header(stream, buffer, parser, use_tuple);
        if (!ec && !parser.is_done()) {
            if (expects_continue(parser.get())) {
                finalize_continue(out);
                std::tie(ec, n) = co_await asio::async_write(stream, asio::buffer(out), use_tuple);
            }
            if (!ec)
                std::tie(ec, n) = co_await h::async_read(stream, buffer, parser, use_tuple);
        }
        if (ec) {
            if (auto answer = answer_read_error(ec)) {
                finalize(*answer, 11, connection::close, out);
                co_await asio::async_write(stream, asio::buffer(out), use_tuple);
            }
            break;
        }

        request const& req = parser.get();
        bool const keep_alive = req.keep_alive() && !state.stopping;
        auto const res = co_await handler.handle(req);
        finalize(res, req.version(), keep_alive ? connection::keep_alive : connection::close, out);
        auto [write_ec, written] = co_await asio::async_write(stream, asio::buffer(out), use_tuple);
        if (write_ec || !keep_alive)
            break;
    }

    co_await close_connection(stream, buffer);
}

} // namespace rosterd::http
