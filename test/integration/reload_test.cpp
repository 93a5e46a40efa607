// SIGHUP on the real binary: the configuration file is read anew, what can
// change live applies to new connections, an open keep-alive connection is
// kept across it, a bad file is refused whole and an option that needs a
// restart is named. (A renewed TLS certificate: tls_test.)
#define BOOST_TEST_MODULE integration_reload
#include <boost/test/unit_test.hpp>

#include "../support/server_process.hpp"
#include "../support/wire.hpp"

#include <csignal>
#include <fstream>

using namespace rosterd::test;
using bhttp::verb;

namespace {

std::string const root_token = "ad5bcc8ba1f4b5ee53e5ce1ab6beea54";
std::string const reloaded = "reloaded the configuration";

struct configured_server {
    temp_dir dir;
    fs::path conf = dir.path() / "rosterd.conf";

    void write_conf(std::string const& text) const { std::ofstream(conf) << text; }

    configured_server() { write_conf("max-body = 65536\nlog-level = info\n"); }
};

// A valid body of about `bytes` bytes: JSON's own whitespace pads it.
std::string body_of(std::size_t bytes) { return R"({"firstName":"x")" + std::string(bytes, ' ') + "}"; }

} // namespace

BOOST_FIXTURE_TEST_SUITE(reload, configured_server)

BOOST_AUTO_TEST_CASE(sighup_applies_new_limits_and_keeps_open_connections)
{
    server_process server({"--config", conf.string(), "--bootstrap-token", root_token});
    client kept(server.port());
    BOOST_TEST(kept.request(verb::post, "/user", body_of(1000), root_token).result_int() == 201u);

    write_conf("max-body = 200\nlog-level = info\n");
    server.signal(SIGHUP);
    BOOST_TEST_REQUIRE(server.log_shows(reloaded + ": applied max-body"));

    // The open connection goes on, under the limits it began with...
    BOOST_TEST(kept.request(verb::get, "/user/1", {}, root_token).result_int() == 200u);
    BOOST_TEST(kept.request(verb::post, "/user", body_of(1000), root_token).result_int() == 201u);
    // ...and a new one gets the new limit.
    BOOST_TEST(client(server.port()).request(verb::post, "/user", body_of(1000), root_token).result_int() == 413u);
    BOOST_TEST(client(server.port()).request(verb::post, "/user", body_of(10), root_token).result_int() == 201u);

    // The log level applies at once: warn silences the access log.
    write_conf("max-body = 200\nlog-level = warn\n");
    server.signal(SIGHUP);
    BOOST_TEST_REQUIRE(server.log_shows("applied log-level"));
    auto const requests_before = server.log().size();
    BOOST_TEST(kept.request(verb::get, "/user/1", {}, root_token).result_int() == 200u);
    BOOST_TEST(server.log().size() == requests_before);
    BOOST_TEST(server.stop(SIGTERM) == 0);
}

BOOST_AUTO_TEST_CASE(a_bad_file_is_refused_and_the_running_configuration_stays)
{
    server_process server({"--config", conf.string(), "--bootstrap-token", root_token});
    client kept(server.port());
    write_conf("max-body = 200\nmax-header = lots\nno-such-option = 1\n");
    server.signal(SIGHUP);
    BOOST_TEST_REQUIRE(server.log_shows("reload refused, the configuration in use stays"));
    BOOST_TEST(server.log().find("--max-header") != std::string::npos);
    BOOST_TEST(server.log().find(reloaded) == std::string::npos);
    // Nothing of it applied, not even the valid max-body.
    client fresh(server.port());
    BOOST_TEST(fresh.request(verb::post, "/user", body_of(1000), root_token).result_int() == 201u);
    BOOST_TEST(kept.request(verb::get, "/readyz", {}, "").result_int() == 200u);
    BOOST_TEST(server.stop(SIGTERM) == 0);
}

BOOST_AUTO_TEST_CASE(an_option_that_needs_a_restart_is_named_and_kept)
{
    server_process server({"--config", conf.string()});
    write_conf("max-body = 65536\nlog-level = info\nthreads = 2\ndurability = relaxed\n");
    server.signal(SIGHUP);
    BOOST_TEST_REQUIRE(server.log_shows("kept until a restart: durability, threads"));
    BOOST_TEST(server.log().find(reloaded + ": no option that applies live changed") != std::string::npos);
    client c(server.port());
    BOOST_TEST(c.request(verb::get, "/readyz", {}, "").result_int() == 200u);
    // Still waiting at the next reload: named again.
    server.signal(SIGHUP);
    BOOST_TEST(server.log_shows("kept until a restart: durability, threads", 2));
    // An option is named, never its value: not a token's.
    std::string const token = "0e0c7f6e1b0b4f0ab2b0f3c47cfbd8d1";
    write_conf("bootstrap-token = " + token + "\n");
    server.signal(SIGHUP);
    BOOST_TEST_REQUIRE(server.log_shows("kept until a restart: bootstrap-token"));
    BOOST_TEST(server.log().find(token) == std::string::npos);
    BOOST_TEST(server.stop(SIGTERM) == 0);
}

BOOST_AUTO_TEST_SUITE_END()
