// Hostile callers, round two, on the real binary: one spelling per path, no
// permanent lockout (and `rosterd recover` for the operator who lost every
// token anyway), caps on what one caller can make the server hold, and who
// may verify what.
#define BOOST_TEST_MODULE integration_hardening
#include <boost/test/unit_test.hpp>

#include "../support/api_client.hpp"

#include <boost/json/serialize.hpp>

#include <sys/stat.h>

using namespace rosterd::test;
using bhttp::verb;
namespace json = boost::json;

namespace {

std::string const root_token = "135decca4ccc430e62b3d63b382bea3a";

struct hardened_server {
    explicit hardened_server(std::vector<std::string> extra = {}, std::optional<fs::path> data = {})
        : server(with_root(std::move(extra)), std::move(data)), api(server.port(), root_token)
    {
    }

    static std::vector<std::string> with_root(std::vector<std::string> extra)
    {
        extra.insert(extra.begin(), {"--bootstrap-token", root_token});
        return extra;
    }

    unsigned status(verb method, std::string const& target, std::optional<std::string> const& token = {},
                    std::optional<std::string> body = {})
    {
        return api.call(method, target, token, std::move(body)).result_int();
    }

    server_process server;
    api_client api;
};

std::string const user_path(std::uint64_t id) { return "/user/" + std::to_string(id); }

} // namespace

BOOST_AUTO_TEST_CASE(a_path_has_one_spelling)
{
    hardened_server s;
    BOOST_TEST(s.status(verb::get, "/user/1") == 200u);
    for (std::string const alias : {"/user/01", "/user/00001", "/user/%31", "/%75ser/1", "/./user/1", "/user/./1",
                                    "/user/+1", "/x/../user/1", "/user%2F1"}) {
        BOOST_TEST_CONTEXT(alias) {
            BOOST_TEST(s.status(verb::get, alias) == 404u);
            BOOST_TEST(s.status(verb::put, alias, root_token, R"({"firstName":"Alias"})") == 404u);
            BOOST_TEST(s.status(verb::post, alias + "/token", root_token, "{}") == 404u);
        }
    }
    auto const user = json::parse(s.api.call(verb::get, "/user/1").body());
    BOOST_TEST(user.at("firstName").as_string() == "");
}

BOOST_AUTO_TEST_CASE(the_last_lasting_superuser_token_cannot_be_revoked)
{
    hardened_server s;
    // Token 1 is the bootstrap token: the only one a superuser holds.
    auto const refused = s.api.call(verb::delete_, "/token/1");
    BOOST_TEST(refused.result_int() == 403u);
    BOOST_TEST(refused.body().find("no superuser with a token") != std::string::npos, refused.body());

    // An expiring token is no way back in: it would lapse.
    auto const [expiring, expiring_secret] = s.api.new_token(1, R"({"expiresIn":3600})");
    BOOST_TEST(s.status(verb::delete_, "/token/1") == 403u);

    auto const [lasting, lasting_secret] = s.api.new_token(1);
    BOOST_TEST(s.status(verb::delete_, "/token/1") == 200u);
    BOOST_TEST(s.status(verb::get, "/user/1") == 401u); // token 1 is gone
    BOOST_TEST(s.status(verb::delete_, "/token/" + std::to_string(expiring), lasting_secret) == 200u);
    BOOST_TEST(s.status(verb::delete_, "/token/" + std::to_string(lasting), lasting_secret) == 403u);
    BOOST_TEST(s.status(verb::get, "/user/1", lasting_secret) == 200u);
}

BOOST_AUTO_TEST_CASE(the_holder_of_the_last_superuser_token_cannot_be_deleted_or_demoted)
{
    hardened_server s;
    auto const second = s.api.create("/user", R"({"superUser":true})");
    auto const [second_token, second_secret] = s.api.new_token(second);
    // Now user 1's token may go: the second superuser still holds one.
    BOOST_TEST(s.status(verb::delete_, "/token/1") == 200u);

    auto const deleted = s.api.call(verb::delete_, user_path(second), second_secret);
    BOOST_TEST(deleted.result_int() == 403u);
    BOOST_TEST(deleted.body().find("last superuser token") != std::string::npos, deleted.body());
    auto const demoted = s.api.call(verb::put, user_path(second), second_secret, R"({"superUser":false})");
    BOOST_TEST(demoted.result_int() == 403u);
    BOOST_TEST(demoted.body().find("last superuser token") != std::string::npos, demoted.body());
    // User 1 holds no token: demoting them locks nobody out.
    BOOST_TEST(s.status(verb::put, "/user/1", second_secret, R"({"superUser":false})") == 200u);
    BOOST_TEST(s.status(verb::get, user_path(second), second_secret) == 200u);
}

BOOST_AUTO_TEST_CASE(recover_mints_a_token_for_a_stopped_servers_superuser)
{
    temp_dir data;
    {
        hardened_server s({}, data.path());
        // While a server holds the directory, recover refuses.
        auto const busy = run_to_exit({"recover", "--data-dir", data.path().string()});
        BOOST_TEST(busy.exit_code == 1);
        BOOST_TEST(busy.output.find("another rosterd is running") != std::string::npos, busy.output);
        BOOST_TEST(s.server.stop() == 0);
    }
    auto const missing = run_to_exit({"recover", "--data-dir", data.path().string(), "--user", "7"});
    BOOST_TEST(missing.exit_code == 1);
    BOOST_TEST(missing.output.find("no user 7") != std::string::npos, missing.output);

    auto const done = run_to_exit({"recover", "--data-dir", data.path().string()});
    BOOST_TEST_REQUIRE(done.exit_code == 0, done.output);
    auto const file = data.path() / "bootstrap-token";
    BOOST_TEST(done.output.find(file.string()) != std::string::npos, done.output);
    struct stat st {};
    BOOST_TEST_REQUIRE(::stat(file.c_str(), &st) == 0);
    BOOST_TEST((st.st_mode & 0777) == 0600u);
    auto secret = read_file(file);
    while (!secret.empty() && (secret.back() == '\n' || secret.back() == '\r'))
        secret.pop_back();
    BOOST_TEST(secret.size() == 36u);
    BOOST_TEST(done.output.find(secret) == std::string::npos); // the secret is never printed

    server_process again({}, data.path());
    client c(again.port());
    BOOST_TEST(c.request(verb::get, "/user/1", {}, secret).result_int() == 200u);
    BOOST_TEST(c.request(verb::get, "/user/1", {}, root_token).result_int() == 200u);
    BOOST_TEST(again.log().find(secret) == std::string::npos);
}

BOOST_AUTO_TEST_CASE(a_user_holds_at_most_max_tokens_per_user)
{
    hardened_server s({"--max-tokens-per-user", "3"});
    s.api.new_token(1);
    auto const [third, third_secret] = s.api.new_token(1);
    auto const refused = s.api.call(verb::post, "/user/1/token", root_token, "{}");
    BOOST_TEST(refused.result_int() == 409u);
    BOOST_TEST(refused.body().find("--max-tokens-per-user") != std::string::npos, refused.body());
    BOOST_TEST(s.status(verb::delete_, "/token/" + std::to_string(third)) == 200u);
    BOOST_TEST(s.status(verb::post, "/user/1/token", root_token, "{}") == 201u);
}

BOOST_AUTO_TEST_CASE(token_and_member_lists_are_paged)
{
    hardened_server s;
    for (int i = 0; i < 5; ++i)
        s.api.new_token(1); // tokens 2..6
    auto ids = [&](std::string const& target) { return s.api.ids(verb::get, target); };
    using ids_t = std::vector<std::uint64_t>;
    BOOST_TEST(ids("/user/1/token") == (ids_t{1, 2, 3, 4, 5, 6}), boost::test_tools::per_element());
    BOOST_TEST(ids("/user/1/token?limit=2") == (ids_t{1, 2}), boost::test_tools::per_element());
    BOOST_TEST(ids("/user/1/token?offset=4&limit=5") == (ids_t{5, 6}), boost::test_tools::per_element());
    BOOST_TEST(ids("/user/1/token?offset=9").empty());
    BOOST_TEST(s.status(verb::get, "/user/1/token?limit=1001") == 400u);
    BOOST_TEST(s.status(verb::get, "/user/1/token?color=red") == 400u);

    auto const group = s.api.create("/usergroup", R"({"name":"big"})");
    auto const in_group = "?userGroupId=" + std::to_string(group);
    std::vector<std::uint64_t> members;
    for (int i = 0; i < 12; ++i)
        members.push_back(s.api.create("/user", "{}", in_group + (i < 3 ? "&groupAdmin=true" : "")));
    auto const page = json::parse(s.api.call(verb::get, "/usergroup/" + std::to_string(group) + "?offset=1&limit=2").body());
    BOOST_TEST(page.at("memberCount").to_number<int>() == 12);
    BOOST_TEST(page.at("adminCount").to_number<int>() == 3);
    BOOST_TEST(json::serialize(page.at("members")) ==
               "[" + std::to_string(members[1]) + "," + std::to_string(members[2]) + "]");
    BOOST_TEST(json::serialize(page.at("admins")) ==
               "[" + std::to_string(members[1]) + "," + std::to_string(members[2]) + "]");
    auto const whole = json::parse(s.api.call(verb::get, "/usergroup/" + std::to_string(group)).body());
    BOOST_TEST(whole.at("members").as_array().size() == 12u);
    BOOST_TEST(s.status(verb::get, "/usergroup/" + std::to_string(group) + "?limit=5000") == 400u);
    // In the list of groups, each group shows its first ten.
    auto const listed = json::parse(s.api.call(verb::get, "/usergroup").body()).as_array();
    BOOST_TEST_REQUIRE(listed.size() == 1u);
    BOOST_TEST(listed[0].at("members").as_array().size() == 10u);
    BOOST_TEST(listed[0].at("memberCount").to_number<int>() == 12);
}

BOOST_AUTO_TEST_CASE(one_client_address_gets_at_most_max_connections_per_ip)
{
    hardened_server s({"--max-connections-per-ip", "3"});
    std::string const healthz = "GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n";
    auto answered = [&](client& c) {
        boost::system::error_code ec;
        boost::asio::write(c.socket(), boost::asio::buffer(healthz), ec);
        http_reply res;
        boost::beast::flat_buffer buffer;
        if (!ec)
            bhttp::read(c.socket(), buffer, res, ec);
        return !ec && res.result_int() == 200u;
    };
    BOOST_TEST(answered(s.api.connection())); // the first connection
    auto second = std::make_unique<client>(s.server.port());
    client third(s.server.port());
    BOOST_TEST(answered(*second));
    BOOST_TEST(answered(third));
    client fourth(s.server.port());
    BOOST_TEST(!answered(fourth));
    second.reset();
    // The server notices the close asynchronously.
    bool admitted = false;
    for (int i = 0; i < 100 && !admitted; ++i) {
        client again(s.server.port());
        admitted = answered(again);
        if (!admitted)
            std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    BOOST_TEST(admitted);

    hardened_server unlimited({"--max-connections-per-ip", "0"});
    std::vector<std::unique_ptr<client>> many;
    for (int i = 0; i < 300; ++i) {
        many.push_back(std::make_unique<client>(unlimited.server.port()));
        BOOST_TEST_REQUIRE(answered(*many.back()));
    }
}

BOOST_AUTO_TEST_CASE(nobody_verifies_their_own_contacts)
{
    std::string const verify_own = R"({"phoneNumber":"+31850607337","phoneNumberVerify":true})";
    {
        hardened_server s;
        auto const refused = s.api.call(verb::put, "/user/1", root_token, verify_own);
        BOOST_TEST(refused.result_int() == 403u);
        BOOST_TEST(refused.body().find("phoneNumberVerify") != std::string::npos, refused.body());
        // Verifying someone else's is what a superuser is for.
        auto const other = s.api.create("/user", "{}");
        BOOST_TEST(s.status(verb::put, user_path(other), root_token, verify_own) == 200u);
    }
    hardened_server allowed({"--allow-self-verify"});
    BOOST_TEST(allowed.status(verb::put, "/user/1", root_token, verify_own) == 200u);
    auto const me = json::parse(allowed.api.call(verb::get, "/user/1").body());
    BOOST_TEST(me.at("phoneNumberVerified").as_bool());
}

BOOST_AUTO_TEST_CASE(a_group_admin_has_only_self_rights_over_themselves)
{
    hardened_server s;
    auto const staff = s.api.create("/usergroup", R"({"name":"staff"})");
    auto const other = s.api.create("/usergroup", R"({"name":"other"})");
    auto const in_staff = "?userGroupId=" + std::to_string(staff);
    auto const admin = s.api.create("/user", "{}", in_staff + "&groupAdmin=true");
    auto const admin_secret = s.api.token_for(admin);

    BOOST_TEST(s.status(verb::put, user_path(admin), admin_secret, R"({"firstName":"Ada"})") == 200u);
    for (std::string const body : {R"({"remarks":"promoted myself"})", R"({"externalId":"x"})",
                                   R"({"emailAddress":"a@b.example","emailAddressVerify":true})",
                                   R"({"autoRemoveAfter":"WEEK"})"}) {
        BOOST_TEST_CONTEXT(body) {
            BOOST_TEST(s.status(verb::put, user_path(admin), admin_secret, body) == 403u);
        }
    }

    // Members: an admin may schedule a plain member's removal, not that of
    // a member who administers a group the admin does not.
    auto const member = s.api.create("/user", "{}", in_staff);
    auto const other_admin = s.api.create("/user", "{}", in_staff);
    BOOST_TEST(s.status(verb::put, user_path(other_admin) + "?userGroupId=" + std::to_string(other) + "&groupAdmin=true",
                        root_token, "{}") == 200u);
    BOOST_TEST(s.status(verb::put, user_path(member), admin_secret, R"({"autoRemoveAfter":"WEEK"})") == 200u);
    auto const refused = s.api.call(verb::put, user_path(other_admin), admin_secret, R"({"autoRemoveAfter":"WEEK"})");
    BOOST_TEST(refused.result_int() == 403u);
    BOOST_TEST(refused.body().find("autoRemoveAfter") != std::string::npos, refused.body());
    BOOST_TEST(s.status(verb::put, user_path(other_admin), admin_secret, R"({"remarks":"fine"})") == 200u);
    auto const untouched = json::parse(s.api.call(verb::get, user_path(other_admin)).body());
    BOOST_TEST(untouched.at("autoRemoveAfter").is_null());
}

BOOST_AUTO_TEST_CASE(control_characters_are_refused_in_names)
{
    hardened_server s;
    BOOST_TEST(s.status(verb::post, "/usergroup", root_token, R"({"name":"a\u0007b"})") == 400u);
    BOOST_TEST(s.status(verb::post, "/user/1/token", root_token, R"({"description":"a\nb"})") == 400u);
    BOOST_TEST(s.status(verb::put, "/user/1", root_token, R"({"externalId":"a\u001bb"})") == 400u);
    BOOST_TEST(s.status(verb::put, "/user/1", root_token, R"({"authOrganizationId":"a\u007fb"})") == 400u);
    BOOST_TEST(s.status(verb::put, "/user/1", root_token, R"({"remarks":"a\rb"})") == 400u);
    BOOST_TEST(s.status(verb::put, "/user/1", root_token, R"({"description":"line 1\n\tline 2"})") == 200u);
}

BOOST_AUTO_TEST_CASE(a_weak_bootstrap_token_stops_the_start)
{
    temp_dir data;
    for (std::string const weak : {"short", "aaaaaaaaaaaaaaaaaaaa", "abuse-test-root-token",
                                   "00000000-0000-0000-0000-000000000000", "Password1!Password1!Password1!Password1!",
                                   "93c8b2ae-301b-47fe-842f-afe9b98b427a"}) {
        BOOST_TEST_CONTEXT(weak) {
            auto const r = run_to_exit({"--data-dir", data.path().string(), "--bootstrap-token", weak});
            BOOST_TEST(r.exit_code == 2);
            BOOST_TEST(r.output.find("--bootstrap-token") != std::string::npos, r.output);
            BOOST_TEST(r.output.find(weak) == std::string::npos); // a secret is not echoed
        }
    }
}

BOOST_AUTO_TEST_CASE(the_parsers_own_refusals_are_counted_and_logged)
{
    hardened_server s;
    for (std::string const& bad : {std::string("GET /healthz HTTP/1.1\r\n\r\n"),
                                  "GET / HTTP/1.1\r\nHost: x\r\nX-Big: " + std::string(9000, 'a') + "\r\n\r\n"}) {
        client c(s.server.port());
        auto const replies = parse_responses(c.raw(bad));
        BOOST_TEST_REQUIRE(replies.size() == 1u);
        BOOST_TEST(replies[0].count(bhttp::field::connection) == 1u);
    }
    auto const metrics = s.api.call(bhttp::verb::get, "/metrics").body();
    BOOST_TEST(metrics.find(R"(rosterd_requests_total{method="-",route="-",status="400"} 1)") != std::string::npos, metrics);
    BOOST_TEST(metrics.find(R"(rosterd_requests_total{method="-",route="-",status="431"} 1)") != std::string::npos, metrics);
    auto const log = s.server.log();
    BOOST_TEST(log.find("method=GET route=- status=400") != std::string::npos, log);
    // The request line of a header block too large is still read, for the log.
    BOOST_TEST(log.find("method=GET route=- status=431") != std::string::npos, log);
}
