#pragma once
// One connection's life: a flat loop of read request → handle → write
// response, until the peer closes, a limit is hit, or the server stops.
//
// Expected errors (timeouts, resets, malformed input) come back as values,
// never as exceptions: the parser's header limit answers 431, its body limit
// 413, any other malformed request 400, each followed by a close.
//
// Timeouts: the session only writes its deadline into `state` as it moves
// between waiting for a request, reading one and answering it; whoever owns
// the connection cancels it once the deadline has passed (the listener checks
// every connection a few times a second). A deadline per phase rather than a
// timer per read keeps the clock out of every I/O operation.
//
// Lifetime: `stream`, `handler`, `limits` and `state` must outlive the
// coroutine. Not thread-safe: a session and whoever reads its state run on
// one thread (the listener gives each connection to one single-threaded
// io_context).

#include "http/request.hpp"
#include "http/response.hpp"

#include "http/executor.hpp"

#include <boost/asio/ip/address.hpp>

#include <atomic>
#include <chrono>
#include <cstddef>
#include <cstdint>

namespace rosterd::http {

// What the session hands each parsed request to. handle() must not throw:
// it turns a failure into a 500 itself. It is a coroutine because a write is
// answered only once it is durable. It answers into the session's `res`
// (empty when it is called) rather than returning the response: a response
// returned through two coroutines is moved four times, on every request.
class request_handler {
public:
    virtual ~request_handler() = default;
    virtual awaitable<void> handle(request const& req, response& res) const = 0;
    // Given the session's own answer to a malformed request (400, 413, 431),
    // for the metrics and the access log: the answer to send, which it may
    // phrase as the resource's protocol does (a SCIM error under
    // /scim/v2). `req` is whatever of the request was parsed. Must not throw.
    virtual response refused(request const& /*req*/, response res) const { return res; }
};

struct session_limits {
    static constexpr std::size_t default_header_limit = 8 * 1024;
    static constexpr std::uint64_t default_body_limit = 64 * 1024;

    std::size_t header_limit = default_header_limit; // request line + headers
    std::uint64_t body_limit = default_body_limit;
    std::chrono::milliseconds idle_timeout{std::chrono::seconds(60)};
    std::chrono::milliseconds request_timeout{std::chrono::seconds(30)};
    // One route may take larger bodies: requests whose request line starts
    // with `large_body_request` ("POST /scim/v2/Bulk", then a space or a
    // query) take up to `large_body_limit` bytes, at most
    // `large_bodies_at_once` of them in the whole server from the first
    // byte read to the answer sent (`large_bodies_in_flight` counts them);
    // past that, such a request has the usual limit.
    std::string_view large_body_request;
    std::uint64_t large_body_limit = 0;
    unsigned large_bodies_at_once = 4;
    std::atomic<unsigned>* large_bodies_in_flight = nullptr;
};

// Shared between a session and whoever stops the server or enforces its
// deadline.
struct session_state {
    using clock = std::chrono::steady_clock;

    bool idle = true;      // waiting for the first byte of a request
    bool stopping = false; // finish the request in hand, then close
    clock::time_point deadline = clock::time_point::max(); // cancel the connection past it
    boost::asio::ip::address peer; // the client's address, handed to every request
};

template <class Stream>
awaitable<void> run_session(Stream& stream, request_handler const& handler,
                                         session_limits const& limits, session_state& state);

} // namespace rosterd::http
