// Idempotency-Key on the real binary: a POST retried with its key makes its
// change once and gets the first answer, on every POST route (native and
// SCIM), across a kill -9; the key is the caller's own; a key reused for
// another request, or malformed, is refused and changes nothing; and a
// token's secret is never shown again.
#define BOOST_TEST_MODULE integration_idempotency
#include <boost/test/unit_test.hpp>

#include "../support/api_client.hpp"

#include <boost/json.hpp>

#include <csignal>
#include <optional>

using namespace rosterd::test;
using bhttp::verb;
namespace json = boost::json;

namespace {

std::string const root_token = "0b7d1e5c9a3f46d28e71c4a9f05b3d62";

struct keyed_server {
    temp_dir dir;
    std::optional<server_process> server;
    keyed_server() { start(); }

    void start() { server.emplace(std::vector<std::string>{"--bootstrap-token", root_token}, dir.path() / "data"); }

    // A request with an Idempotency-Key header (verbatim: "" sends it empty).
    http_reply keyed(verb method, std::string const& target, std::string const& key, std::string const& body,
                     std::string const& token = root_token, std::string const& media = "application/json")
    {
        auto req = client::make_request(method, target, body, token, media);
        req.insert("Idempotency-Key", key);
        auto const res = client(server->port()).send(req);
        BOOST_TEST(hardening_header_problems(res) == "");
        return res;
    }

    api_client api() { return api_client(server->port(), root_token); }

    std::size_t count(std::string const& collection)
    {
        auto a = api();
        return json::parse(a.call(verb::get, collection + "?limit=1000").body()).as_array().size();
    }
    std::size_t audit_events()
    {
        auto a = api();
        return json::parse(a.call(verb::get, "/audit?limit=1000").body()).as_array().size();
    }
};

} // namespace

BOOST_FIXTURE_TEST_SUITE(idempotency, keyed_server)

BOOST_AUTO_TEST_CASE(a_retried_post_makes_one_user_and_gets_the_first_answer)
{
    auto const users = count("/user");
    auto const events = audit_events();
    auto const first = keyed(verb::post, "/user", "\"create-ann-1\"", R"({"firstName":"Ann"})");
    BOOST_TEST_REQUIRE(first.result_int() == 201u, first.body());
    for (int retry = 0; retry < 3; ++retry) {
        auto const again = keyed(verb::post, "/user", "\"create-ann-1\"", R"({"firstName":"Ann"})");
        BOOST_TEST(again.result_int() == 201u, again.body());
        BOOST_TEST(again.body() == first.body());
        BOOST_TEST(again[bhttp::field::location] == first[bhttp::field::location]);
    }
    BOOST_TEST(count("/user") == users + 1);
    // One event for the change; keeping the answer is not one.
    BOOST_TEST(audit_events() == events + 1);
    // Bare, the same characters are the same key.
    BOOST_TEST(keyed(verb::post, "/user", "create-ann-1", R"({"firstName":"Ann"})").body() == first.body());
    BOOST_TEST(count("/user") == users + 1);
}

BOOST_AUTO_TEST_CASE(a_key_reused_for_another_request_is_refused_and_changes_nothing)
{
    BOOST_TEST_REQUIRE(keyed(verb::post, "/user", "k-2", R"({"firstName":"Ann"})").result_int() == 201u);
    auto const users = count("/user");
    auto const other_body = keyed(verb::post, "/user", "k-2", R"({"firstName":"Bob"})");
    BOOST_TEST(other_body.result_int() == 422u, other_body.body());
    BOOST_TEST(other_body[bhttp::field::content_type] == "application/problem+json");
    auto const other_route = keyed(verb::post, "/usergroup", "k-2", R"({"firstName":"Ann"})");
    BOOST_TEST(other_route.result_int() == 422u, other_route.body());
    BOOST_TEST(count("/user") == users);
}

BOOST_AUTO_TEST_CASE(a_key_is_the_callers_own)
{
    auto a = api();
    auto const other = a.create("/user", R"({"superUser":true})");
    auto const other_token = a.token_for(other);
    auto const mine = keyed(verb::post, "/user", "shared-key", R"({"firstName":"Ann"})");
    auto const theirs = keyed(verb::post, "/user", "shared-key", R"({"firstName":"Ann"})", other_token);
    BOOST_TEST_REQUIRE(mine.result_int() == 201u);
    BOOST_TEST_REQUIRE(theirs.result_int() == 201u);
    BOOST_TEST(mine.body() != theirs.body()); // two users: the keys never met
}

BOOST_AUTO_TEST_CASE(a_post_that_changed_nothing_keeps_nothing_and_its_retry_runs)
{
    auto const refused = keyed(verb::post, "/user", "fix-and-retry", R"({"firstName":17})");
    BOOST_TEST(refused.result_int() == 400u);
    // The client corrects the body and retries with the same key: it runs.
    auto const made = keyed(verb::post, "/user", "fix-and-retry", R"({"firstName":"Ann"})");
    BOOST_TEST(made.result_int() == 201u, made.body());
}

BOOST_AUTO_TEST_CASE(a_malformed_key_is_a_400_and_changes_nothing)
{
    auto const users = count("/user");
    for (std::string const& key : {std::string(), std::string("\"\""), std::string("\"open"), std::string("a b"),
                                   std::string("\"a\" extra"), std::string(256, 'k'), std::string("caf\xc3\xa9"),
                                   std::string("\"bad\\escape\"")}) {
        auto const res = keyed(verb::post, "/user", key, R"({"firstName":"Ann"})");
        BOOST_TEST(res.result_int() == 400u, key);
    }
    // Two lines are two keys, even when the first is empty.
    for (auto const& [one, two] : {std::pair{"a", "b"}, std::pair{"", "b"}, std::pair{"a", "a"}}) {
        auto req = client::make_request(verb::post, "/user", R"({"firstName":"Ann"})", root_token);
        req.insert("Idempotency-Key", one);
        req.insert("Idempotency-Key", two);
        BOOST_TEST(client(server->port()).send(req).result_int() == 400u);
    }
    BOOST_TEST(count("/user") == users);
    BOOST_TEST(keyed(verb::post, "/user", std::string(255, 'k'), R"({"firstName":"Ann"})").result_int() == 201u);
}

BOOST_AUTO_TEST_CASE(a_tokens_secret_is_never_shown_again)
{
    auto a = api();
    auto const user = std::to_string(a.create("/user", "{}"));
    auto const first = keyed(verb::post, "/user/" + user + "/token", "token-1", R"({"description":"ci"})");
    BOOST_TEST_REQUIRE(first.result_int() == 201u, first.body());
    auto const made = json::parse(first.body());
    auto const secret = std::string(made.at("token").as_string());
    auto const id = std::to_string(made.at("id").as_int64());
    auto const retry = keyed(verb::post, "/user/" + user + "/token", "token-1", R"({"description":"ci"})");
    BOOST_TEST(retry.result_int() == 409u, retry.body());
    BOOST_TEST(retry.body().find(secret) == std::string::npos);
    BOOST_TEST(retry.body().find("token " + id) != std::string::npos, retry.body());
    BOOST_TEST(json::parse(a.call(verb::get, "/user/" + user + "/token").body()).as_array().size() == 1u);
}

BOOST_AUTO_TEST_CASE(every_post_route_keeps_its_answer)
{
    auto const group = keyed(verb::post, "/usergroup", "g-1", R"({"name":"ops"})");
    BOOST_TEST_REQUIRE(group.result_int() == 201u, group.body());
    BOOST_TEST(keyed(verb::post, "/usergroup", "g-1", R"({"name":"ops"})").body() == group.body());
    BOOST_TEST(count("/usergroup") == 1u);

    auto const scim = "application/scim+json";
    auto const user_body = R"({"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"userName":"ann@example.com"})";
    auto const user = keyed(verb::post, "/scim/v2/Users", "u-1", user_body, root_token, scim);
    BOOST_TEST_REQUIRE(user.result_int() == 201u, user.body());
    auto const again = keyed(verb::post, "/scim/v2/Users", "u-1", user_body, root_token, scim);
    BOOST_TEST(again.result_int() == 201u, again.body());
    BOOST_TEST(again.body() == user.body());
    BOOST_TEST(again[bhttp::field::etag] == user[bhttp::field::etag]);
    BOOST_TEST(again[bhttp::field::content_type] == scim);

    auto const group_body = R"({"schemas":["urn:ietf:params:scim:schemas:core:2.0:Group"],"displayName":"devs"})";
    auto const scim_group = keyed(verb::post, "/scim/v2/Groups", "g-2", group_body, root_token, scim);
    BOOST_TEST_REQUIRE(scim_group.result_int() == 201u, scim_group.body());
    BOOST_TEST(keyed(verb::post, "/scim/v2/Groups", "g-2", group_body, root_token, scim).body() == scim_group.body());
    BOOST_TEST(count("/usergroup") == 2u);

    // A SCIM client's 422 is a SCIM error.
    auto const reused = keyed(verb::post, "/scim/v2/Groups", "g-2", R"({"displayName":"x"})", root_token, scim);
    BOOST_TEST(reused.result_int() == 422u);
    BOOST_TEST(reused.body().find("urn:ietf:params:scim:api:messages:2.0:Error") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(kept_answers_survive_kill_9)
{
    auto const first = keyed(verb::post, "/user", "before-crash", R"({"firstName":"Ann"})");
    BOOST_TEST_REQUIRE(first.result_int() == 201u);
    auto const users = count("/user");
    server->stop(SIGKILL);
    start();
    auto const again = keyed(verb::post, "/user", "before-crash", R"({"firstName":"Ann"})");
    BOOST_TEST(again.result_int() == 201u);
    BOOST_TEST(again.body() == first.body());
    BOOST_TEST(count("/user") == users);
    // And after a clean stop, through the snapshot it writes.
    server->stop(SIGTERM);
    start();
    BOOST_TEST(keyed(verb::post, "/user", "before-crash", R"({"firstName":"Ann"})").body() == first.body());
    BOOST_TEST(count("/user") == users);
}

BOOST_AUTO_TEST_SUITE_END()
