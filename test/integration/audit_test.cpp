// The audit trail on the real binary: every change through the API is an
// event (who, when, from where, which fields), GET /audit and
// GET /user/{id}/history page and filter them under the callers' rights,
// and the trail survives restarts until --audit-retention removes it.
#define BOOST_TEST_MODULE integration_audit
#include <boost/test/unit_test.hpp>

#include "../support/api_client.hpp"

#include <set>
#include "../support/temp_dir.hpp"

#include <boost/json.hpp>

#include <chrono>
#include <thread>

using namespace rosterd::test;
using bhttp::verb;
namespace json = boost::json;

namespace {

std::string const root = "526191bc6b30df493395336e6adf8b2b";

json::array events(api_client& api, std::string const& target, std::optional<std::string> token = {})
{
    auto const res = api.call(verb::get, target, token);
    BOOST_TEST_REQUIRE(res.result_int() == 200u, target + ": " + res.body());
    return json::parse(res.body()).as_array();
}

std::string action(json::value const& e) { return std::string(e.at("action").as_string()); }

std::vector<std::string> fields(json::value const& e)
{
    std::vector<std::string> out;
    for (auto const& f : e.at("fields").as_array())
        out.emplace_back(f.as_string());
    return out;
}

std::vector<std::string> actions(json::array const& list)
{
    std::vector<std::string> out;
    for (auto const& e : list)
        out.push_back(action(e));
    return out;
}

using names = std::vector<std::string>;

} // namespace

BOOST_AUTO_TEST_CASE(every_change_is_an_event_with_its_actor_address_and_field_names)
{
    server_process server({"--bootstrap-token", root});
    api_client api(server.port(), root);

    // The first superuser and their token were made by rosterd itself.
    auto const first = events(api, "/audit");
    BOOST_TEST_REQUIRE(first.size() == 2u);
    BOOST_TEST(actions(first) == (names{"token.created", "user.created"}), boost::test_tools::per_element());
    BOOST_TEST(first[0].at("actor").is_null());

    auto const ann = api.create("/user", R"({"firstName":"Ann","emailAddress":"ann@example.org"})");
    BOOST_TEST(api.call(verb::put, "/user/" + std::to_string(ann), {},
                        R"({"phoneNumber":"+15551234567","description":"x"})").result_int() == 200u);
    // The same values again change nothing, and make no event.
    BOOST_TEST(api.call(verb::put, "/user/" + std::to_string(ann), {}, R"({"description":"x"})").result_int() == 200u);
    auto const group = api.create("/usergroup", R"({"name":"support"})");
    BOOST_TEST(api.call(verb::put, "/user/" + std::to_string(ann) + "?userGroupId=" + std::to_string(group), {},
                        "{}").result_int() == 200u);
    auto const token = api.new_token(ann, R"({"description":"laptop"})");
    BOOST_TEST(api.call(verb::delete_, "/token/" + std::to_string(token.id)).result_int() == 200u);

    auto const all = events(api, "/audit");
    BOOST_TEST(actions(all) == (names{"token.deleted", "token.created", "user.updated", "usergroup.created",
                                      "user.updated", "user.created", "token.created", "user.created"}),
               boost::test_tools::per_element());
    // Newest first, ids falling.
    for (std::size_t i = 1; i < all.size(); ++i)
        BOOST_TEST(all[i - 1].at("id").as_int64() > all[i].at("id").as_int64());

    auto const& created = all[5];
    BOOST_TEST(created.at("userId").as_int64() == static_cast<std::int64_t>(ann));
    BOOST_TEST(fields(created) == (names{"firstName", "emailAddress"}), boost::test_tools::per_element());
    auto const& actor = created.at("actor").as_object();
    BOOST_TEST(actor.at("userId").as_int64() == 1);
    BOOST_TEST(actor.at("tokenId").as_int64() == 1);
    BOOST_TEST(actor.at("address").as_string() == "127.0.0.1");
    BOOST_TEST(fields(all[4]) == (names{"phoneNumber", "description"}), boost::test_tools::per_element());
    BOOST_TEST(all[3].at("userGroupId").as_int64() == static_cast<std::int64_t>(group));
    BOOST_TEST(fields(all[3]) == (names{"name"}), boost::test_tools::per_element());
    BOOST_TEST(fields(all[2]) == (names{"userGroups"}), boost::test_tools::per_element());
    BOOST_TEST(all[1].at("tokenId").as_int64() == static_cast<std::int64_t>(token.id));
    BOOST_TEST(all[1].at("userId").as_int64() == static_cast<std::int64_t>(ann));
    BOOST_TEST(fields(all[1]) == (names{"description"}), boost::test_tools::per_element());

    // No value of a field is in an event, and never a token's secret.
    auto const text = api.call(verb::get, "/audit").body();
    for (auto const* secret : {"+15551234567", "ann@example.org", "Ann", "laptop"})
        BOOST_TEST(text.find(secret) == std::string::npos, secret);
    BOOST_TEST(text.find(token.secret) == std::string::npos);

    // A user's history is their events: record, memberships and tokens.
    auto const history = events(api, "/user/" + std::to_string(ann) + "/history");
    BOOST_TEST(actions(history) == (names{"token.deleted", "token.created", "user.updated", "user.updated",
                                          "user.created"}),
               boost::test_tools::per_element());
    BOOST_TEST(api.call(verb::delete_, "/user/" + std::to_string(ann)).result_int() == 200u);
    // A deleted user's history stays readable for a superuser.
    auto const after = events(api, "/user/" + std::to_string(ann) + "/history?limit=1");
    BOOST_TEST_REQUIRE(after.size() == 1u);
    BOOST_TEST(action(after[0]) == "user.deleted");
    BOOST_TEST(api.call(verb::get, "/user/999/history").result_int() == 404u);
}

BOOST_AUTO_TEST_CASE(filters_and_pages)
{
    server_process server({"--bootstrap-token", root});
    api_client api(server.port(), root);
    auto const a = api.create("/user", R"({"firstName":"A"})");
    auto const b = api.create("/user", R"({"firstName":"B"})");
    auto const b_token = api.token_for(b);
    // b changes their own record: b is the actor.
    BOOST_TEST(api.call(verb::put, "/user/" + std::to_string(b), b_token, R"({"lastName":"Bee"})").result_int()
               == 200u);

    auto const by_b = events(api, "/audit?actor=" + std::to_string(b));
    BOOST_TEST_REQUIRE(by_b.size() == 1u);
    BOOST_TEST(fields(by_b[0]) == (names{"lastName"}), boost::test_tools::per_element());
    BOOST_TEST(events(api, "/audit?userId=" + std::to_string(a)).size() == 1u);
    BOOST_TEST(events(api, "/audit?userId=" + std::to_string(b)).size() == 3u); // created, token, update

    // Paging: offset and limit over the newest-first list.
    auto const all = events(api, "/audit");
    auto const page = events(api, "/audit?offset=1&limit=2");
    BOOST_TEST_REQUIRE(page.size() == 2u);
    BOOST_TEST(page[0].at("id") == all[1].at("id"));
    BOOST_TEST(page[1].at("id") == all[2].at("id"));

    // Times: since and until are inclusive; nothing is in the future.
    auto const newest = std::string(all[0].at("at").as_string());
    BOOST_TEST(events(api, "/audit?since=" + newest).size() >= 1u);
    BOOST_TEST(events(api, "/audit?until=2000-01-01T00:00:00Z").empty());
    BOOST_TEST(events(api, "/audit?since=2999-01-01T00:00:00Z").empty());
    BOOST_TEST(events(api, "/audit?since=2000-01-01T00:00:00Z&until=" + newest).size() == all.size());

    for (auto const* bad : {"/audit?since=yesterday", "/audit?until=2026-02-30T00:00:00Z", "/audit?userId=0",
                            "/audit?actor=x", "/audit?limit=1001", "/audit?colour=red", "/audit?actor=1&actor=2",
                            "/user/2/history?userId=2"}) {
        auto const res = api.call(verb::get, bad);
        BOOST_TEST(res.result_int() == 400u, bad);
        BOOST_TEST(res[bhttp::field::content_type] == "application/problem+json", bad);
    }
}

BOOST_AUTO_TEST_CASE(a_group_admin_sees_their_members_and_others_see_nothing)
{
    server_process server({"--bootstrap-token", root});
    api_client api(server.port(), root);
    auto const team = api.create("/usergroup", R"({"name":"team"})");
    auto const admin = api.create("/user", R"({"firstName":"Admin"})",
                                  "?userGroupId=" + std::to_string(team) + "&groupAdmin=true");
    auto const member = api.create("/user", R"({"firstName":"Member"})", "?userGroupId=" + std::to_string(team));
    auto const outsider = api.create("/user", R"({"firstName":"Out"})");
    auto const admin_token = api.token_for(admin);
    auto const outsider_token = api.token_for(outsider);

    auto const seen = events(api, "/audit", admin_token);
    BOOST_TEST(!seen.empty());
    for (auto const& e : seen) {
        bool const about_member = e.at("userId").is_int64() && (e.at("userId").as_int64() == static_cast<std::int64_t>(member) ||
                                                                 e.at("userId").as_int64() == static_cast<std::int64_t>(admin));
        bool const about_team = e.at("userGroupId").is_int64() && e.at("userGroupId").as_int64() == static_cast<std::int64_t>(team);
        BOOST_TEST((about_member || about_team), json::serialize(e));
    }
    BOOST_TEST(events(api, "/user/" + std::to_string(member) + "/history", admin_token).size() == 1u);
    BOOST_TEST(events(api, "/audit?userId=" + std::to_string(outsider), admin_token).empty());

    BOOST_TEST(api.call(verb::get, "/audit", outsider_token).result_int() == 403u);
    BOOST_TEST(api.call(verb::get, "/user/" + std::to_string(member) + "/history", outsider_token).result_int()
               == 403u);
    // A user may read their own history (their token's creation is in it).
    BOOST_TEST(events(api, "/user/" + std::to_string(outsider) + "/history", outsider_token).size() == 2u);
    BOOST_TEST(api.call(verb::get, "/audit", "").result_int() == 401u);
}

BOOST_AUTO_TEST_CASE(the_trail_survives_restarts_until_its_retention_removes_it)
{
    temp_dir data;
    std::string before;
    {
        server_process server({"--bootstrap-token", root}, data.path());
        api_client api(server.port(), root);
        api.create("/user", R"({"firstName":"Kept"})");
        before = api.call(verb::get, "/audit").body();
        server.stop(SIGKILL); // acknowledged means durable
    }
    {
        server_process server({}, data.path());
        api_client api(server.port(), root);
        BOOST_TEST(api.call(verb::get, "/audit").body() == before);
        // New events continue the ids.
        auto const id = api.create("/user", R"({"firstName":"Next"})");
        auto const list = events(api, "/audit?limit=1");
        BOOST_TEST(list[0].at("userId").as_int64() == static_cast<std::int64_t>(id));
        BOOST_TEST(list[0].at("id").as_int64() == 4);
    }
    // Every event is now at least a second old: a retention of 0 days
    // removes them all as the server starts, for good.
    std::this_thread::sleep_for(std::chrono::milliseconds(1100));
    for (int start = 0; start < 2; ++start) {
        server_process server({"--audit-retention", "0"}, data.path());
        api_client api(server.port(), root);
        json::array list;
        for (int i = 0; i < 100; ++i) { // the trim is a write of its own, just after start
            list = events(api, "/audit");
            if (list.empty())
                break;
            std::this_thread::sleep_for(std::chrono::milliseconds(20));
        }
        BOOST_TEST(list.empty(), json::serialize(list));
        BOOST_TEST(api.call(verb::get, "/user/2").result_int() == 200u); // only the trail goes
        server.stop(SIGKILL);
    }
}

BOOST_AUTO_TEST_CASE(a_user_renaming_themselves_pushes_out_only_their_own_events)
{
    server_process server({"--bootstrap-token", root, "--durability", "memory"});
    api_client api(server.port(), root);
    auto const ann = api.create("/user", R"({"firstName":"Ann"})");
    auto const ann_token = api.token_for(ann);
    auto const before = events(api, "/audit?limit=1000");
    for (int i = 0; i < 1100; ++i) {
        auto const res = api.call(verb::put, "/user/" + std::to_string(ann), ann_token,
                                  R"({"firstName":"Ann )" + std::to_string(i) + "\"}");
        BOOST_TEST_REQUIRE(res.result_int() == 200u, res.body());
    }
    // Every event from before is still there, and 1,000 of her renames.
    std::size_t renames = 0, kept = 0;
    std::set<std::int64_t> ids;
    for (std::size_t offset = 0;; offset += 1000) {
        auto const page = events(api, "/audit?limit=1000&offset=" + std::to_string(offset));
        for (auto const& e : page) {
            ids.insert(e.at("id").as_int64());
            if (!e.at("actor").is_null() && e.at("actor").at("userId").as_int64() == static_cast<std::int64_t>(ann)
                && action(e) == "user.updated")
                ++renames;
        }
        if (page.size() < 1000)
            break;
    }
    for (auto const& e : before)
        kept += ids.count(e.at("id").as_int64());
    BOOST_TEST(kept == before.size());
    BOOST_TEST(renames == 1000u);
}
