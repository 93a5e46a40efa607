// Safe concurrent edits on the real binary: ETags on users and groups,
// If-Match on PUT and DELETE (412 on a stale copy), If-None-Match on GET (304).
#define BOOST_TEST_MODULE integration_conditional
#include <boost/test/unit_test.hpp>

#include "../support/api_client.hpp"

#include <utility>
#include <vector>

using namespace rosterd::test;
using bhttp::verb;
namespace json = boost::json;

namespace {

std::string const root_token = "ca58147001da26fb5e5f480129a0d4f1";

struct running_server {
    server_process server{{"--bootstrap-token", root_token}};
};

struct two_admins : running_server, api_client {
    two_admins() : api_client(server.port(), root_token) {}

    // A request with one extra header, on its own connection.
    http_reply with_header(verb method, std::string const& target, bhttp::field name, std::string const& value,
                           std::optional<std::string> body = {})
    {
        return with_headers(method, target, {{name, value}}, std::move(body));
    }

    // A request with extra header lines, in order (a name may repeat).
    http_reply with_headers(verb method, std::string const& target,
                            std::vector<std::pair<bhttp::field, std::string>> const& headers,
                            std::optional<std::string> body = {})
    {
        auto req = client::make_request(method, target, std::move(body), root_token);
        for (auto const& [name, value] : headers)
            req.insert(name, value);
        auto const res = client(server.port()).send(req);
        BOOST_TEST(hardening_header_problems(res) == "");
        return res;
    }

    std::string etag(std::string const& target)
    {
        auto const res = call(verb::get, target);
        BOOST_TEST_REQUIRE(res.result_int() == 200u);
        auto const tag = std::string(res[bhttp::field::etag]);
        BOOST_TEST_REQUIRE(tag.size() == 34u, tag); // a quoted 128-bit hex tag
        return tag;
    }

    std::string description(std::string const& target)
    {
        auto const user = json::parse(call(verb::get, target).body());
        return user.at("description").is_null() ? "" : std::string(user.at("description").as_string());
    }
};

} // namespace

BOOST_FIXTURE_TEST_SUITE(conditional, two_admins)

BOOST_AUTO_TEST_CASE(without_if_match_a_stale_edit_overwrites_with_it_412)
{
    auto const user = "/user/" + std::to_string(create("/user", R"({"description":"v1"})"));
    // Both admins read the user, then both edit the same field.
    auto const seen_by_a = etag(user);
    auto const seen_by_b = etag(user);
    BOOST_TEST(seen_by_a == seen_by_b);
    BOOST_TEST(call(verb::put, user, {}, R"({"description":"from A"})").result_int() == 200u);

    // The lost update: B's PUT, made from a stale copy, silently wins.
    BOOST_TEST(call(verb::put, user, {}, R"({"description":"from B"})").result_int() == 200u);
    BOOST_TEST(description(user) == "from B");

    // With If-Match, B is told instead, and nothing changes.
    auto const now = etag(user);
    BOOST_TEST(with_header(verb::put, user, bhttp::field::if_match, now, R"({"description":"from A again"})")
                   .result_int() == 200u);
    auto const refused = with_header(verb::put, user, bhttp::field::if_match, now, R"({"description":"from B again"})");
    BOOST_TEST(refused.result_int() == 412u);
    BOOST_TEST(refused[bhttp::field::content_type] == "application/problem+json");
    BOOST_TEST(refused[bhttp::field::etag] == etag(user));
    BOOST_TEST(description(user) == "from A again");
}

BOOST_AUTO_TEST_CASE(a_conditional_put_answers_the_next_version)
{
    auto const user = "/user/" + std::to_string(create("/user", "{}"));
    auto const res = with_header(verb::put, user, bhttp::field::if_match, etag(user), R"({"firstName":"Eve"})");
    BOOST_TEST_REQUIRE(res.result_int() == 200u);
    BOOST_TEST(std::string(res[bhttp::field::etag]) == etag(user));
    BOOST_TEST(with_header(verb::put, user, bhttp::field::if_match, "*", R"({"firstName":"Ivy"})").result_int() == 200u);
    BOOST_TEST(with_header(verb::put, user, bhttp::field::if_match, R"("nope", )" + etag(user), "{}").result_int() == 200u);
    // If-Match compares strongly: a weak tag never matches.
    BOOST_TEST(with_header(verb::put, user, bhttp::field::if_match, "W/" + etag(user), "{}").result_int() == 412u);
}

BOOST_AUTO_TEST_CASE(an_empty_or_malformed_if_match_is_400_and_changes_nothing)
{
    auto const user = "/user/" + std::to_string(create("/user", R"({"description":"kept"})"));
    for (std::string const bad : {"", " ", ",", "abc", "\"open"}) {
        BOOST_TEST_CONTEXT("If-Match: [" << bad << "]") {
            auto const res = with_header(verb::put, user, bhttp::field::if_match, bad, R"({"description":"lost"})");
            BOOST_TEST(res.result_int() == 400u, res.body());
            BOOST_TEST(with_header(verb::delete_, user, bhttp::field::if_match, bad).result_int() == 400u);
        }
    }
    BOOST_TEST(description(user) == "kept");
}

BOOST_AUTO_TEST_CASE(several_if_match_lines_are_one_list)
{
    auto const user = "/user/" + std::to_string(create("/user", "{}"));
    auto const current = etag(user);
    // RFC 9110 §5.3: the lines join into one list, in order.
    auto const put = [&](std::string const& first, std::string const& second) {
        return with_headers(verb::put, user, {{bhttp::field::if_match, first}, {bhttp::field::if_match, second}},
                            R"({"remarks":"r"})")
            .result_int();
    };
    BOOST_TEST(put("\"stale\"", current) == 200u);
    BOOST_TEST(put("\"stale\"", "\"older\"") == 412u);
}

BOOST_AUTO_TEST_CASE(if_none_match_answers_304_while_the_copy_is_current)
{
    auto const user = "/user/" + std::to_string(create("/user", "{}"));
    auto const tag = etag(user);
    for (std::string const& current : {tag, "W/" + tag, std::string("*"), "\"other\", " + tag}) {
        auto const res = with_header(verb::get, user, bhttp::field::if_none_match, current);
        BOOST_TEST(res.result_int() == 304u, current);
        BOOST_TEST(res.body().empty());
        BOOST_TEST(res[bhttp::field::etag] == tag);
    }
    BOOST_TEST(with_header(verb::get, user, bhttp::field::if_none_match, "\"other\"").result_int() == 200u);
    BOOST_TEST(call(verb::put, user, {}, R"({"lastName":"Changed"})").result_int() == 200u);
    BOOST_TEST(with_header(verb::get, user, bhttp::field::if_none_match, tag).result_int() == 200u);
}

BOOST_AUTO_TEST_CASE(deletes_honour_if_match)
{
    auto const group_id = create("/usergroup", R"({"name":"g"})");
    auto const group = "/usergroup/" + std::to_string(group_id);
    auto const user = "/user/" + std::to_string(create("/user", "{}"));
    auto const user_tag = etag(user);
    auto const group_tag = etag(group);
    // Joining the group changes both records.
    BOOST_TEST(call(verb::put, user + "?userGroupId=" + std::to_string(group_id), {}, "{}").result_int() == 200u);
    BOOST_TEST(etag(group) != group_tag);
    BOOST_TEST(with_header(verb::delete_, user, bhttp::field::if_match, user_tag).result_int() == 412u);
    BOOST_TEST(with_header(verb::delete_, group, bhttp::field::if_match, group_tag).result_int() == 412u);
    BOOST_TEST(call(verb::get, user).result_int() == 200u);
    BOOST_TEST(with_header(verb::delete_, group, bhttp::field::if_match, etag(group)).result_int() == 200u);
    BOOST_TEST(with_header(verb::delete_, user, bhttp::field::if_match, etag(user)).result_int() == 200u);
    BOOST_TEST(call(verb::get, user).result_int() == 404u);
}

BOOST_AUTO_TEST_SUITE_END()
