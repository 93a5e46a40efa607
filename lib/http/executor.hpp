#pragma once
// The executor every connection's coroutines and I/O objects run on: their
// worker's io_context's, named concretely. Asio's default, any_io_executor,
// erases its type, and every operation then copies, compares and calls it
// through that erasure (about 1 % of a request's instructions, measured
// with scripts/profile).

#include <boost/asio/awaitable.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>

namespace rosterd::http {

using executor = boost::asio::io_context::executor_type;
template <class T = void>
using awaitable = boost::asio::awaitable<T, executor>;
inline constexpr boost::asio::use_awaitable_t<executor> use_awaitable{};

using tcp_socket = boost::asio::ip::tcp::socket::rebind_executor<executor>::other;
using tcp_acceptor = boost::asio::ip::tcp::acceptor::rebind_executor<executor>::other;
using steady_timer = boost::asio::steady_timer::rebind_executor<executor>::other;

} // namespace rosterd::http
