// Connection-level limits on the real binary: idle and request timeouts,
// max-connections, keep-alive.
#define BOOST_TEST_MODULE integration_connection_limits
#include <boost/test/unit_test.hpp>

#include "../support/server_process.hpp"

using namespace rosterd::test;

namespace {

// Whether the server closes `c` within `limit` (reads until EOF or error).
bool closed_within(client& c, std::chrono::milliseconds limit)
{
    auto& s = c.socket();
    timeval tv{static_cast<time_t>(limit.count() / 1000), static_cast<suseconds_t>((limit.count() % 1000) * 1000)};
    ::setsockopt(s.native_handle(), SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    char byte;
    boost::system::error_code ec;
    for (;;) {
        s.read_some(boost::asio::buffer(&byte, 1), ec);
        if (ec)
            return ec == boost::asio::error::eof || ec == boost::asio::error::connection_reset;
    }
}

} // namespace

BOOST_AUTO_TEST_CASE(an_idle_connection_is_closed_after_the_idle_timeout)
{
    server_process server({"--idle-timeout", "1"});
    client c(server.port());
    BOOST_TEST(c.request(bhttp::verb::get, "/healthz").result_int() == 200u);
    BOOST_TEST(closed_within(c, std::chrono::seconds(5)));
}

BOOST_AUTO_TEST_CASE(a_dribbled_request_is_cut_off_after_the_request_timeout)
{
    server_process server({"--request-timeout", "1", "--idle-timeout", "30"});
    client c(server.port());
    boost::asio::write(c.socket(), boost::asio::buffer(std::string("GET /healthz HTTP/1.1\r\nHost: x\r\n")));
    BOOST_TEST(closed_within(c, std::chrono::seconds(5)));
    // Others are still served.
    client other(server.port());
    BOOST_TEST(other.request(bhttp::verb::get, "/healthz").result_int() == 200u);
}

BOOST_AUTO_TEST_CASE(past_max_connections_new_ones_are_refused_and_old_ones_work)
{
    server_process server({"--max-connections", "2"});
    client a(server.port());
    client b(server.port());
    BOOST_TEST(a.request(bhttp::verb::get, "/healthz").result_int() == 200u);
    BOOST_TEST(b.request(bhttp::verb::get, "/healthz").result_int() == 200u);
    client refused(server.port());
    BOOST_TEST(closed_within(refused, std::chrono::seconds(5)));
    BOOST_TEST(a.request(bhttp::verb::get, "/healthz").result_int() == 200u);
    BOOST_TEST(b.request(bhttp::verb::get, "/healthz").result_int() == 200u);
}

BOOST_AUTO_TEST_CASE(sigterm_closes_idle_keep_alive_connections_and_exits_zero)
{
    server_process server({"--idle-timeout", "600"});
    client idle(server.port());
    BOOST_TEST(idle.request(bhttp::verb::get, "/healthz").result_int() == 200u);
    auto const start = std::chrono::steady_clock::now();
    BOOST_TEST(server.stop(SIGTERM) == 0);
    // Not held up by the idle connection's 600 s.
    BOOST_TEST((std::chrono::steady_clock::now() - start < std::chrono::seconds(10)));
}
