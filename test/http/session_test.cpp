// run_session over Beast's test stream: every response path, in order,
// with the twelve headers; limits; and a handler that throws.
#define BOOST_TEST_MODULE session
#include <boost/test/unit_test.hpp>

#include "api/service.hpp"
#include "persist/local/committer.hpp"
#include "auth/token.hpp"
#include "http/session_impl.hpp"
#include "../support/wire.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>

#include <stdexcept>
#include <vector>

using namespace rosterd;
using rosterd::test::parse_responses;
using rosterd::test::hardening_header_problems;

namespace {

constexpr std::string_view secret = "session-test-token-0001";

http::response always_throws(api::context&) { throw std::runtime_error("boom"); }

struct fixture {
    store::directory dir;
    persist::committer log{dir, nullptr, persist::system_io(), {persist::durability::memory}, {}};
    std::vector<api::route> table;
    api::service service;
    http::session_limits limits;

    fixture() : table(make_table()), service(dir, log, [] { return store::unix_time{1'800'000'000}; }, table)
    {
        store::user root;
        root.id = 1;
        root.super_user = true;
        dir.apply(store::put_user{root});
        store::token t;
        t.id = 1;
        t.user_id = 1;
        t.hash = auth::hash_token(secret);
        dir.apply(store::put_token{t});
        limits.body_limit = 1024;
        limits.header_limit = 1024;
    }

    static std::vector<api::route> make_table()
    {
        auto const all = api::routes();
        std::vector<api::route> t(all.begin(), all.end());
        t.push_back(api::route{"/boom", http::verb::get, always_throws, false});
        return t;
    }

    // Feeds `wire` to one session and returns what it wrote back. With a
    // `read_size`, the session reads that many bytes at a time, as from a
    // client that dribbles its request.
    std::string run(std::string const& wire, std::size_t read_size = 0)
    {
        boost::asio::io_context ioc;
        boost::beast::test::stream server(ioc);
        boost::beast::test::stream client(ioc);
        server.connect(client);
        if (read_size)
            server.read_size(read_size);
        server.append(wire);
        client.close();
        http::session_state state;
        boost::asio::co_spawn(ioc, http::run_session(server, service, limits, state), boost::asio::detached);
        ioc.run();
        return std::string(client.str());
    }

    std::string run_dribbled(std::string const& wire) { return run(wire, 1); }

    std::string metrics()
    {
        auto lock = dir.read_lock();
        return service.stats().render(dir);
    }

    // As run(), but `rest` arrives only once the session has answered what
    // `head` asked for, as a client waiting for "100 Continue" would send it.
    std::string run_in_two_parts(std::string const& head, std::string const& rest)
    {
        boost::asio::io_context ioc;
        boost::beast::test::stream server(ioc);
        boost::beast::test::stream client(ioc);
        server.connect(client);
        server.append(head);
        http::session_state state;
        boost::asio::co_spawn(ioc, http::run_session(server, service, limits, state), boost::asio::detached);
        ioc.poll();
        client.write_some(boost::asio::buffer(rest));
        client.close();
        ioc.run();
        return std::string(client.str());
    }
};

std::string bearer() { return "Authorization: Bearer " + std::string(secret) + "\r\n"; }

std::string put_user(std::string_view target, std::string_view body, std::string_view headers)
{
    return "PUT " + std::string(target) + " HTTP/1.1\r\nHost: x\r\n" + std::string(headers)
        + "Content-Length: " + std::to_string(body.size()) + "\r\n\r\n" + std::string(body);
}

} // namespace

BOOST_FIXTURE_TEST_SUITE(session, fixture)

// One connection, one request per response path; each answer in order and
// with exactly the twelve headers.
BOOST_AUTO_TEST_CASE(every_response_path_carries_the_twelve_headers)
{
    struct step {
        std::string request;
        unsigned status;
    };
    std::vector<step> const steps{
        {put_user("/user/1", R"({"firstName":"Andrew"})", bearer()), 200},
        {"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n", 200},
        {"POST /usergroup HTTP/1.1\r\nHost: x\r\n" + bearer() + "Content-Length: 16\r\n\r\n{\"name\":\"staff\"}", 201},
        {"OPTIONS /user/1 HTTP/1.1\r\nHost: x\r\n\r\n", 204},
        {put_user("/user/1", "{}", ""), 401},
        {put_user("/user/1", "{}", "Authorization: Bearer wrong-token-000000\r\n"), 401},
        {put_user("/user/2", "{}", bearer()), 404},
        {put_user("/user/1", R"({"phoneNumber":"12"})", bearer()), 400},
        {put_user("/user/1", "{}", bearer() + "Content-Type: text/plain\r\n"), 415},
        {"GET /nowhere HTTP/1.1\r\nHost: x\r\n\r\n", 404},
        {"DELETE /healthz HTTP/1.1\r\nHost: x\r\n\r\n", 405},
        {"GET /boom HTTP/1.1\r\nHost: x\r\n\r\n", 500},
        {"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n", 200},
    };
    std::string wire;
    for (auto const& s : steps)
        wire += s.request;
    auto const responses = parse_responses(run(wire));
    BOOST_TEST_REQUIRE(responses.size() == steps.size());
    for (std::size_t i = 0; i < steps.size(); ++i) {
        BOOST_TEST_CONTEXT("step " << i) {
            BOOST_TEST(responses[i].result_int() == steps[i].status);
            BOOST_TEST(hardening_header_problems(responses[i]) == "");
        }
    }
    BOOST_TEST(responses[0].body() == "1");
    BOOST_TEST(responses[0][boost::beast::http::field::content_type] == "application/json");
    BOOST_TEST(responses[4][boost::beast::http::field::content_type] == "application/problem+json");
    BOOST_TEST(responses[3][boost::beast::http::field::allow] == "GET, PUT, DELETE, OPTIONS");
    // RFC 9110 §11.6.1: every 401, and only a 401, names the scheme.
    BOOST_TEST(responses[4][boost::beast::http::field::www_authenticate] == "Bearer");
    BOOST_TEST(responses[5][boost::beast::http::field::www_authenticate] == "Bearer");
    BOOST_TEST(responses[0].count(boost::beast::http::field::www_authenticate) == 0u);
    BOOST_TEST(responses[10][boost::beast::http::field::allow] == "GET, OPTIONS");
}

BOOST_AUTO_TEST_CASE(a_throwing_handler_is_a_500_and_the_connection_goes_on)
{
    auto const responses = parse_responses(run(
        "GET /boom HTTP/1.1\r\nHost: x\r\n\r\nGET /healthz HTTP/1.1\r\nHost: x\r\n\r\n"));
    BOOST_TEST_REQUIRE(responses.size() == 2u);
    BOOST_TEST(responses[0].result_int() == 500u);
    BOOST_TEST(responses[1].result_int() == 200u);
}

BOOST_AUTO_TEST_CASE(pipelined_requests_are_answered_in_order)
{
    std::string wire;
    for (int i = 0; i < 50; ++i)
        wire += put_user("/user/1", R"({"lastName":"n)" + std::to_string(i) + R"("})", bearer());
    wire += "GET /user/1 HTTP/1.1\r\nHost: x\r\n" + bearer() + "\r\n";
    auto const responses = parse_responses(run(wire));
    BOOST_TEST_REQUIRE(responses.size() == 51u);
    for (int i = 0; i < 50; ++i)
        BOOST_TEST(responses[i].result_int() == 200u);
    BOOST_TEST(responses[50].body().find(R"("lastName":"n49")") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(headers_over_the_limit_are_431_and_close)
{
    auto const wire = "GET /healthz HTTP/1.1\r\nHost: x\r\nX-Pad: " + std::string(2000, 'a')
        + "\r\n\r\nGET /healthz HTTP/1.1\r\nHost: x\r\n\r\n";
    auto const responses = parse_responses(run(wire));
    BOOST_TEST_REQUIRE(responses.size() == 1u);
    BOOST_TEST(responses[0].result_int() == 431u);
    BOOST_TEST(!responses[0].keep_alive());
    BOOST_TEST(hardening_header_problems(responses[0]) == "");
}

BOOST_AUTO_TEST_CASE(a_body_over_the_limit_is_413_and_changes_nothing)
{
    auto const body = R"({"firstName":")" + std::string(2000, 'a') + R"("})";
    auto const responses = parse_responses(run(put_user("/user/1", body, bearer())));
    BOOST_TEST_REQUIRE(responses.size() == 1u);
    BOOST_TEST(responses[0].result_int() == 413u);
    BOOST_TEST(hardening_header_problems(responses[0]) == "");
    BOOST_TEST(dir.find_user(1)->first_name() == "");
}

// SCIM Bulk alone takes bodies past the usual limit, and only so many at
// once in the whole server: a client cannot make every connection hold one.
BOOST_AUTO_TEST_CASE(one_route_takes_larger_bodies_a_few_at_a_time)
{
    std::atomic<unsigned> in_flight{0};
    limits.large_body_request = "POST /scim/v2/Bulk";
    limits.large_body_limit = 8192;
    limits.large_bodies_at_once = 1;
    limits.large_bodies_in_flight = &in_flight;
    auto const bulk = R"({"Operations":[{"method":"DELETE","path":"/Users/99","bulkId":")" + std::string(2000, 'x') +
                      R"("}]})";
    auto const request = [&](std::string_view target) {
        return "POST " + std::string(target) + " HTTP/1.1\r\nHost: x\r\n" + bearer() +
               "Content-Type: application/scim+json\r\nContent-Length: " + std::to_string(bulk.size()) + "\r\n\r\n" + bulk;
    };
    auto const status = [&](std::string const& wire) {
        auto const responses = parse_responses(run(wire));
        BOOST_TEST_REQUIRE(responses.size() == 1u);
        return responses[0].result_int();
    };
    BOOST_TEST(status(request("/scim/v2/Bulk")) == 200u);
    BOOST_TEST(in_flight == 0u); // given back once answered
    BOOST_TEST(status(request("/scim/v2/Users")) == 413u);   // not this route
    BOOST_TEST(status(request("/scim/v2/Bulky")) == 413u);   // nor one that starts like it
    in_flight = 1; // the one place is taken
    BOOST_TEST(status(request("/scim/v2/Bulk")) == 413u);
}

BOOST_AUTO_TEST_CASE(a_malformed_request_is_400_and_close)
{
    for (std::string const bad : {"GET /healthz HTTP/9.9\r\n\r\n", "GET\r\n\r\n",
                                  "PUT /user/1 HTTP/1.1\r\nContent-Length: 5\r\nContent-Length: 7\r\n\r\n{}",
                                  "PUT /user/1 HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n"}) {
        BOOST_TEST_CONTEXT(bad) {
            auto const responses = parse_responses(run(bad + "GET /healthz HTTP/1.1\r\n\r\n"));
            BOOST_TEST_REQUIRE(responses.size() == 1u);
            BOOST_TEST(responses[0].result_int() == 400u);
            BOOST_TEST(!responses[0].keep_alive());
            BOOST_TEST(hardening_header_problems(responses[0]) == "");
        }
    }
}

// Request smuggling lives where two parsers read one message differently:
// every such message is refused, and the connection closed, so that nothing
// after it is read as a request.
BOOST_AUTO_TEST_CASE(ambiguous_framing_is_400_and_close)
{
    std::string const body = R"({"firstName":"Smuggled"})";
    auto const put = [&](std::string const& headers, std::string const& version = "1.1") {
        return "PUT /user/1 HTTP/" + version + "\r\nHost: x\r\n" + bearer() + headers + "\r\n" + body;
    };
    auto const length = "Content-Length: " + std::to_string(body.size()) + "\r\n";
    struct attack {
        std::string wire;
        std::string_view detail;
    };
    std::vector<attack> const attacks{
        {put("Transfer-Encoding: chunked, gzip\r\n"), "Transfer-Encoding other than chunked"},
        {put("Transfer-Encoding: gzip\r\n" + length), "Transfer-Encoding other than chunked"},
        {put("Transfer-Encoding: identity\r\n" + length), "Transfer-Encoding other than chunked"},
        {put("Transfer-Encoding: \"chunked\"\r\n"), "Transfer-Encoding other than chunked"},
        {put("Transfer-Encoding: gzip, chunked\r\n"), "Transfer-Encoding other than chunked"},
        {put("Transfer-Encoding: chunked\r\n", "1.0"), "Transfer-Encoding in an HTTP/1.0 request"},
        {put(length + length), "more than one Content-Length"},
        {put("Content-Length: " + std::to_string(body.size()) + ", " + std::to_string(body.size()) + "\r\n"),
         "more than one Content-Length"},
        {put("X-Folded: a\r\n b\r\n" + length), "obs-fold"},
        {put("X-Folded:\r\n\tb\r\n" + length), "obs-fold"},
        {"PUT /user/1 HTTP/1.1\r\n" + bearer() + length + "\r\n" + body, "exactly one Host"},
        {"PUT /user/1 HTTP/1.1\r\nHost: x\r\nHost: y\r\n" + bearer() + length + "\r\n" + body,
         "more than one Host"},
        {"PUT /user/1 HTTP/1.0\r\nHost: x\r\nHost: y\r\n" + bearer() + length + "\r\n" + body,
         "more than one Host"},
    };
    for (auto const& a : attacks) {
        for (bool const dribbled : {false, true}) {
            BOOST_TEST_CONTEXT(a.wire << (dribbled ? " (dribbled)" : "")) {
                auto const next = std::string("GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n");
                auto const wire = a.wire + next;
                auto const responses = parse_responses(dribbled ? run_dribbled(wire) : run(wire));
                BOOST_TEST_REQUIRE(responses.size() == 1u);
                BOOST_TEST(responses[0].result_int() == 400u);
                BOOST_TEST(!responses[0].keep_alive());
                BOOST_TEST(responses[0].body().find(a.detail) != std::string::npos, responses[0].body());
                BOOST_TEST(hardening_header_problems(responses[0]) == "");
                BOOST_TEST(dir.find_user(1)->first_name() == "");
            }
        }
    }
}

BOOST_AUTO_TEST_CASE(a_request_arriving_byte_by_byte_is_read_once)
{
    // Every field is seen once however the header arrives: a chunked body
    // whose header came in pieces is not mistaken for a repeated
    // Transfer-Encoding, nor Host for two.
    std::string const chunked = "PUT /user/1 HTTP/1.1\r\nHost: x\r\n" + bearer()
        + "Transfer-Encoding: chunked\r\n\r\n" + "12\r\n{\"firstName\":\"Di\"}\r\n0\r\n\r\n";
    auto const responses = parse_responses(run_dribbled(chunked + "GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n"));
    BOOST_TEST_REQUIRE(responses.size() == 2u);
    BOOST_TEST(responses[0].result_int() == 200u);
    BOOST_TEST(responses[1].result_int() == 200u);
    BOOST_TEST(dir.find_user(1)->first_name() == "Di");
}

BOOST_AUTO_TEST_CASE(garbage_is_refused_before_its_header_is_whole)
{
    // A TLS ClientHello on the plain port has no line end: its first bytes
    // are refused. A bad request line is refused once it is whole. Both are
    // followed here by the end of the stream, which would otherwise end the
    // connection without an answer.
    std::string const hello("\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03", 11);
    for (std::string const& wire : {hello, std::string("GET /healthz HTTP/9.9\r\nHost: x\r\n")}) {
        for (std::size_t const read_size : {std::size_t(0), std::size_t(1)}) {
            auto const responses = parse_responses(run(wire, read_size));
            BOOST_TEST_REQUIRE(responses.size() == 1u);
            BOOST_TEST(responses[0].result_int() == 400u);
        }
    }
}

BOOST_AUTO_TEST_CASE(the_header_limit_counts_the_request_line_and_headers_together)
{
    // Each under the 1024-byte limit, together over it.
    auto const wire = "GET /healthz?pad=" + std::string(600, 'a') + " HTTP/1.1\r\nHost: x\r\nX-Pad: "
        + std::string(600, 'b') + "\r\n\r\n";
    for (bool const dribbled : {false, true}) {
        auto const responses = parse_responses(dribbled ? run_dribbled(wire) : run(wire));
        BOOST_TEST_REQUIRE(responses.size() == 1u);
        BOOST_TEST(responses[0].result_int() == 431u);
    }
}

BOOST_AUTO_TEST_CASE(the_sessions_own_refusals_are_counted)
{
    run("GET /healthz HTTP/1.1\r\n\r\n");
    run("GET / HTTP/1.1\r\nHost: x\r\nX-Pad: " + std::string(2000, 'a') + "\r\n\r\n");
    auto const text = metrics();
    BOOST_TEST(text.find(R"(rosterd_requests_total{method="-",route="-",status="400"} 1)") != std::string::npos, text);
    BOOST_TEST(text.find(R"(rosterd_requests_total{method="-",route="-",status="431"} 1)") != std::string::npos, text);
}

BOOST_AUTO_TEST_CASE(http_1_0_closes_unless_asked_to_keep_alive)
{
    auto responses = parse_responses(run("GET /healthz HTTP/1.0\r\n\r\nGET /healthz HTTP/1.0\r\n\r\n"));
    BOOST_TEST_REQUIRE(responses.size() == 1u);
    BOOST_TEST(responses[0].result_int() == 200u);

    responses = parse_responses(run("GET /healthz HTTP/1.0\r\nConnection: keep-alive\r\n\r\n"
                                    "GET /healthz HTTP/1.0\r\n\r\n"));
    BOOST_TEST(responses.size() == 2u);
}

BOOST_AUTO_TEST_CASE(expect_100_continue_gets_an_interim_answer)
{
    std::string const body = R"({"firstName":"Ann"})";
    auto const wire = put_user("/user/1", body, bearer() + "Expect: 100-continue\r\n");
    auto const head = wire.substr(0, wire.size() - body.size());
    auto responses = parse_responses(run_in_two_parts(head, body));
    BOOST_TEST_REQUIRE(responses.size() == 2u);
    BOOST_TEST(responses[0].result_int() == 100u);
    BOOST_TEST(hardening_header_problems(responses[0]) == "");
    BOOST_TEST(responses[1].result_int() == 200u);
    BOOST_TEST(dir.find_user(1)->first_name() == "Ann");

    // An HTTP/1.0 client cannot read an interim answer (RFC 9110 §15.2).
    auto const old = "PUT /user/1 HTTP/1.0\r\n" + bearer() + "Expect: 100-continue\r\nContent-Length: "
        + std::to_string(body.size()) + "\r\n\r\n";
    responses = parse_responses(run_in_two_parts(old, R"({"firstName":"Cyd"})"));
    BOOST_TEST_REQUIRE(responses.size() == 1u);
    BOOST_TEST(responses[0].result_int() == 200u);

    // A body that came with the headers needs no interim answer (RFC 9110 §10.1.1).
    responses = parse_responses(run(put_user("/user/1", R"({"firstName":"Bo"})", bearer() + "Expect: 100-continue\r\n")));
    BOOST_TEST_REQUIRE(responses.size() == 1u);
    BOOST_TEST(responses[0].result_int() == 200u);
    BOOST_TEST(dir.find_user(1)->first_name() == "Bo");
}

BOOST_AUTO_TEST_SUITE_END()

// The parser on its own: what a connection keeps between requests.
BOOST_AUTO_TEST_CASE(a_large_body_is_not_kept_for_the_next_request)
{
    http::request req;
    auto parse = [&req](std::string const& wire) {
        http::request_parser parser(req);
        parser.body_limit(1 << 20);
        parser.eager(true);
        boost::beast::error_code ec;
        parser.put(boost::asio::buffer(wire), ec);
        BOOST_TEST_REQUIRE(!ec);
        BOOST_TEST_REQUIRE(parser.is_done());
    };
    std::string const big(300 * 1024, 'x');
    parse("PUT /user/1 HTTP/1.1\r\nHost: x\r\nContent-Length: " + std::to_string(big.size()) + "\r\n\r\n" + big);
    BOOST_TEST(req.body == big);
    parse("GET /healthz HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer a\r\nAuthorization: Bearer b\r\n\r\n");
    BOOST_TEST(req.body.empty());
    BOOST_TEST(req.body.capacity() <= 4u * 1024u);
    BOOST_TEST(req.authorization == "Bearer a"); // the first of a repeated header counts
    BOOST_TEST(req.target == "/healthz");
}

BOOST_AUTO_TEST_CASE(a_header_block_ends_at_its_empty_line)
{
    BOOST_TEST(!http::find_header_block("GET / HTTP/1.1\r\nHost: x\r\n"));
    BOOST_TEST(!http::find_header_block("GET / HTTP/1.1\r\nHost: x\r\n\r"));
    auto const whole = http::find_header_block("GET / HTTP/1.1\r\nHost: x\r\n\r\n{\"a\":1}");
    BOOST_TEST_REQUIRE(whole.has_value());
    BOOST_TEST(whole->size == 27u);
    BOOST_TEST(!whole->folded);
    BOOST_TEST(http::find_header_block("GET / HTTP/1.1\r\nX: a\r\n b\r\n\r\n")->folded);
    BOOST_TEST(http::find_header_block("GET / HTTP/1.1\r\n\tX: a\r\n\r\n")->folded);
    // A fold after the block is the body's business, not the header's.
    BOOST_TEST(!http::find_header_block("GET / HTTP/1.1\r\nHost: x\r\n\r\n\r\n x")->folded);
}
