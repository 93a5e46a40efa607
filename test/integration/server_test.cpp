// The real binary over loopback HTTP: the seed's three examples verbatim,
// the order of the status codes, the headers on every path, merge
// semantics, the rights of a plain user and of a group admin, start-up and
// shutdown.
#define BOOST_TEST_MODULE integration_server
#include <boost/test/unit_test.hpp>

#include "../support/server_process.hpp"
#include "../support/wire.hpp"

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include <sys/stat.h>

using namespace rosterd::test;
using bhttp::verb;
namespace json = boost::json;

namespace {

// The token of the seed's second example, used as the bootstrap superuser's.
std::string const root_token = "8280b6a0332360e65691dc97561c0767";

struct running_server {
    server_process server{{"--bootstrap-token", root_token}};
    client root{server.port()};

    std::uint64_t create_user(std::string const& body = "{}", std::string const& query = "")
    {
        auto const res = root.request(verb::post, "/user" + query, body, root_token);
        BOOST_TEST_REQUIRE(res.result_int() == 201u, res.body());
        return std::stoull(res.body());
    }

    std::uint64_t create_group(std::string const& body)
    {
        auto const res = root.request(verb::post, "/usergroup", body, root_token);
        BOOST_TEST_REQUIRE(res.result_int() == 201u, res.body());
        return std::stoull(res.body());
    }

    std::string token_for(std::uint64_t user)
    {
        auto const res = root.request(verb::post, "/user/" + std::to_string(user) + "/token", "{}", root_token);
        BOOST_TEST_REQUIRE(res.result_int() == 201u, res.body());
        return std::string(json::parse(res.body()).at("token").as_string());
    }

    json::object get_user(std::uint64_t id)
    {
        auto const res = root.request(verb::get, "/user/" + std::to_string(id), {}, root_token);
        BOOST_TEST_REQUIRE(res.result_int() == 200u, res.body());
        return json::parse(res.body()).as_object();
    }

    unsigned status(verb method, std::string const& target, std::optional<std::string> body, std::string const& token)
    {
        return root.request(method, target, std::move(body), token).result_int();
    }
};

std::string detail_of(http_reply const& res)
{
    return std::string(json::parse(res.body()).at("detail").as_string());
}

} // namespace

BOOST_FIXTURE_TEST_SUITE(server, running_server)

BOOST_AUTO_TEST_CASE(the_seed_examples_answer_as_the_seed_shows)
{
    for (int i = 2; i <= 7; ++i)
        create_user(R"({"firstName":"user)" + std::to_string(i) + R"("})");
    create_group(R"({"name":"staff"})");

    struct example {
        std::string target;
        std::string body;
        std::string answer;
    };
    for (auto const& ex : {example{"/user/4", R"({ "firstName": "Caroline" })", "4"},
                           example{"/user/1", R"({ "firstName": "Andrew" })", "1"},
                           example{"/user/7?userGroupId=1&groupAdmin=true", "{}", "7"}}) {
        BOOST_TEST_CONTEXT(ex.target) {
            auto const res = root.request(verb::put, ex.target, ex.body, root_token);
            BOOST_TEST(res.result_int() == 200u);
            BOOST_TEST(res.body() == ex.answer);
            BOOST_TEST(res[bhttp::field::content_type] == "application/json");
            BOOST_TEST(hardening_header_problems(res) == "");
        }
    }
    BOOST_TEST(get_user(4).at("firstName").as_string() == "Caroline");
    BOOST_TEST(get_user(1).at("firstName").as_string() == "Andrew");
    BOOST_TEST(json::serialize(get_user(7).at("userGroups")) == R"([{"id":1,"admin":true}])");
}

BOOST_AUTO_TEST_CASE(status_codes_come_in_the_spec_order)
{
    auto const plain = create_user(R"({"firstName":"plain"})");
    auto const other = create_user();
    auto const plain_token = token_for(plain);
    auto const other_path = "/user/" + std::to_string(other);

    // 401 before 404: no token, unknown token, a token for a missing user.
    BOOST_TEST(status(verb::put, "/user/999", "{}", "") == 401u);
    BOOST_TEST(status(verb::put, "/user/999", "{}", "fdcd8cc5-d18e-4a65-80a4-291ee55ef77a") == 401u);
    // 404 before 400: a bad body for a missing or non-numeric user.
    BOOST_TEST(status(verb::put, "/user/999", "[1]", root_token) == 404u);
    BOOST_TEST(status(verb::put, "/user/abc", "{}", root_token) == 404u);
    BOOST_TEST(status(verb::put, "/user/0", "{}", root_token) == 404u);
    // 400 before 403: a plain user sending a bad body about someone else.
    BOOST_TEST(status(verb::put, other_path, R"({"superUser":"yes"})", plain_token) == 400u);
    BOOST_TEST(status(verb::put, other_path + "?bogus=1", "{}", plain_token) == 400u);
    // 403 before "Invalid roles".
    BOOST_TEST(status(verb::put, other_path + "?userGroupId=42", "{}", plain_token) == 403u);
    // "Invalid roles" for a valid caller.
    auto const res = root.request(verb::put, other_path + "?groupAdmin=true", "{}", root_token);
    BOOST_TEST(res.result_int() == 400u);
    BOOST_TEST(detail_of(res).starts_with("Invalid roles"));
    BOOST_TEST(status(verb::put, other_path + "?userGroupId=42", "{}", root_token) == 400u);
    // 415 for another Content-Type; none at all is fine.
    BOOST_TEST(root.request(verb::put, other_path, "{}", root_token, "text/plain").result_int() == 415u);
    BOOST_TEST(root.request(verb::put, other_path, "{}", root_token, "Application/JSON; charset=utf-8").result_int() == 200u);
    BOOST_TEST(root.request(verb::put, other_path, "{}", root_token, "").result_int() == 200u);
    BOOST_TEST(root.request(verb::put, other_path, "", root_token, "").result_int() == 200u);
}

BOOST_AUTO_TEST_CASE(problems_name_the_field)
{
    auto const id = create_user();
    auto const path = "/user/" + std::to_string(id);
    for (auto const& [body, field] : std::vector<std::pair<std::string, std::string>>{
             {R"({"phoneNumber":"0612"})", "phoneNumber"},
             {R"({"superUser":"true"})", "superUser"},
             {R"({"clientId":1.5})", "clientId"},
             {R"({"clientId":-1})", "clientId"},
             {R"({"firstName":null})", "firstName"},
             {R"({"shoeSize":44})", "shoeSize"},
             {R"("just a string")", "body"},
             {R"({"firstName":"a")", "body"},
             {"{\"firstName\":\"\xff\"}", "body"},
             {std::string(100, '[') + std::string(100, ']'), "body"},
             {R"({"clientId":1e400})", "clientId"},
         }) {
        BOOST_TEST_CONTEXT(body) {
            auto const res = root.request(verb::put, path, body, root_token);
            BOOST_TEST(res.result_int() == 400u);
            BOOST_TEST(res[bhttp::field::content_type] == "application/problem+json");
            auto const problem = json::parse(res.body()).as_object();
            BOOST_TEST(problem.at("type").as_string() == "about:blank");
            BOOST_TEST(problem.at("title").as_string() == "Bad Request");
            BOOST_TEST(problem.at("status").as_int64() == 400);
            BOOST_TEST(std::string(problem.at("detail").as_string()).starts_with(field + ":"));
        }
    }
    // Nothing changed.
    BOOST_TEST(get_user(id).at("updated") == get_user(id).at("created"));
}

BOOST_AUTO_TEST_CASE(put_merges_only_the_fields_present)
{
    auto const id = create_user(R"({"firstName":"Ann","lastName":"Lee","emailAddress":"ann@example.org",
                                    "emailAddressVerify":true,"remarks":"r"})");
    auto const path = "/user/" + std::to_string(id);
    BOOST_TEST(status(verb::put, path, R"({"firstName":"Caroline"})", root_token) == 200u);
    auto u = get_user(id);
    BOOST_TEST(u.at("firstName").as_string() == "Caroline");
    BOOST_TEST(u.at("lastName").as_string() == "Lee");
    BOOST_TEST(u.at("emailAddress").as_string() == "ann@example.org");
    BOOST_TEST(u.at("emailAddressVerified").as_bool());
    BOOST_TEST(u.at("remarks").as_string() == "r");

    BOOST_TEST(status(verb::put, path, R"({"emailAddress":"ann@example.com","remarks":null})", root_token) == 200u);
    u = get_user(id);
    BOOST_TEST(!u.at("emailAddressVerified").as_bool());
    BOOST_TEST(u.at("remarks").is_null());
    BOOST_TEST(u.at("lastName").as_string() == "Lee");

    BOOST_TEST(status(verb::put, path, R"({"autoRemoveAfter":"WEEK"})", root_token) == 200u);
    BOOST_TEST(get_user(id).at("removeAt").is_string());
}

BOOST_AUTO_TEST_CASE(a_plain_user_manages_only_their_own_basics)
{
    auto const me = create_user();
    auto const other = create_user();
    auto const token = token_for(me);
    auto const mine = "/user/" + std::to_string(me);
    auto const theirs = "/user/" + std::to_string(other);

    BOOST_TEST(status(verb::put, mine, R"({"firstName":"Me","lastName":"Too","phoneNumber":"+31850607337",
        "emailAddress":"me@example.org","description":"hi"})", token) == 200u);
    BOOST_TEST(status(verb::get, mine, {}, token) == 200u);
    for (auto const* body : {R"({"superUser":true})", R"({"phoneNumberVerify":true})", R"({"emailAddressVerify":true})",
                             R"({"clientId":3})", R"({"remarks":"x"})", R"({"autoRemoveAfter":"WEEK"})"}) {
        auto const res = root.request(verb::put, mine, body, token);
        BOOST_TEST(res.result_int() == 403u, body);
    }
    BOOST_TEST(status(verb::put, theirs, R"({"firstName":"X"})", token) == 403u);
    BOOST_TEST(status(verb::get, theirs, {}, token) == 403u);
    BOOST_TEST(status(verb::post, "/user", "{}", token) == 403u);
    BOOST_TEST(status(verb::post, "/usergroup", R"({"name":"mine"})", token) == 403u);
    BOOST_TEST(status(verb::post, theirs + "/token", "{}", token) == 403u);
    BOOST_TEST(status(verb::post, mine + "/token", "{}", token) == 201u);
    BOOST_TEST(!get_user(me).at("superUser").as_bool());
    BOOST_TEST(get_user(other).at("firstName").as_string() == "");
}

// A connection remembers the hash of its last token (hashed once, not per
// request): switching tokens on one connection, a near-miss of the last
// one, and a token revoked from elsewhere must still be told apart.
BOOST_AUTO_TEST_CASE(one_connection_switches_tokens_and_sees_a_revocation_at_once)
{
    auto const me = create_user();
    auto const token = token_for(me);
    auto const mine = "/user/" + std::to_string(me);
    BOOST_TEST(status(verb::get, mine, {}, token) == 200u);
    BOOST_TEST(status(verb::get, "/user/1", {}, token) == 403u);
    BOOST_TEST(status(verb::get, "/user/1", {}, root_token) == 200u);
    BOOST_TEST(status(verb::get, "/user/1", {}, token) == 403u);
    auto near_miss = token;
    near_miss.back() = near_miss.back() == '0' ? '1' : '0';
    BOOST_TEST(status(verb::get, mine, {}, near_miss) == 401u);
    BOOST_TEST(status(verb::get, mine, {}, token) == 200u);

    // Revoked over another connection right after this one used it: the
    // next request here, the same token again, is refused.
    client other(server.port());
    auto const tokens = other.request(verb::get, mine + "/token", {}, root_token);
    auto const id = json::parse(tokens.body()).as_array().at(0).at("id").as_int64();
    BOOST_TEST(status(verb::get, mine, {}, token) == 200u);
    BOOST_TEST(other.request(verb::delete_, "/token/" + std::to_string(id), {}, root_token).result_int() == 200u);
    BOOST_TEST(status(verb::get, mine, {}, token) == 401u);
}

BOOST_AUTO_TEST_CASE(a_group_admin_manages_the_members_of_their_group)
{
    auto const g = create_group(R"({"name":"team"})");
    auto const g2 = create_group(R"({"name":"other team"})");
    auto const gq = "?userGroupId=" + std::to_string(g);
    auto const admin = create_user("{}", gq + "&groupAdmin=true");
    auto const member = create_user("{}", gq);
    auto const outsider = create_user();
    auto const super = create_user(R"({"superUser":true})", gq);
    auto const token = token_for(admin);
    auto const member_path = "/user/" + std::to_string(member);

    BOOST_TEST(status(verb::get, member_path, {}, token) == 200u);
    BOOST_TEST(status(verb::put, member_path, R"({"remarks":"ok","emailAddress":"m@example.org","emailAddressVerify":true})", token) == 200u);
    BOOST_TEST(get_user(member).at("emailAddressVerified").as_bool());
    BOOST_TEST(status(verb::put, member_path, R"({"superUser":true})", token) == 403u);
    BOOST_TEST(status(verb::put, member_path, R"({"clientId":1})", token) == 403u);
    BOOST_TEST(status(verb::put, member_path + gq + "&groupAdmin=true", "{}", token) == 200u);
    BOOST_TEST(json::serialize(get_user(member).at("userGroups")) == R"([{"id":)" + std::to_string(g) + R"(,"admin":true}])");
    BOOST_TEST(status(verb::put, member_path + "?userGroupId=" + std::to_string(g2), "{}", token) == 403u);
    BOOST_TEST(status(verb::put, "/user/" + std::to_string(outsider), "{}", token) == 403u);
    BOOST_TEST(status(verb::put, "/user/" + std::to_string(outsider) + gq, "{}", token) == 403u);
    BOOST_TEST(status(verb::put, "/user/" + std::to_string(super), R"({"firstName":"x"})", token) == 403u);
    BOOST_TEST(status(verb::get, "/usergroup/" + std::to_string(g), {}, token) == 200u);
    BOOST_TEST(status(verb::get, "/usergroup/" + std::to_string(g2), {}, token) == 403u);
    // A group admin creates users into their own group only.
    BOOST_TEST(status(verb::post, "/user" + gq, R"({"firstName":"new"})", token) == 201u);
    BOOST_TEST(status(verb::post, "/user", "{}", token) == 403u);
}

BOOST_AUTO_TEST_CASE(client_ids_must_agree)
{
    auto const g = create_group(R"({"name":"acme","clientId":5})");
    auto const gq = "?userGroupId=" + std::to_string(g);
    auto const same = create_user(R"({"clientId":5})");
    auto const other = create_user(R"({"clientId":6})");
    auto const none = create_user();
    BOOST_TEST(status(verb::put, "/user/" + std::to_string(same) + gq, "{}", root_token) == 200u);
    BOOST_TEST(status(verb::put, "/user/" + std::to_string(none) + gq, "{}", root_token) == 200u);
    auto const res = root.request(verb::put, "/user/" + std::to_string(other) + gq, "{}", root_token);
    BOOST_TEST(res.result_int() == 400u);
    BOOST_TEST(detail_of(res).starts_with("Invalid roles"));
    // Moving a member to another client would break the rule too.
    BOOST_TEST(status(verb::put, "/user/" + std::to_string(same), R"({"clientId":6})", root_token) == 400u);
}

BOOST_AUTO_TEST_CASE(the_last_superuser_cannot_be_demoted)
{
    BOOST_TEST(status(verb::put, "/user/1", R"({"superUser":false})", root_token) == 403u);
    BOOST_TEST(get_user(1).at("superUser").as_bool());
}

BOOST_AUTO_TEST_CASE(every_path_carries_the_twelve_headers)
{
    std::vector<std::pair<std::string, unsigned>> const raw{
        {"OPTIONS /anything HTTP/1.1\r\nHost: x\r\nOrigin: http://example.org\r\n"
         "Access-Control-Request-Method: PUT\r\n\r\n", 204},
        {"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n", 200},
        {"GET /nowhere HTTP/1.1\r\nHost: x\r\n\r\n", 404},
        {"PATCH /user/1 HTTP/1.1\r\nHost: x\r\n\r\n", 405},
        {"PUT /user/1 HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\n\r\n{}", 401},
        {"GET / HTTP/1.1\r\nHost: x\r\nX-Big: " + std::string(9000, 'a') + "\r\n\r\n", 431},
        {"PUT /user/1 HTTP/1.1\r\nHost: x\r\nContent-Length: 70000\r\n\r\n" + std::string(70000, ' '), 413},
        {"THIS IS NOT HTTP\r\n\r\n", 400},
    };
    for (auto const& [request, code] : raw) {
        BOOST_TEST_CONTEXT(request.substr(0, 30)) {
            client c(server.port());
            auto const replies = parse_responses(c.raw(request + "GET /healthz HTTP/1.1\r\nConnection: close\r\n\r\n"));
            BOOST_TEST_REQUIRE(!replies.empty());
            BOOST_TEST(replies[0].result_int() == code);
            BOOST_TEST(hardening_header_problems(replies[0]) == "");
        }
    }
}

BOOST_AUTO_TEST_CASE(garbage_never_takes_the_server_down)
{
    std::string noise;
    unsigned state = 12345;
    for (int i = 0; i < 20000; ++i) {
        state = state * 1103515245u + 12345u;
        noise.push_back(static_cast<char>(state >> 16));
    }
    for (std::size_t off = 0; off < noise.size(); off += 2000) {
        client c(server.port());
        c.raw(noise.substr(off, 2000));
    }
    BOOST_TEST(status(verb::get, "/healthz", {}, "") == 200u);
}

BOOST_AUTO_TEST_CASE(sigterm_finishes_and_exits_zero)
{
    BOOST_TEST(status(verb::get, "/healthz", {}, "") == 200u);
    BOOST_TEST(status(verb::get, "/readyz", {}, "") == 200u);
    BOOST_TEST(server.stop(SIGTERM) == 0);
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_CASE(without_a_bootstrap_token_one_is_written_to_the_data_dir)
{
    server_process server;
    auto const file = server.data_dir() / "bootstrap-token";
    struct stat st{};
    BOOST_TEST_REQUIRE(::stat(file.c_str(), &st) == 0);
    BOOST_TEST((st.st_mode & 0777) == 0600u);
    BOOST_TEST_REQUIRE(::stat(server.data_dir().c_str(), &st) == 0);
    BOOST_TEST((st.st_mode & 0777) == 0700u);
    auto secret = read_file(file);
    while (!secret.empty() && secret.back() == '\n')
        secret.pop_back();
    BOOST_TEST(secret.size() == 36u);
    client c(server.port());
    BOOST_TEST(c.request(verb::put, "/user/1", R"({"firstName":"Root"})", secret).result_int() == 200u);
    BOOST_TEST(server.log().find(file.string()) != std::string::npos);
    BOOST_TEST(server.log().find(secret) == std::string::npos);
}

BOOST_AUTO_TEST_CASE(a_bad_option_stops_the_start_with_exit_code_2)
{
    auto const r = run_to_exit({"--threads", "0"});
    BOOST_TEST(r.exit_code == 2);
    BOOST_TEST(r.output == "rosterd: --threads: must be a whole number from 1 to 256, not '0'\n");
    BOOST_TEST(run_to_exit({"--listen", "nowhere"}).exit_code == 2);
    BOOST_TEST(run_to_exit({"--frobnicate"}).exit_code == 2);
}

BOOST_AUTO_TEST_CASE(help_and_version_exit_zero)
{
    auto const help = run_to_exit({"--help"});
    BOOST_TEST(help.exit_code == 0);
    BOOST_TEST(help.output.find("--bootstrap-token") != std::string::npos);
    auto const version = run_to_exit({"--version"});
    BOOST_TEST(version.exit_code == 0);
    BOOST_TEST(version.output.starts_with("rosterd "));
}
