// Connection-level limits on the real binary: idle and request timeouts,
// max-connections, keep-alive.
#define BOOST_TEST_MODULE integration_connection_limits
#include <boost/test/unit_test.hpp>

#include "../support/server_process.hpp"
#include "../support/wire.hpp"

#include <sys/socket.h>
#include <sys/un.h>

#include <cstring>

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

BOOST_AUTO_TEST_CASE(systemd_is_told_when_the_server_is_ready_and_stopping)
{
    auto const path = std::filesystem::temp_directory_path() / ("rosterd-notify-" + std::to_string(::getpid()));
    std::filesystem::remove(path);
    int const fd = ::socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    sockaddr_un addr{};
    addr.sun_family = AF_UNIX;
    std::strncpy(addr.sun_path, path.c_str(), sizeof addr.sun_path - 1);
    BOOST_TEST_REQUIRE(::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0);
    timeval tv{5, 0};
    ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    auto receive = [fd] {
        char buf[512];
        auto const n = ::recv(fd, buf, sizeof buf, 0);
        return n > 0 ? std::string(buf, static_cast<std::size_t>(n)) : std::string();
    };

    ::setenv("NOTIFY_SOCKET", path.c_str(), 1);
    server_process server;
    ::unsetenv("NOTIFY_SOCKET");
    BOOST_TEST(receive().starts_with("READY=1\nSTATUS=listening on 127.0.0.1:"));
    BOOST_TEST(server.stop(SIGTERM) == 0);
    BOOST_TEST(receive() == "STOPPING=1");
    ::close(fd);
    std::filesystem::remove(path);
}

BOOST_AUTO_TEST_CASE(the_header_and_json_depth_limits_are_options)
{
    server_process server({"--max-header", "2048", "--max-json-depth", "2", "--bootstrap-token", "e4dad830c429bcbfdaf1d86392c90275"});
    {
        client c(server.port());
        auto const replies = rosterd::test::parse_responses(
            c.raw("GET /healthz HTTP/1.1\r\nX-Pad: " + std::string(3000, 'a') + "\r\n\r\n"));
        BOOST_TEST_REQUIRE(!replies.empty());
        BOOST_TEST(replies[0].result_int() == 431u);
    }
    client c(server.port());
    BOOST_TEST(c.request(bhttp::verb::get, "/healthz").result_int() == 200u);
    auto const shallow = c.request(bhttp::verb::put, "/user/1", R"({"description":null})", "e4dad830c429bcbfdaf1d86392c90275");
    BOOST_TEST(shallow.result_int() == 200u);
    auto const deep = c.request(bhttp::verb::put, "/user/1", R"({"description":[[1]]})", "e4dad830c429bcbfdaf1d86392c90275");
    BOOST_TEST(deep.result_int() == 400u);
    BOOST_TEST(deep.body().find("body: not valid JSON") != std::string::npos);
}
