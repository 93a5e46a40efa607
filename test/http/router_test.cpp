#define BOOST_TEST_MODULE router
#include <boost/test/unit_test.hpp>

#include "http/router.hpp"

#include <boost/url/parse.hpp>

#include <array>
#include <span>
#include <string>
#include <vector>

using namespace rosterd::http;
using boost::beast::http::verb;
using kind = match_result::kind;

namespace {

std::array<route_key, 4> const table{{
    {"/user", verb::post},
    {"/user/{id}", verb::get},
    {"/user/{id}", verb::put},
    {"/user/{id}/token", verb::post},
}};

match_result match(router const& r, verb v, std::string_view target)
{
    return r.match(v, boost::urls::parse_origin_form(target).value().encoded_path());
}

} // namespace

BOOST_AUTO_TEST_CASE(found_captures_the_id)
{
    router const r(table);
    auto const m = match(r, verb::put, "/user/42");
    BOOST_TEST((m.outcome == kind::found));
    BOOST_TEST(m.route == 2u);
    BOOST_TEST(m.captured == "42");
    BOOST_TEST(match(r, verb::post, "/user/7/token").route == 3u);
    BOOST_TEST(match(r, verb::put, "/user/4?userGroupId=1").captured == "4");
}

BOOST_AUTO_TEST_CASE(paths_match_only_as_sent)
{
    // One spelling per resource: no decoding, no dot segments.
    router const r(table);
    BOOST_TEST(match(r, verb::get, "/user/%34%32").captured == "%34%32");
    for (auto t : {"/%75ser/4", "/./user/4", "/user/./4", "/x/../user/4", "/user%2F4", "/User/4"})
        BOOST_TEST((match(r, verb::get, t).outcome == kind::not_found), t);
}

BOOST_AUTO_TEST_CASE(wrong_method_lists_the_allowed_ones)
{
    router const r(table);
    auto const m = match(r, verb::delete_, "/user/42");
    BOOST_TEST((m.outcome == kind::method_not_allowed));
    BOOST_TEST(m.allow == "GET, PUT, OPTIONS");
    BOOST_TEST(match(r, verb::get, "/user").allow == "POST, OPTIONS");
}

BOOST_AUTO_TEST_CASE(unknown_paths_are_not_found)
{
    router const r(table);
    for (auto t : {"/", "/users", "/user/4/", "/user/4/token/1", "//user", "/USER/4", "/user/", "/user//token"})
        BOOST_TEST((match(r, verb::get, t).outcome == kind::not_found), t);
}

BOOST_AUTO_TEST_CASE(duplicate_routes_are_rejected)
{
    std::array<route_key, 2> const dup{{{"/a", verb::get}, {"/a", verb::get}}};
    BOOST_CHECK_THROW(router{dup}, std::invalid_argument);
}

namespace {

// What match() answers, found by trying each pattern in table order.
match_result match_in_order(std::span<route_key const> table, verb v, std::string_view path)
{
    auto const segments_of = [](std::string_view p) {
        std::vector<std::string_view> out;
        p.remove_prefix(1);
        if (p.empty())
            return out;
        for (auto slash = p.find('/');; slash = p.find('/')) {
            out.push_back(p.substr(0, slash));
            if (slash == std::string_view::npos)
                return out;
            p.remove_prefix(slash + 1);
        }
    };
    auto const sent = segments_of(path);
    for (auto const& key : table) {
        auto const pattern = segments_of(key.pattern);
        if (pattern.size() != sent.size())
            continue;
        std::string captured;
        bool fits = true;
        for (std::size_t i = 0; fits && i < pattern.size(); ++i) {
            if (pattern[i] == "{id}")
                fits = !(captured = sent[i]).empty();
            else
                fits = pattern[i] == sent[i];
        }
        if (!fits)
            continue;
        match_result m;
        m.captured = captured;
        m.outcome = kind::method_not_allowed;
        for (std::size_t r = 0; r < table.size(); ++r) {
            if (table[r].pattern == key.pattern && table[r].method == v) {
                m.outcome = kind::found;
                m.route = r;
                break;
            }
        }
        return m;
    }
    return {};
}

} // namespace

BOOST_AUTO_TEST_CASE(the_first_pattern_in_table_order_is_the_route)
{
    // A capture first, and a capture beside a literal of the same place.
    std::array<route_key, 7> const overlapping{{
        {"/{id}/x", verb::get},
        {"/a/x", verb::get},
        {"/a/{id}", verb::get},
        {"/a/{id}", verb::put},
        {"/", verb::get},
        {"/b", verb::get},
        {"/{id}", verb::post},
    }};
    router const r(overlapping);
    BOOST_TEST(match(r, verb::get, "/a/x").route == 0u);
    BOOST_TEST(match(r, verb::get, "/a/y").route == 2u);
    BOOST_TEST(match(r, verb::put, "/a/y").route == 3u);
    BOOST_TEST(match(r, verb::get, "/zz/x").captured == "zz");
    BOOST_TEST(match(r, verb::get, "/").route == 4u);
    BOOST_TEST(match(r, verb::get, "/b").route == 5u);
    BOOST_TEST((match(r, verb::get, "/c").outcome == kind::method_not_allowed));
    BOOST_TEST(match(r, verb::get, "/c").allow == "POST, OPTIONS");
    BOOST_TEST((match(r, verb::post, "/b").outcome == kind::method_not_allowed));

    // Every path made of these segments, up to four of them, against the
    // table tried in order.
    std::array<std::string_view, 6> const parts{"a", "b", "x", "y", "", "{id}"};
    std::vector<std::string> paths{"/"};
    for (std::size_t from = 0, n = 0; n < 4; ++n) {
        auto const to = paths.size();
        for (auto i = from; i < to; ++i)
            for (auto part : parts)
                paths.push_back((paths[i] == "/" ? std::string() : paths[i]) + "/" + std::string(part));
        from = to;
    }
    for (auto const& path : paths) {
        for (auto v : {verb::get, verb::put, verb::post}) {
            auto const got = r.match(v, path);
            auto const want = match_in_order(overlapping, v, path);
            BOOST_TEST((got.outcome == want.outcome), path);
            if (got.outcome == kind::found)
                BOOST_TEST(got.route == want.route, path);
            BOOST_TEST(got.captured == want.captured, path);
        }
    }
}

namespace {

// A target's reading as a string: the path, then each parameter (decoded),
// or "refused".
std::string reading(bool parsed, std::string_view path, boost::urls::params_view query)
{
    if (!parsed)
        return "refused";
    std::string out(path);
    for (auto const& param : query)
        out.append(" [").append(param.key).append(param.has_value ? "=" + param.value : "").append("]");
    return out;
}

} // namespace

BOOST_AUTO_TEST_CASE(a_target_reads_as_boost_urls_whole_parse_reads_it)
{
    for (std::string_view target :
         {"/auth", "/a?b", "/a?b=", "/a?&", "/a?b=1&b=2", "//x", "/a%zz", "/a%20b?x=%41&y", "/a?x=a+b%2B", "auth", "",
          "?", "?x=1", "/?x", "/a#f", "/a?b#f", "/a b", "/a?x y", "/a??b=1", "/a?b=1?", "*", "http://x/a", "/a/../b",
          "/a?%zz", "/user/4/token?expires=%31", "/a?=v", "/scim/v2/Users?filter=userName+eq+%22x%22"}) {
        auto const whole = boost::urls::parse_origin_form(target);
        auto const ours = parse_target(target);
        BOOST_TEST(reading(ours.has_value(), ours ? ours->path : "", ours ? ours->query : boost::urls::params_view())
                       == reading(whole.has_value(), whole ? std::string_view(whole->encoded_path()) : "",
                                  whole ? whole->params() : boost::urls::params_view()),
                   target);
    }
    // One difference, chosen: a '?' with nothing after it is no query.
    auto const bare = parse_target("/users?");
    BOOST_TEST_REQUIRE(bare.has_value());
    BOOST_TEST(bare->path == "/users");
    BOOST_TEST(bare->query.empty());
    BOOST_TEST(boost::urls::parse_origin_form("/users?")->params().size() == 1u);
}
