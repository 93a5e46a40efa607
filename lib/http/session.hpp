#pragma once
// One connection's life: a flat loop of read request → handle → write
// response, until the peer closes, a limit is hit, or the server stops.
//
// Expected errors (timeouts, resets, malformed input) come back as values,
// never as exceptions: the parser's header limit answers 431, its body limit
// 413, any other malformed request 400, each followed by a close.
//
// Lifetime: `stream`, `handler`, `limits` and `state` must outlive the
// coroutine. Not thread-safe: run a session on one strand.

#include "http/response.hpp"

#include <boost/asio/awaitable.hpp>

#include <chrono>
#include <cstddef>
#include <cstdint>

namespace rosterd::http {

// What the session hands each parsed request to. handle() must not throw:
// it turns a failure into a 500 itself. It is a coroutine because a write is
// answered only once it is durable.
class request_handler {
public:
    virtual ~request_handler() = default;
    virtual boost::asio::awaitable<response> handle(request const& req) const = 0;
};

struct session_limits {
    static constexpr std::size_t default_header_limit = 8 * 1024;
    static constexpr std::uint64_t default_body_limit = 64 * 1024;

    std::size_t header_limit = default_header_limit; // request line + headers
    std::uint64_t body_limit = default_body_limit;
    std::chrono::milliseconds idle_timeout{std::chrono::seconds(60)};
    std::chrono::milliseconds request_timeout{std::chrono::seconds(30)};
};

// Shared between a session and whoever stops the server.
struct session_state {
    bool idle = true;     // waiting for the first byte of a request
    bool stopping = false; // finish the request in hand, then close
};

template <class Stream>
boost::asio::awaitable<void> run_session(Stream& stream, request_handler const& handler,
                                         session_limits const& limits, session_state& state);

} // namespace rosterd::http
