// Guarding other services, on the real binary: GET /auth as the proxies'
// forward-auth hook (its headers, rules and refusals) and POST /introspect
// (RFC 7662: who may ask, what a working and a failing token answer, and
// the cap on failures). The proxies themselves: test/proxy/guard_test.mjs.
#define BOOST_TEST_MODULE integration_guard
#include <boost/test/unit_test.hpp>

#include "../support/api_client.hpp"

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

using namespace rosterd::test;
using bhttp::verb;
namespace json = boost::json;

namespace {

std::string const root_token = "7d2e9a4c1b3f5e8d0a6c2b4e1f3d5a7c";

struct guard_server {
    explicit guard_server(std::vector<std::string> extra = {})
        : server(with_root(std::move(extra))), api(server.port(), root_token)
    {
    }
    static std::vector<std::string> with_root(std::vector<std::string> extra)
    {
        extra.insert(extra.begin(), {"--bootstrap-token", root_token});
        return extra;
    }
    // POST /introspect with a form body, as `caller`.
    http_reply introspect(std::string const& caller, std::string const& form,
                          std::string const& type = "application/x-www-form-urlencoded")
    {
        auto req = client::make_request(verb::post, "/introspect", form, caller, type);
        auto res = api.connection().send(req);
        BOOST_TEST(hardening_header_problems(res) == "");
        return res;
    }

    server_process server;
    api_client api;
};

} // namespace

BOOST_AUTO_TEST_CASE(auth_tells_a_proxy_who_the_token_belongs_to)
{
    guard_server s;
    auto const ops = s.api.create("/usergroup", R"({"name":"ops"})");
    auto const odd = s.api.create("/usergroup", R"({"name":"admins, \"all\""})");
    auto const ann = s.api.create(
        "/user", R"({"firstName":"Ann","lastName":"Lee","emailAddress":"ann@example.org","userName":"ann"})",
        "?userGroupId=" + std::to_string(ops) + "&groupAdmin=true");
    s.api.call(verb::put, "/user/" + std::to_string(ann) + "?userGroupId=" + std::to_string(odd), {}, "{}");
    auto const token = s.api.token_for(ann);

    auto const res = s.api.call(verb::get, "/auth", token);
    BOOST_TEST(res.result_int() == 200u);
    BOOST_TEST(res.body().empty());
    BOOST_TEST(res["Remote-User"] == "ann");
    BOOST_TEST(res["Remote-User-Id"] == std::to_string(ann));
    BOOST_TEST(res["Remote-Email"] == "ann@example.org");
    BOOST_TEST(res["Remote-Name"] == "Ann Lee");
    BOOST_TEST(res["Remote-Groups"] == R"(ops, "admins, \"all\"")");
    // Any method a proxy may use; rules that hold.
    for (auto const method : {verb::post, verb::put, verb::patch, verb::delete_})
        BOOST_TEST(s.api.call(method, "/auth?group=ops", token).result_int() == 200u);
    BOOST_TEST(s.api.call(verb::get, "/auth?admin=ops&group=ops", token).result_int() == 200u);
    // A user without a userName goes by their id; no address, no header.
    auto const bob = s.api.create("/user", R"({"firstName":"Bob"})");
    auto const bob_token = s.api.token_for(bob);
    auto const b = s.api.call(verb::get, "/auth", bob_token);
    BOOST_TEST(b["Remote-User"] == std::to_string(bob));
    BOOST_TEST(b.count("Remote-Email") == 0u);
    BOOST_TEST(b["Remote-Groups"] == "");
    // Rules that do not hold: 403; a rule that is not one: 400.
    BOOST_TEST(s.api.call(verb::get, "/auth?group=ops", bob_token).result_int() == 403u);
    BOOST_TEST(s.api.call(verb::get, "/auth?superuser=true", token).result_int() == 403u);
    BOOST_TEST(s.api.call(verb::get, "/auth?group=admins", token).result_int() == 403u);
    BOOST_TEST(s.api.call(verb::get, "/auth?superuser=true", root_token).result_int() == 200u);
    BOOST_TEST(s.api.call(verb::get, "/auth?role=x", token).result_int() == 400u);
    BOOST_TEST(s.api.call(verb::get, "/auth?superuser=yes", root_token).result_int() == 400u);
    // No token, a wrong one, a deactivated user's: 401 naming Bearer.
    auto const none = s.api.call(verb::get, "/auth", "");
    BOOST_TEST(none.result_int() == 401u);
    BOOST_TEST(none[bhttp::field::www_authenticate] == "Bearer");
    BOOST_TEST(s.api.call(verb::get, "/auth", "0123456789abcdef0123456789abcdef").result_int() == 401u);
    s.api.call(verb::put, "/user/" + std::to_string(bob), {}, R"({"active":false})");
    BOOST_TEST(s.api.call(verb::get, "/auth", bob_token).result_int() == 401u);
}

BOOST_AUTO_TEST_CASE(introspection_answers_whose_a_token_is_and_nothing_for_one_that_fails)
{
    guard_server s({"--introspect-group", "introspectors"});
    auto const ops = s.api.create("/usergroup", R"({"name":"ops"})");
    auto const introspectors = s.api.create("/usergroup", R"({"name":"introspectors"})");
    auto const ann = s.api.create("/user", R"({"firstName":"Ann","emailAddress":"ann@example.org"})",
                                  "?userGroupId=" + std::to_string(ops));
    auto const service = s.api.create("/user", R"({"firstName":"Service"})",
                                      "?userGroupId=" + std::to_string(introspectors));
    auto const ann_token = s.api.new_token(ann, R"({"expiresIn":3600})");
    auto const service_token = s.api.token_for(service);

    auto const res = s.introspect(service_token, "token=" + ann_token.secret + "&token_type_hint=access_token");
    BOOST_TEST(res.result_int() == 200u);
    auto const o = json::parse(res.body()).as_object();
    BOOST_TEST(o.at("active").as_bool());
    BOOST_TEST(o.at("sub").as_string() == std::to_string(ann));
    BOOST_TEST(o.at("username").as_string() == std::to_string(ann));
    BOOST_TEST(o.at("email").as_string() == "ann@example.org");
    BOOST_TEST(json::serialize(o.at("groups")) == R"(["ops"])");
    BOOST_TEST(o.at("exp").as_int64() > o.at("iat").as_int64());
    // Whatever is wrong with the token, the answer is the same.
    for (std::string const& bad : {std::string("nonsense"), std::string(), ann_token.secret + "x"})
        BOOST_TEST(s.introspect(service_token, "token=" + bad).body() == R"({"active":false})");
    s.api.call(verb::delete_, "/token/" + std::to_string(ann_token.id));
    BOOST_TEST(s.introspect(service_token, "token=" + ann_token.secret).body() == R"({"active":false})");
    // Who may ask, and how.
    BOOST_TEST(s.introspect(s.api.token_for(ann), "token=x").result_int() == 403u);
    BOOST_TEST(s.introspect(root_token, "token=x").result_int() == 200u);
    BOOST_TEST(s.introspect(service_token, R"({"token":"x"})", "application/json").result_int() == 415u);
    BOOST_TEST(s.introspect(service_token, "token=x", "Application/X-WWW-Form-Urlencoded; charset=utf-8").result_int()
               == 200u);
    BOOST_TEST(s.introspect(service_token, "token=x", "application/x-www-form-urlencodedX").result_int() == 415u);
    BOOST_TEST(s.introspect(service_token, "token_type_hint=x").result_int() == 400u);
    BOOST_TEST(s.introspect(service_token, "token=a&token=b").result_int() == 400u);
    BOOST_TEST(s.introspect("", "token=x").result_int() == 401u);
}

BOOST_AUTO_TEST_CASE(introspection_cannot_be_used_to_guess_tokens)
{
    guard_server s;
    auto const token = s.api.token_for(1);
    unsigned refused = 0, answered = 0;
    for (int i = 0; i < 130; ++i) {
        auto const res = s.introspect(root_token, "token=guess" + std::to_string(i));
        (res.result_int() == 429u ? refused : answered) += 1;
    }
    // 100 at once, and a few more as the seconds pass.
    BOOST_TEST(answered >= 100u);
    BOOST_TEST(answered < 115u);
    BOOST_TEST(refused > 0u);
    // Out of attempts, the caller is refused whatever it asks, a working
    // token included, until the budget refills: the answer says nothing.
    BOOST_TEST(s.introspect(root_token, "token=" + token).result_int() == 429u);
}
