#define BOOST_TEST_MODULE router
#include <boost/test/unit_test.hpp>

#include "http/router.hpp"

#include <boost/url/parse.hpp>

#include <array>

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
