// Start-up and shutdown in-process: a server on a temporary data directory,
// run on a thread, asked a question over loopback, stopped, and started
// again on what it left.
#define BOOST_TEST_MODULE server
#include <boost/test/unit_test.hpp>

#include "server/server.hpp"
#include "../support/temp_dir.hpp"

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/http/write.hpp>

#include <fstream>
#include <thread>

using namespace rosterd;
namespace bhttp = boost::beast::http;
using tcp = boost::asio::ip::tcp;

namespace {

std::string const root_token = "6debfbb54a58acdb4d5ccd416387f88d";

config::options options_for(std::filesystem::path const& data)
{
    config::options o;
    o.listen = tcp::endpoint(boost::asio::ip::make_address("127.0.0.1"), 0);
    o.data_dir = data.string();
    o.bootstrap_token = root_token;
    o.log_level = log::level::warn;
    return o;
}

bhttp::response<bhttp::string_body> ask(tcp::endpoint at, bhttp::verb method, std::string const& target,
                                        std::string const& body = {})
{
    boost::asio::io_context ioc;
    tcp::socket socket(ioc);
    socket.connect(at);
    bhttp::request<bhttp::string_body> req{method, target, 11};
    req.set(bhttp::field::host, "127.0.0.1");
    req.set(bhttp::field::authorization, "Bearer " + root_token);
    if (!body.empty()) {
        req.set(bhttp::field::content_type, "application/json");
        req.body() = body;
        req.prepare_payload();
    }
    bhttp::write(socket, req);
    boost::beast::flat_buffer buffer;
    bhttp::response<bhttp::string_body> res;
    bhttp::read(socket, buffer, res);
    return res;
}

// Runs `s` on a thread until stopped; the exit code when joined.
struct running {
    explicit running(server::server& s) : s(s), thread([this] { code = this->s.run(); }) {}
    int stop()
    {
        s.stop();
        thread.join();
        return code;
    }
    server::server& s;
    int code = -1;
    std::thread thread;
};

} // namespace

BOOST_AUTO_TEST_CASE(a_server_starts_serves_stops_and_starts_again_on_what_it_left)
{
    test::temp_dir data;
    {
        server::server s(options_for(data.path()));
        running r(s);
        auto const at = s.local_endpoint();
        BOOST_TEST(at.port() != 0);
        BOOST_TEST(ask(at, bhttp::verb::get, "/healthz").result_int() == 200u);
        BOOST_TEST(ask(at, bhttp::verb::put, "/user/1", R"({"firstName":"Andrew"})").body() == "1");
        BOOST_TEST(r.stop() == server::exit_ok);
    }
    BOOST_TEST(std::filesystem::exists(data.path() / "snapshot")); // a clean stop flushes

    server::server again(options_for(data.path()));
    running r(again);
    auto const user = ask(again.local_endpoint(), bhttp::verb::get, "/user/1");
    BOOST_TEST(user.result_int() == 200u);
    BOOST_TEST(user.body().find(R"("firstName":"Andrew")") != std::string::npos, user.body());
    BOOST_TEST(r.stop() == server::exit_ok);
}

BOOST_AUTO_TEST_CASE(start_up_failures_say_why_with_their_exit_code)
{
    test::temp_dir data;
    {
        server::server first(options_for(data.path()));
        try {
            server::server second(options_for(data.path()));
            BOOST_FAIL("a second server started on a locked data directory");
        } catch (server::start_error const& e) {
            BOOST_TEST(e.exit_code == server::exit_failure);
            BOOST_TEST(std::string(e.what()).find("another rosterd is running") != std::string::npos, e.what());
        }
    }
    std::ofstream(data.path() / "snapshot", std::ios::trunc) << "not a snapshot at all";
    try {
        server::server damaged(options_for(data.path()));
        BOOST_FAIL("a server started on a damaged snapshot");
    } catch (server::start_error const& e) {
        BOOST_TEST(e.exit_code == server::exit_bad_input);
        BOOST_TEST(std::string(e.what()).find("snapshot") != std::string::npos, e.what());
    }
}

BOOST_AUTO_TEST_CASE(main_answers_the_command_line)
{
    auto run = [](std::vector<std::string> args) {
        args.insert(args.begin(), "rosterd");
        std::vector<char const*> argv;
        for (auto const& a : args)
            argv.push_back(a.c_str());
        return server::main(static_cast<int>(argv.size()), argv.data(), {});
    };
    BOOST_TEST(run({"--version"}) == server::exit_ok);
    BOOST_TEST(run({"--threads", "0"}) == server::exit_bad_input);
    BOOST_TEST(run({"--check-config", "--max-tokens-per-user", "5"}) == server::exit_ok);
    test::temp_dir data;
    BOOST_TEST(run({"--data-dir", data.path().string(), "--tls-cert", "/nonexistent.pem", "--tls-key",
                    "/nonexistent.key"}) == server::exit_bad_input);
}
