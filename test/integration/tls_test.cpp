// HTTPS on the real binary, with a self-signed certificate made at test
// time: the seed example and the twelve headers over TLS, TLS 1.2 and 1.3
// accepted, TLS 1.1 refused, plain HTTP on the TLS port refused cleanly, a
// renewed certificate served after SIGHUP.
#define BOOST_TEST_MODULE integration_tls
#include <boost/test/unit_test.hpp>

#include "../support/server_process.hpp"
#include "../support/wire.hpp"

#include <boost/asio/ssl.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/ssl/ssl_stream.hpp>

#include <openssl/ssl.h>

#include <csignal>

using namespace rosterd::test;
namespace ssl = boost::asio::ssl;

namespace {

std::string const token = "733909e479560c3e73a495944cb56fbd";

struct certificate {
    temp_dir dir;
    fs::path cert = dir.path() / "cert.pem";
    fs::path key = dir.path() / "key.pem";
    certificate() { renew(); }
    // A new key and certificate under the same file names.
    void renew() const
    {
        auto const cmd = "openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 2"
                         " -subj /CN=127.0.0.1 -addext subjectAltName=IP:127.0.0.1 -keyout " + key.string()
            + " -out " + cert.string() + " 2>/dev/null";
        BOOST_TEST_REQUIRE(std::system(cmd.c_str()) == 0);
        fs::permissions(key, fs::perms::owner_read | fs::perms::owner_write);
    }
};

struct tls_server {
    certificate cert;
    server_process server{{"--tls-cert", cert.cert.string(), "--tls-key", cert.key.string(),
                           "--bootstrap-token", token}};
};

// A TLS client that trusts only our certificate, limited to [min, max].
struct tls_client {
    boost::asio::io_context ioc;
    ssl::context ctx{ssl::context::tls_client};
    std::unique_ptr<boost::beast::ssl_stream<boost::beast::tcp_stream>> tls;

    tls_client(fs::path const& ca, int min_version, int max_version)
    {
        ctx.load_verify_file(ca.string());
        ctx.set_verify_mode(ssl::verify_peer);
        SSL_CTX_set_security_level(ctx.native_handle(), 0); // let the client offer old versions
        SSL_CTX_set_min_proto_version(ctx.native_handle(), min_version);
        SSL_CTX_set_max_proto_version(ctx.native_handle(), max_version);
        tls = std::make_unique<boost::beast::ssl_stream<boost::beast::tcp_stream>>(ioc, ctx);
    }

    boost::system::error_code connect(unsigned short port)
    {
        boost::beast::get_lowest_layer(*tls).connect(tcp::endpoint(boost::asio::ip::make_address("127.0.0.1"), port));
        boost::system::error_code ec;
        tls->handshake(ssl::stream_base::client, ec);
        return ec;
    }

    http_reply put(std::string const& target, std::string const& body)
    {
        bhttp::request<bhttp::string_body> req{bhttp::verb::put, target, 11};
        req.set(bhttp::field::host, "127.0.0.1");
        req.set(bhttp::field::authorization, "Bearer " + token);
        req.set(bhttp::field::content_type, "application/json");
        req.body() = body;
        req.prepare_payload();
        bhttp::write(*tls, req);
        boost::beast::flat_buffer buffer;
        http_reply res;
        bhttp::read(*tls, buffer, res);
        return res;
    }

    std::string version() { return SSL_get_version(tls->native_handle()); }
};

} // namespace

BOOST_FIXTURE_TEST_SUITE(tls, tls_server)

BOOST_AUTO_TEST_CASE(the_seed_example_over_tls_1_3_and_1_2)
{
    for (int version : {TLS1_3_VERSION, TLS1_2_VERSION}) {
        tls_client c(cert.cert, version, version);
        BOOST_TEST_REQUIRE(!c.connect(server.port()));
        BOOST_TEST(c.version() == (version == TLS1_3_VERSION ? "TLSv1.3" : "TLSv1.2"));
        auto const res = c.put("/user/1", R"({ "firstName": "Andrew" })");
        BOOST_TEST(res.result_int() == 200u);
        BOOST_TEST(res.body() == "1");
        BOOST_TEST(hardening_header_problems(res) == "");
    }
}

BOOST_AUTO_TEST_CASE(tls_1_1_is_refused)
{
    tls_client c(cert.cert, TLS1_1_VERSION, TLS1_1_VERSION);
    BOOST_TEST(c.connect(server.port()).failed());
}

BOOST_AUTO_TEST_CASE(plain_http_on_the_tls_port_is_refused_cleanly)
{
    client plain(server.port());
    auto const reply = plain.raw("GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n");
    BOOST_TEST(reply.find("HTTP/1.1 200") == std::string::npos);
    tls_client c(cert.cert, TLS1_2_VERSION, TLS1_3_VERSION);
    BOOST_TEST_REQUIRE(!c.connect(server.port()));
    BOOST_TEST(c.put("/user/1", "{}").result_int() == 200u);
}

BOOST_AUTO_TEST_CASE(sighup_serves_a_renewed_certificate_and_keeps_open_connections)
{
    auto const old_ca = cert.dir.path() / "old.pem";
    fs::copy_file(cert.cert, old_ca);
    tls_client kept(old_ca, TLS1_2_VERSION, TLS1_3_VERSION);
    BOOST_TEST_REQUIRE(!kept.connect(server.port()));
    BOOST_TEST(kept.put("/user/1", "{}").result_int() == 200u);

    cert.renew();
    server.signal(SIGHUP);
    BOOST_TEST_REQUIRE(server.log_shows("TLS certificate and key read anew"));
    BOOST_TEST(kept.put("/user/1", "{}").result_int() == 200u);
    tls_client renewed(cert.cert, TLS1_2_VERSION, TLS1_3_VERSION);
    BOOST_TEST_REQUIRE(!renewed.connect(server.port()));
    BOOST_TEST(renewed.put("/user/1", "{}").result_int() == 200u);
    tls_client stale(old_ca, TLS1_2_VERSION, TLS1_3_VERSION);
    BOOST_TEST(stale.connect(server.port()).failed());

    // A key that does not match the certificate is refused; the renewed pair stays.
    certificate other;
    fs::copy_file(other.key, cert.key, fs::copy_options::overwrite_existing);
    server.signal(SIGHUP);
    BOOST_TEST_REQUIRE(server.log_shows("reload refused"));
    tls_client again(cert.cert, TLS1_2_VERSION, TLS1_3_VERSION);
    BOOST_TEST(!again.connect(server.port()));
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_CASE(a_missing_or_mismatched_certificate_stops_the_start)
{
    certificate a, b;
    auto const missing = run_to_exit({"--tls-cert", "/nonexistent/cert.pem", "--tls-key", a.key.string()});
    BOOST_TEST(missing.exit_code == 2);
    BOOST_TEST(missing.output.starts_with("rosterd: --tls-cert: cannot use /nonexistent/cert.pem"));
    auto const mismatched = run_to_exit({"--tls-cert", a.cert.string(), "--tls-key", b.key.string()});
    BOOST_TEST(mismatched.exit_code == 2);
    BOOST_TEST(mismatched.output.find("--tls-key:") != std::string::npos);
    BOOST_TEST(run_to_exit({"--tls-cert", a.cert.string()}).exit_code == 2);
}

BOOST_AUTO_TEST_CASE(a_key_others_can_read_is_a_warning)
{
    certificate c;
    {
        server_process private_key({"--tls-cert", c.cert.string(), "--tls-key", c.key.string(), "--bootstrap-token", token});
        BOOST_TEST(private_key.log().find("--tls-key") == std::string::npos, private_key.log());
    }
    // Its own group may read it (root:rosterd 0640 for the packaged service).
    fs::permissions(c.key, fs::perms::group_read, fs::perm_options::add);
    {
        server_process group_readable({"--tls-cert", c.cert.string(), "--tls-key", c.key.string(),
                                       "--bootstrap-token", token});
        BOOST_TEST(group_readable.log().find("--tls-key") == std::string::npos, group_readable.log());
    }
    fs::permissions(c.key, fs::perms::others_read, fs::perm_options::add);
    server_process readable({"--tls-cert", c.cert.string(), "--tls-key", c.key.string(), "--bootstrap-token", token});
    BOOST_TEST(readable.log().find("--tls-key: " + c.key.string() + " is readable by its group or by others")
                   != std::string::npos, readable.log());
}
