// What idle connections cost: 10,000 keep-alive connections that each sent
// a 64 KiB body (answered 401) and then wait must not grow the server's RSS
// by more than 100 MB, and RSS must come back down once they close.
#define BOOST_TEST_MODULE integration_idle_memory
#include <boost/test/unit_test.hpp>

#include "../support/server_process.hpp"

#include <sys/resource.h>

#include <memory>
#include <thread>

using namespace rosterd::test;

namespace {

constexpr int connections = 10'000;
constexpr std::size_t body_size = 64 * 1024;
constexpr long max_growth_kb = 100 * 1024;

// This process and the server (which inherits it) need a descriptor per
// connection.
bool enough_descriptors()
{
    rlimit limit{};
    ::getrlimit(RLIMIT_NOFILE, &limit);
    rlim_t const wanted = connections + 1024;
    if (limit.rlim_cur >= wanted)
        return true;
    limit.rlim_cur = std::max(wanted, limit.rlim_cur);
    limit.rlim_max = std::max(limit.rlim_max, limit.rlim_cur);
    return ::setrlimit(RLIMIT_NOFILE, &limit) == 0;
}


// Opens `connections` keep-alive connections that each send a 64 KiB body
// with a bad token and read the 401.
std::vector<std::unique_ptr<tcp::socket>> flood(boost::asio::io_context& ioc, tcp::endpoint const& at)
{
    std::string const request = "PUT /user/1 HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer not-a-token-at-all\r\n"
                                "Content-Type: application/json\r\nContent-Length: "
        + std::to_string(body_size) + "\r\n\r\n" + std::string(body_size, ' ');
    std::vector<std::unique_ptr<tcp::socket>> open;
    open.reserve(connections);
    boost::beast::flat_buffer buffer;
    for (int i = 0; i < connections; ++i) {
        auto s = std::make_unique<tcp::socket>(ioc);
        s->connect(at);
        boost::asio::write(*s, boost::asio::buffer(request));
        http_reply res;
        buffer.clear();
        bhttp::read(*s, buffer, res);
        BOOST_TEST_REQUIRE(res.result_int() == 401u);
        BOOST_TEST_REQUIRE(res.keep_alive());
        open.push_back(std::move(s));
    }
    return open;
}

// RSS once the server has closed every connection and trimmed its heap
// (its workers look four times a second).
long settled_rss(server_process const& server)
{
    for (int i = 0; i < 200; ++i) {
        client c(server.port());
        auto const metrics = c.request(bhttp::verb::get, "/metrics").body();
        if (metrics.find("\nrosterd_open_connections 1\n") != std::string::npos) // this one
            break;
        std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(600));
    return rss_kb(server.pid());
}

} // namespace

BOOST_AUTO_TEST_CASE(ten_thousand_idle_connections_hold_no_large_buffers)
{
    BOOST_TEST_REQUIRE(enough_descriptors(), "cannot raise RLIMIT_NOFILE to " << connections + 1024);
    server_process server({"--max-connections", "20000", "--max-connections-per-ip", "0", "--max-body", "65536"});
    boost::asio::io_context ioc;
    tcp::endpoint const at(boost::asio::ip::make_address("127.0.0.1"), server.port());

    auto const start = rss_kb(server.pid());
    auto open = flood(ioc, at);
    auto const first_idle = rss_kb(server.pid());
    open.clear();
    auto const first_closed = settled_rss(server);
    // A second flood reuses what the first one left, rather than adding to it.
    open = flood(ioc, at);
    auto const second_idle = rss_kb(server.pid());
    open.clear();
    auto const second_closed = settled_rss(server);
    BOOST_TEST_MESSAGE("RSS at start " << start << " kB; with " << connections << " idle connections "
                       << first_idle << " kB (" << (first_idle - start) * 1024 / connections
                       << " bytes each); once closed " << first_closed << " kB; a second flood "
                       << second_idle << " kB, closed " << second_closed << " kB");
#if defined(__SANITIZE_ADDRESS__)
    // AddressSanitizer keeps freed memory in its quarantine on purpose: RSS
    // says nothing there. The Release build checks the bounds.
    BOOST_TEST_MESSAGE("not bounded under ASan");
#else
    BOOST_TEST(first_idle - start < max_growth_kb, "RSS grew by " << first_idle - start << " kB");
    BOOST_TEST(first_closed < first_idle, "RSS did not come down when the connections closed");
    BOOST_TEST(second_idle - first_idle < max_growth_kb / 10, "a second flood grew RSS by " << second_idle - first_idle << " kB");
    BOOST_TEST(second_closed - first_closed < max_growth_kb / 10);
#endif
    tcp::socket check(ioc);
    boost::system::error_code ec;
    check.connect(at, ec);
    BOOST_TEST(!ec);
}
