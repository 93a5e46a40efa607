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

#include <array>
#include <optional>
#include <string>
#include <tuple>

namespace rosterd::http {

namespace session_detail {

namespace asio = boost::asio;
namespace beast = boost::beast;

inline constexpr std::size_t read_chunk = 4096;
// What an idle connection reads its next request into: most requests fit,
// a larger one grows the buffer. Ten thousand idle connections then hold
// 10 MB of read buffers rather than 40.
inline constexpr std::size_t idle_read_chunk = 1024;
// What an idle connection keeps of its response buffer; a larger one (a
// long list) is given back before the connection waits for its next request.
inline constexpr std::size_t kept_response_capacity = 16 * 1024;
// How long, and how much, a closing connection is drained so that the
// client reads our last answer instead of a reset.
inline constexpr std::chrono::seconds linger_time{1};
inline constexpr std::size_t linger_bytes = 256 * 1024;

inline constexpr auto use_tuple = asio::as_tuple(http::use_awaitable);

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
awaitable<void> close_connection(Stream& stream, session_state& state)
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
        // What is drained is thrown away: one buffer per thread serves every
        // closing connection, rather than one allocated for each.
        thread_local std::array<char, read_chunk> drain;
        for (std::size_t drained = 0; drained < linger_bytes;) {
            auto [ec, n] = co_await stream.async_read_some(asio::buffer(drain), use_tuple);
            if (ec)
                break;
            drained += n;
        }
    }
}

// The answer to a failed read, if it deserves one: malformed input does,
// a vanished or silent peer does not.
inline std::optional<response> answer_read_error(beast::error_code ec, request const& req)
{
    namespace h = beast::http;
    if (ec == h::error::header_limit)
        return problem(status::request_header_fields_too_large, "request headers exceed the limit");
    if (ec == h::error::body_limit)
        return problem(status::payload_too_large, "request body exceeds the limit");
    if (ec == h::error::end_of_stream || ec == h::error::partial_message)
        return std::nullopt;
    if (&ec.category() == &h::make_error_code(h::error::bad_method).category()) {
        if (!req.refusal.empty())
            return problem(status::bad_request, "malformed request: " + std::string(req.refusal));
        return problem(status::bad_request, "malformed request: " + ec.message());
    }
    return std::nullopt;
}

// Before a keep-alive connection waits for its next request: give back
// buffers a large request or response grew, so that thousands of idle
// connections hold a few KiB each, not what their largest request needed.
// A connection whose requests fit idle_read_chunk keeps its buffer and
// allocates nothing.
inline void release_idle_memory(beast::flat_buffer& buffer, request& req, std::string& out)
{
    req.release_large_buffers();
    if (buffer.capacity() > idle_read_chunk)
        buffer.shrink_to_fit(); // empty: frees it; the next read takes idle_read_chunk
    if (out.capacity() > kept_response_capacity)
        std::string().swap(out);
}

inline std::string_view buffered(beast::flat_buffer const& buffer)
{
    return {static_cast<char const*>(buffer.data().data()), buffer.size()};
}

// Whether the front of `buffer` holds a whole header block the parser may
// have, or a reason to refuse it. The parser is given a header only whole:
// then the request line and headers count against one limit together, each
// field is seen once, and obs-fold is found before the fields are read.
// A header still arriving is tried on a throwaway parser, so that garbage
// is refused at once rather than after the request timeout: on its first
// bytes, and once more when its request line is whole. Not on every read:
// a header dribbled a byte at a time would cost a parse of all of it per
// byte.
struct header_probes {
    bool first = true; // no bytes of this request tried yet
    bool line = false; // the request line has been tried whole
};

// The method and target of a header block too large to parse, read from
// its request line alone (by the parser), so that the refusal can take the
// form the resource's protocol uses (a SCIM error under /scim/v2) and the
// access log names them.
inline void read_request_line(std::string_view data, request& req)
{
    auto const end = data.find("\r\n");
    if (end == std::string_view::npos)
        return;
    std::string line(data.substr(0, end));
    line.append("\r\n\r\n");
    request scratch;
    request_parser probe(scratch);
    beast::error_code ec; // a missing Host, say: the line was read all the same
    probe.put(asio::buffer(line), ec);
    req.method = scratch.method;
    req.method_text = scratch.method_text;
    req.target = scratch.target;
}

inline beast::error_code check_header(beast::flat_buffer const& buffer, session_limits const& limits,
                                      request& req, header_probes& probes, bool& whole)
{
    namespace h = beast::http;
    auto const data = buffered(buffer);
    auto const block = find_header_block(data.substr(0, limits.header_limit));
    whole = block.has_value();
    if (!whole) {
        if (data.size() >= limits.header_limit) {
            read_request_line(data.substr(0, limits.header_limit), req);
            return h::error::header_limit;
        }
        bool const line_whole = data.find('\n') != std::string_view::npos;
        if (!probes.first && (probes.line || !line_whole))
            return {};
        probes.first = false;
        probes.line = line_whole;
        request scratch;
        request_parser probe(scratch);
        probe.header_limit(static_cast<std::uint32_t>(limits.header_limit));
        beast::error_code ec;
        probe.put(buffer.data(), ec);
        if (ec && ec != h::error::need_more) {
            req.refusal = scratch.refusal;
            return ec;
        }
        return {};
    }
    if (block->folded) {
        req.refusal = "a header line starts with white space (obs-fold)";
        return h::error::bad_field;
    }
    return {};
}

// Whether a request (its header block whole at the front of `data`) is
// the one route's that takes larger bodies: a comparison of its request
// line's first bytes, before the parser reads the header (which checks the
// body's length against the limit).
inline bool takes_large_body(std::string_view data, session_limits const& limits)
{
    auto const& prefix = limits.large_body_request;
    return !prefix.empty() && limits.large_bodies_in_flight && data.size() > prefix.size() && data.starts_with(prefix)
        && (data[prefix.size()] == ' ' || data[prefix.size()] == '?');
}

// One of the server's few places for a large body, held from the read of
// a request to its answer; empty when not taken.
class large_body_slot {
public:
    large_body_slot() = default;
    large_body_slot(large_body_slot const&) = delete;
    large_body_slot& operator=(large_body_slot const&) = delete;
    ~large_body_slot()
    {
        if (count_)
            count_->fetch_sub(1);
    }
    // Takes a place if one is free.
    bool take(session_limits const& limits)
    {
        auto& count = *limits.large_bodies_in_flight;
        if (count.fetch_add(1) >= limits.large_bodies_at_once) {
            count.fetch_sub(1);
            return false;
        }
        count_ = &count;
        return true;
    }

private:
    std::atomic<unsigned>* count_ = nullptr;
};

// Reads one request into `req`: what is already in `buffer` first, then
// from the stream until the parser is done. Says "100 Continue" when an
// HTTP/1.1 client waits for it (an HTTP/1.0 one cannot read it). A clean end
// of stream before any byte of the request is end_of_stream; in the middle
// of one, partial_message.
template <class Stream>
awaitable<beast::error_code> read_request(Stream& stream, beast::flat_buffer& buffer, request& req,
                                                session_limits const& limits, std::string& out, large_body_slot& slot)
{
    namespace h = beast::http;
    request_parser parser(req);
    parser.header_limit(static_cast<std::uint32_t>(limits.header_limit));
    parser.body_limit(limits.body_limit);
    parser.eager(true);
    bool continued = false;
    header_probes probes;
    for (;;) {
        beast::error_code ec;
        bool ready = buffer.size() > 0;
        if (ready && !parser.is_header_done()) {
            if (auto const refused = check_header(buffer, limits, req, probes, ready))
                co_return refused;
            if (ready && takes_large_body(buffered(buffer), limits) && slot.take(limits))
                parser.body_limit(limits.large_body_limit);
        }
        if (ready) {
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
        if (parser.is_header_done() && req.expect_continue && req.version == 11 && !continued) {
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
                co_return buffer.size() > 0 ? h::error::partial_message : h::error::end_of_stream;
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
awaitable<void> run_session(Stream& stream, request_handler const& handler,
                                         session_limits const& limits, session_state& state)
{
    using namespace session_detail;

    beast::flat_buffer buffer;
    request req;     // its strings' capacity is reused from request to request
    req.peer = state.peer;
    std::string out; // the response's bytes; likewise
    for (;;) {
        if (buffer.size() == 0) {
            if (state.stopping)
                break;
            release_idle_memory(buffer, req, out);
            state.idle = true;
            set_deadline(state, limits.idle_timeout);
            // Not async_wait(wait_read) and a buffer only once there is
            // data: Asio re-arms epoll (an epoll_ctl) for every such wait,
            // a system call per request.
            auto [ec, n] = co_await stream.async_read_some(buffer.prepare(idle_read_chunk), use_tuple);
            state.idle = false;
            buffer.commit(n);
            if (ec)
                break;
        }

        set_deadline(state, limits.request_timeout);
        large_body_slot slot; // until this request's answer is sent
        if (auto const ec = co_await read_request(stream, buffer, req, limits, out, slot)) {
            if (auto answer = answer_read_error(ec, req)) {
                finalize(handler.refused(req, std::move(*answer)), 11, connection::close, out);
                co_await asio::async_write(stream, asio::buffer(out), use_tuple);
            }
            break;
        }

        response res;
        co_await handler.handle(req, res);
        // A body in parts ends with the connection when there are no chunks.
        bool const keep_alive = req.keep_alive && !state.stopping && !(in_parts(res) && req.version == 10);
        finalize(res, req.version, keep_alive ? connection::keep_alive : connection::close, out);
        auto [write_ec, written] = co_await asio::async_write(stream, asio::buffer(out), use_tuple);
        // The next parts, one at a time: a slow reader holds one part, not the body.
        for (bool more = !write_ec && in_parts(res); more;) {
            std::string part;
            more = res.more(part);
            out.clear();
            append_part(part, req.version, out);
            if (!more)
                end_parts(req.version, out);
            std::tie(write_ec, written) = co_await asio::async_write(stream, asio::buffer(out), use_tuple);
            more = more && !write_ec;
        }
        if (write_ec || !keep_alive)
            break;
    }

    co_await close_connection(stream, state);
}

} // namespace rosterd::http
