// What a delegated admin can reach, on the real binary: through the native
// API and SCIM alike, a group admin takes no one out of use that they could
// not delete, gives no one a name that resolves to someone else, and learns
// nothing from an answer about users they may not read.
#define BOOST_TEST_MODULE integration_trust
#include <boost/test/unit_test.hpp>

#include "../support/api_client.hpp"

#include <boost/json.hpp>

using namespace rosterd::test;
using bhttp::verb;
namespace json = boost::json;

namespace {

std::string const root = "0b7f6f3cf81f4b6e5d3e0c2f8a914d57";
std::string const scim_media = "application/scim+json";

// A superuser (1), a second superuser known by their address (boss), and
// group 1 with its admin and a plain member. Group 2 is not the admin's;
// its admin is also a member of group 1.
struct directory_with_an_admin {
    server_process server{{"--bootstrap-token", root}};
    api_client api{server.port(), root};
    std::uint64_t group = api.create("/usergroup", R"({"name":"staff"})");
    std::uint64_t other_group = api.create("/usergroup", R"({"name":"board"})");
    std::uint64_t boss = api.create("/user", R"({"emailAddress":"Boss@Example.org","superUser":true})",
                                    "?userGroupId=1");
    std::uint64_t admin = api.create("/user", R"({"firstName":"Ada"})", "?userGroupId=1&groupAdmin=true");
    std::uint64_t member = api.create("/user", R"({"firstName":"Max"})", "?userGroupId=1");
    std::uint64_t board_admin = api.create("/user", R"({"firstName":"Bo"})", "?userGroupId=1");
    std::string admin_token = api.token_for(admin);
    std::string boss_token = api.token_for(boss);

    directory_with_an_admin()
    {
        auto const res = api.call(verb::put, "/user/" + std::to_string(board_admin) + "?userGroupId=2&groupAdmin=true",
                                  {}, "{}");
        BOOST_TEST_REQUIRE(res.result_int() == 200u, res.body());
    }

    http_reply as(std::string const& token, verb method, std::string const& target,
                  std::optional<std::string> body = {}, std::string const& media = "application/json")
    {
        auto res = api.connection().request(method, target, std::move(body), token, media);
        BOOST_TEST(hardening_header_problems(res) == "");
        return res;
    }

    http_reply scim(std::string const& token, verb method, std::string const& target,
                    std::optional<std::string> body = {})
    {
        return as(token, method, "/scim/v2" + target, std::move(body), scim_media);
    }

    static std::string user(std::uint64_t id) { return "/user/" + std::to_string(id); }
    static std::string replace_active(bool v)
    {
        return std::string(R"({"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],)")
            + R"("Operations":[{"op":"replace","path":"active","value":)" + (v ? "true" : "false") + "}]}";
    }
    bool active(std::uint64_t id) { return json::parse(api.call(verb::get, user(id)).body()).at("active").as_bool(); }
};

std::string detail(http_reply const& res)
{
    return std::string(json::parse(res.body()).at("detail").as_string());
}

} // namespace

BOOST_FIXTURE_TEST_SUITE(trust, directory_with_an_admin)

BOOST_AUTO_TEST_CASE(a_group_admin_deactivates_only_whom_they_could_remove)
{
    // A superuser in the admin's group, and the admin of another group:
    // deactivating either would be the power of a deletion the admin lacks.
    BOOST_TEST(as(admin_token, verb::put, user(boss), R"({"active":false})").result_int() == 403u);
    BOOST_TEST(as(admin_token, verb::put, user(board_admin), R"({"active":false})").result_int() == 403u);
    BOOST_TEST(scim(admin_token, verb::patch, "/Users/" + std::to_string(boss), replace_active(false)).result_int()
               == 403u);
    auto const refused = scim(admin_token, verb::patch, "/Users/" + std::to_string(board_admin), replace_active(false));
    BOOST_TEST(refused.result_int() == 403u, refused.body());
    BOOST_TEST(active(boss));
    BOOST_TEST(active(board_admin));
    // A plain member of the admin's group: yes, both ways.
    BOOST_TEST(as(admin_token, verb::put, user(member), R"({"active":false})").result_int() == 200u);
    BOOST_TEST(!active(member));
    BOOST_TEST(scim(admin_token, verb::patch, "/Users/" + std::to_string(member), replace_active(true)).result_int()
               == 200u);
    BOOST_TEST(active(member));
}

BOOST_AUTO_TEST_CASE(nobody_deactivates_themselves)
{
    auto const native = as(boss_token, verb::put, user(boss), R"({"active":false})");
    BOOST_TEST(native.result_int() == 403u);
    BOOST_TEST(detail(native).find("nobody deactivates themselves") != std::string::npos, native.body());
    BOOST_TEST(scim(boss_token, verb::patch, "/Users/" + std::to_string(boss), replace_active(false)).result_int()
               == 403u);
    BOOST_TEST(active(boss));
    // Another superuser may.
    BOOST_TEST(api.call(verb::put, user(boss), {}, R"({"active":false})").result_int() == 200u);
}

BOOST_AUTO_TEST_CASE(a_group_admin_schedules_no_removal_of_another_groups_admin)
{
    BOOST_TEST(as(admin_token, verb::put, user(board_admin), R"({"autoRemoveAfter":"WEEK"})").result_int() == 403u);
    BOOST_TEST(as(admin_token, verb::put, user(member), R"({"autoRemoveAfter":"WEEK"})").result_int() == 200u);
}

BOOST_AUTO_TEST_CASE(a_name_that_resolves_to_a_user_is_given_to_no_one_else)
{
    // The boss has no userName: the identity provider finds them by their
    // address. A decoy named so would be found instead, and offboarding
    // would deactivate the decoy.
    auto const native = as(admin_token, verb::post, "/user?userGroupId=1", R"({"userName":"boss@example.org"})");
    BOOST_TEST(native.result_int() == 400u, native.body());
    BOOST_TEST(as(admin_token, verb::put, user(member), R"({"userName":"BOSS@example.org"})").result_int() == 400u);
    auto const provisioned = scim(admin_token, verb::post, "/Users", R"({"userName":"boss@example.org"})");
    BOOST_TEST(provisioned.result_int() == 409u, provisioned.body());
    auto const renamed = scim(admin_token, verb::patch, "/Users/" + std::to_string(member),
                              R"({"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],)"
                              R"("Operations":[{"op":"replace","path":"userName","value":"boss@example.org"}]})");
    BOOST_TEST(renamed.result_int() == 409u, renamed.body());
    // Nor a name that is a user's id while they go by it.
    BOOST_TEST(as(admin_token, verb::put, user(member), R"({"userName":")" + std::to_string(board_admin) + "\"}")
                   .result_int()
               == 400u);

    // The refusal names the holder only to whoever may read them.
    BOOST_TEST(detail(native).find(std::to_string(boss)) == std::string::npos, native.body());
    BOOST_TEST(detail(provisioned).find(std::to_string(boss)) == std::string::npos, provisioned.body());
    auto const told = api.call(verb::post, "/user", {}, R"({"userName":"boss@example.org"})");
    BOOST_TEST(told.result_int() == 400u);
    BOOST_TEST(detail(told).find("user " + std::to_string(boss)) != std::string::npos, told.body());
}

BOOST_AUTO_TEST_CASE(a_lookup_resolves_a_name_to_its_rightful_holder_only)
{
    // A decoy made later with the boss's address does not take the name.
    auto const decoy = as(admin_token, verb::post, "/user?userGroupId=1", R"({"emailAddress":"boss@example.org"})");
    BOOST_TEST_REQUIRE(decoy.result_int() == 201u, decoy.body());
    auto const found = scim(root, verb::get, "/Users?filter=userName+eq+%22BOSS%40example.org%22");
    BOOST_TEST_REQUIRE(found.result_int() == 200u, found.body());
    auto const list = json::parse(found.body());
    BOOST_TEST_REQUIRE(list.at("totalResults").as_int64() == 1);
    BOOST_TEST(list.at("Resources").at(0).at("id").as_string() == std::to_string(boss));
    // The decoy goes by their id.
    auto const shown = scim(root, verb::get, "/Users/" + decoy.body());
    BOOST_TEST(json::parse(shown.body()).at("userName").as_string() == decoy.body());
    // The admin cannot read the boss: the lookup finds nothing for them.
    auto const hidden = scim(admin_token, verb::get, "/Users?filter=userName+eq+%22boss%40example.org%22");
    BOOST_TEST(json::parse(hidden.body()).at("totalResults").as_int64() == 0);
}

BOOST_AUTO_TEST_CASE(scim_displays_name_only_what_the_caller_may_read)
{
    auto const g = scim(admin_token, verb::get, "/Groups/" + std::to_string(group));
    BOOST_TEST_REQUIRE(g.result_int() == 200u, g.body());
    bool saw_boss = false;
    auto const members = json::parse(g.body());
    for (auto const& m : members.at("members").as_array()) {
        if (m.at("value").as_string() == std::to_string(boss)) {
            saw_boss = true;
            BOOST_TEST(!m.as_object().contains("display"), g.body());
        } else {
            BOOST_TEST(m.as_object().contains("display"), g.body());
        }
    }
    BOOST_TEST(saw_boss);
    BOOST_TEST(g.body().find("oss@") == std::string::npos); // the boss's address, in any case

    auto const u = scim(admin_token, verb::get, "/Users/" + std::to_string(board_admin));
    BOOST_TEST_REQUIRE(u.result_int() == 200u, u.body());
    auto const shown = json::parse(u.body());
    for (auto const& m : shown.at("groups").as_array())
        BOOST_TEST(m.as_object().contains("display") == (m.at("value").as_string() == std::to_string(group)),
                   u.body());
}

BOOST_AUTO_TEST_CASE(the_audit_trail_shows_an_admin_no_superusers_address)
{
    // The superuser edits the admin's member; the admin may read that
    // event, but not where the superuser works from.
    BOOST_TEST(api.call(verb::put, user(member), {}, R"({"lastName":"Doe"})").result_int() == 200u);
    BOOST_TEST(as(admin_token, verb::put, user(member), R"({"firstName":"Mia"})").result_int() == 200u);
    auto const seen = as(admin_token, verb::get, "/audit?userId=" + std::to_string(member));
    BOOST_TEST_REQUIRE(seen.result_int() == 200u, seen.body());
    std::size_t by_root = 0, by_self = 0;
    auto const events = json::parse(seen.body());
    for (auto const& e : events.as_array()) {
        auto const& actor = e.at("actor");
        if (actor.is_null())
            continue;
        if (actor.at("userId").as_int64() == 1) {
            ++by_root;
            BOOST_TEST(actor.at("address").is_null(), seen.body());
            BOOST_TEST(actor.at("tokenId").is_null(), seen.body());
        } else if (actor.at("userId").as_int64() == static_cast<std::int64_t>(admin)) {
            ++by_self;
            BOOST_TEST(actor.at("address").as_string() == "127.0.0.1", seen.body());
        }
    }
    BOOST_TEST(by_root >= 1u);
    BOOST_TEST(by_self == 1u);
    // A superuser sees every address.
    auto const all = api.call(verb::get, "/audit?userId=" + std::to_string(member));
    BOOST_TEST(all.body().find("\"address\":null") == std::string::npos, all.body());
}

BOOST_AUTO_TEST_SUITE_END()
