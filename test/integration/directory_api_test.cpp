// The whole directory API on the real binary: every route and the statuses
// it gives, visibility for a superuser, a group admin and a plain user,
// paging edges, token revocation, /metrics, /openapi.json, the access log.
#define BOOST_TEST_MODULE integration_directory_api
#include <boost/test/unit_test.hpp>

#include "../support/api_client.hpp"

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

using namespace rosterd::test;
using bhttp::verb;
namespace json = boost::json;

namespace {

std::string const root_token = "566b055eec5a6b206455ea76731fee15";

struct running_server {
    server_process server{{"--bootstrap-token", root_token}};
};

struct directory_server : running_server, api_client {
    directory_server() : api_client(server.port(), root_token) {}
};

using ids_t = std::vector<std::uint64_t>;

} // namespace

BOOST_FIXTURE_TEST_SUITE(directory_api, directory_server)

BOOST_AUTO_TEST_CASE(listing_users_follows_visibility_and_filters)
{
    auto const g = create("/usergroup", R"({"name":"team","clientId":7})");
    auto const gq = "?userGroupId=" + std::to_string(g);
    auto const admin = create("/user", R"({"clientId":7})", gq + "&groupAdmin=true");
    auto const member = create("/user", R"({"externalId":"ext-1","emailAddress":"m@example.org"})", gq);
    auto const outsider = create("/user", R"({"clientId":8})");
    auto const admin_token = token_for(admin);
    auto const outsider_token = token_for(outsider);

    BOOST_TEST(ids(verb::get, "/user") == (ids_t{1, admin, member, outsider}), boost::test_tools::per_element());
    BOOST_TEST(ids(verb::get, "/user", admin_token) == (ids_t{admin, member}), boost::test_tools::per_element());
    BOOST_TEST(ids(verb::get, "/user", outsider_token) == (ids_t{outsider}), boost::test_tools::per_element());
    BOOST_TEST(ids(verb::get, "/user?clientId=7") == (ids_t{admin}), boost::test_tools::per_element());
    BOOST_TEST(ids(verb::get, "/user?userGroupId=" + std::to_string(g)) == (ids_t{admin, member}), boost::test_tools::per_element());
    BOOST_TEST(ids(verb::get, "/user?externalId=ext-1") == (ids_t{member}), boost::test_tools::per_element());
    BOOST_TEST(ids(verb::get, "/user?emailAddress=m%40example.org") == (ids_t{member}), boost::test_tools::per_element());
    BOOST_TEST(ids(verb::get, "/user?clientId=99").empty());
}

BOOST_AUTO_TEST_CASE(paging_edges)
{
    for (int i = 0; i < 4; ++i)
        create("/user", "{}");
    BOOST_TEST(ids(verb::get, "/user?limit=2") == (ids_t{1, 2}), boost::test_tools::per_element());
    BOOST_TEST(ids(verb::get, "/user?offset=2&limit=2") == (ids_t{3, 4}), boost::test_tools::per_element());
    BOOST_TEST(ids(verb::get, "/user?offset=4") == (ids_t{5}), boost::test_tools::per_element());
    BOOST_TEST(ids(verb::get, "/user?offset=99").empty());
    BOOST_TEST(ids(verb::get, "/user?limit=0").empty());
    BOOST_TEST(ids(verb::get, "/user?limit=1000").size() == 5u);
    for (auto const* bad : {"/user?limit=1001", "/user?limit=-1", "/user?offset=x", "/user?limit=1&limit=2",
                            "/user?sort=name", "/user?clientId=0", "/usergroup?limit=1001"})
        BOOST_TEST(call(verb::get, bad).result_int() == 400u, bad);
}

BOOST_AUTO_TEST_CASE(deleting_users)
{
    auto const g = create("/usergroup", R"({"name":"g"})");
    auto const u = create("/user", "{}", "?userGroupId=" + std::to_string(g));
    auto const token = token_for(u);
    auto const plain = create("/user", "{}");
    auto const plain_token = token_for(plain);
    auto const path = "/user/" + std::to_string(u);

    BOOST_TEST(call(verb::delete_, path, "").result_int() == 401u);
    BOOST_TEST(call(verb::delete_, "/user/999").result_int() == 404u);
    BOOST_TEST(call(verb::delete_, path, plain_token).result_int() == 403u);
    BOOST_TEST(call(verb::delete_, path, token).result_int() == 403u);
    auto const res = call(verb::delete_, path);
    BOOST_TEST(res.result_int() == 200u);
    BOOST_TEST(res.body() == std::to_string(u));
    BOOST_TEST(call(verb::get, path).result_int() == 404u);
    BOOST_TEST(call(verb::get, "/user/1", token).result_int() == 401u); // their token went with them
    auto const group = json::parse(call(verb::get, "/usergroup/" + std::to_string(g)).body());
    BOOST_TEST(group.at("members").as_array().empty());
    // A new user never gets the old id.
    BOOST_TEST(create("/user", "{}") > plain);
}

BOOST_AUTO_TEST_CASE(the_operator_cannot_be_locked_out)
{
    BOOST_TEST(call(verb::delete_, "/user/1").result_int() == 403u);
    auto const other_root = create("/user", R"({"superUser":true})");
    BOOST_TEST(call(verb::delete_, "/user/" + std::to_string(other_root)).result_int() == 200u);
    BOOST_TEST(call(verb::get, "/user/1").result_int() == 200u);
}

BOOST_AUTO_TEST_CASE(groups_crud_and_visibility)
{
    auto const a = create("/usergroup", R"({"name":"a","clientId":3})");
    auto const b = create("/usergroup", R"({"name":"b"})");
    auto const admin = create("/user", "{}", "?userGroupId=" + std::to_string(a) + "&groupAdmin=true");
    auto const admin_token = token_for(admin);

    BOOST_TEST(ids(verb::get, "/usergroup") == (ids_t{a, b}), boost::test_tools::per_element());
    BOOST_TEST(ids(verb::get, "/usergroup", admin_token) == (ids_t{a}), boost::test_tools::per_element());
    BOOST_TEST(ids(verb::get, "/usergroup?clientId=3") == (ids_t{a}), boost::test_tools::per_element());
    auto const group = json::parse(call(verb::get, "/usergroup/" + std::to_string(a)).body());
    BOOST_TEST(json::serialize(group.at("admins")) == "[" + std::to_string(admin) + "]");
    BOOST_TEST(group.at("name").as_string() == "a");

    for (auto const& [body, code] : std::vector<std::pair<std::string, unsigned>>{
             {"{}", 400}, {R"({"name":""})", 400}, {R"({"name":"x","clientId":0})", 400},
             {R"({"name":"x","color":"red"})", 400}, {R"({"name":5})", 400}})
        BOOST_TEST(call(verb::post, "/usergroup", root_token, body).result_int() == code, body);
    BOOST_TEST(call(verb::delete_, "/usergroup/" + std::to_string(a), admin_token).result_int() == 403u);
    BOOST_TEST(call(verb::delete_, "/usergroup/999").result_int() == 404u);
    BOOST_TEST(call(verb::delete_, "/usergroup/" + std::to_string(a)).result_int() == 200u);
    BOOST_TEST(call(verb::get, "/usergroup/" + std::to_string(a)).result_int() == 404u);
    auto const user = json::parse(call(verb::get, "/user/" + std::to_string(admin)).body());
    BOOST_TEST(user.at("userGroups").as_array().empty());
    BOOST_TEST(call(verb::get, "/usergroup/" + std::to_string(b), admin_token).result_int() == 403u);
}

BOOST_AUTO_TEST_CASE(tokens_are_listed_without_secrets_and_revoked_at_once)
{
    auto const u = create("/user", "{}");
    auto const other = create("/user", "{}");
    auto const first = token_for(u, R"({"description":"laptop","expiresIn":3600})");
    auto const second = token_for(u, R"({"description":"ci"})");
    auto const other_token = token_for(other);
    auto const tokens_path = "/user/" + std::to_string(u) + "/token";

    auto const list = call(verb::get, tokens_path, first);
    BOOST_TEST_REQUIRE(list.result_int() == 200u);
    BOOST_TEST(list.body().find(first) == std::string::npos);
    BOOST_TEST(list.body().find(second) == std::string::npos);
    auto const tokens = json::parse(list.body()).as_array();
    BOOST_TEST_REQUIRE(tokens.size() == 2u);
    BOOST_TEST(tokens[0].at("description").as_string() == "laptop");
    BOOST_TEST(tokens[0].at("expires").is_string());
    BOOST_TEST(tokens[0].at("lastUsed").is_string());
    BOOST_TEST(tokens[1].at("expires").is_null());
    BOOST_TEST(!tokens[0].as_object().contains("token"));
    BOOST_TEST(!tokens[0].as_object().contains("hash"));

    auto const first_id = std::to_string(tokens[0].at("id").as_int64());
    BOOST_TEST(call(verb::get, tokens_path, other_token).result_int() == 403u);
    BOOST_TEST(call(verb::delete_, "/token/" + first_id, other_token).result_int() == 403u);
    BOOST_TEST(call(verb::delete_, "/token/999").result_int() == 404u);
    BOOST_TEST(call(verb::delete_, "/token/" + first_id, second).result_int() == 200u);
    BOOST_TEST(call(verb::get, "/user/" + std::to_string(u), first).result_int() == 401u);
    BOOST_TEST(call(verb::get, "/user/" + std::to_string(u), second).result_int() == 200u);
    for (auto const* bad : {R"({"expiresIn":0})", R"({"expiresIn":315360001})", R"({"expiresIn":"60"})",
                            R"({"description":7})", R"({"scope":"all"})"})
        BOOST_TEST(call(verb::post, tokens_path, root_token, bad).result_int() == 400u, bad);
}

BOOST_AUTO_TEST_CASE(metrics_and_openapi_need_no_token)
{
    call(verb::get, "/user/1");
    auto const metrics = call(verb::get, "/metrics", "");
    BOOST_TEST(metrics.result_int() == 200u);
    BOOST_TEST(metrics[bhttp::field::content_type].starts_with("text/plain; version=0.0.4"));
    BOOST_TEST(metrics.body().find("rosterd_requests_total{method=\"GET\",route=\"/user/{id}\",status=\"200\"} 1") != std::string::npos);
    BOOST_TEST(metrics.body().find("rosterd_open_connections 1") != std::string::npos);
    auto const doc = call(verb::get, "/openapi.json", "");
    BOOST_TEST(doc.result_int() == 200u);
    BOOST_TEST(json::parse(doc.body()).at("openapi").as_string().starts_with("3."));
}

BOOST_AUTO_TEST_CASE(the_access_log_has_one_line_per_request_and_no_secrets)
{
    auto const u = create("/user", "{}");
    auto const secret = token_for(u);
    call(verb::put, "/user/" + std::to_string(u), secret, R"({"firstName":"Secret Body"})");
    auto const log = server.log();
    BOOST_TEST(log.find("msg=request method=PUT route=/user/{id} status=200 bytes=") != std::string::npos);
    BOOST_TEST(log.find("caller=" + std::to_string(u)) != std::string::npos);
    BOOST_TEST(log.find(secret) == std::string::npos);
    BOOST_TEST(log.find(root_token) == std::string::npos);
    BOOST_TEST(log.find("Secret Body") == std::string::npos);
}

BOOST_AUTO_TEST_CASE(log_format_json_writes_one_object_per_line)
{
    server_process json_server({"--log-format", "json", "--bootstrap-token", root_token});
    api_client c(json_server.port(), root_token);
    BOOST_TEST(c.call(verb::put, "/user/1", {}, R"({"firstName":"Ann"})").result_int() == 200u);
    auto const log = json_server.log();
    std::size_t lines = 0;
    bool saw_put = false;
    for (std::size_t at = 0, end; (end = log.find('\n', at)) != std::string::npos; at = end + 1, ++lines) {
        auto const line = json::parse(log.substr(at, end - at)).as_object();
        BOOST_TEST(line.at("time").is_string());
        BOOST_TEST(line.at("level").is_string());
        if (line.at("msg") == "request" && line.at("method") == "PUT") {
            saw_put = true;
            BOOST_TEST(line.at("route") == "/user/{id}");
            BOOST_TEST(line.at("status") == 200);
            BOOST_TEST(line.at("caller") == 1);
            BOOST_TEST(line.at("duration_us").is_int64());
        }
    }
    BOOST_TEST(lines >= 3u); // the start's lines and the request's
    BOOST_TEST(saw_put);
    BOOST_TEST(log.find(root_token) == std::string::npos);
}

BOOST_AUTO_TEST_SUITE_END()
