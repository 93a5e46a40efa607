// The SCIM filter grammar (RFC 7644 §3.4.2.2, whose examples are all here),
// PATCH paths (§3.5.2), and evaluation against a resource.
#define BOOST_TEST_MODULE scim_filter
#include <boost/test/unit_test.hpp>

#include "scim/filter.hpp"

#include <boost/json/parse.hpp>

using namespace rosterd::scim;
namespace json = boost::json;

namespace {

json::object const& barbara()
{
    static auto const resource = json::parse(R"({
        "schemas": ["urn:ietf:params:scim:schemas:core:2.0:User",
                    "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"],
        "id": "2819c223", "externalId": "Bj-701984", "userName": "bjensen@example.com",
        "name": {"familyName": "O'Malley", "givenName": "Barbara"},
        "title": "Tour Guide", "userType": "Employee", "active": true,
        "emails": [{"value": "bjensen@example.com", "type": "work", "primary": true},
                   {"value": "babs@jensen.org", "type": "home"}],
        "ims": [{"value": "babs@foo.com", "type": "xmpp"}],
        "meta": {"lastModified": "2011-05-13T04:42:34Z"},
        "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User": {"employeeNumber": "701984"}
    })").as_object();
    return resource;
}

bool on_barbara(std::string_view filter) { return matches(*parse_filter(filter), barbara()); }

} // namespace

BOOST_AUTO_TEST_CASE(the_rfc_examples_parse_and_match_as_they_should)
{
    struct example {
        char const* filter;
        bool matches;
    };
    for (auto const& e : std::initializer_list<example>{
             {R"(userName eq "bjensen@example.com")", true},
             {R"(name.familyName co "O'Malley")", true},
             {R"(userName sw "J")", false},
             {R"(userName sw "B")", true},
             {R"(urn:ietf:params:scim:schemas:core:2.0:User:userName sw "bj")", true},
             {R"(title pr)", true},
             {R"(nickName pr)", false},
             {R"(meta.lastModified gt "2011-05-13T04:42:34Z")", false},
             {R"(meta.lastModified ge "2011-05-13T04:42:34Z")", true},
             {R"(meta.lastModified lt "2011-05-13T04:42:34Z")", false},
             {R"(meta.lastModified le "2011-05-13T04:42:34Z")", true},
             {R"(title pr and userType eq "Employee")", true},
             {R"(title pr or userType eq "Intern")", true},
             {R"(schemas eq "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User")", true},
             {R"(userType eq "Employee" and (emails co "example.com" or emails.value co "example.org"))", true},
             {R"(userType ne "Employee" and not (emails co "example.com" or emails.value co "example.org"))", false},
             {R"(userType eq "Employee" and (emails.type eq "work"))", true},
             {R"(userType eq "Employee" and emails[type eq "work" and value co "@example.com"])", true},
             {R"(emails[type eq "home" and value co "@example.com"] or ims[type eq "xmpp" and value co "@foo.com"])",
              true},
             {R"(emails[type eq "home" and value co "@example.com"])", false},
             {R"(urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:employeeNumber eq "701984")", true},
         }) {
        BOOST_TEST(on_barbara(e.filter) == e.matches, e.filter);
    }
}

BOOST_AUTO_TEST_CASE(and_binds_tighter_than_or_and_not_negates)
{
    BOOST_TEST(on_barbara(R"(title pr or nickName pr and nickName pr)"));   // title or (nick and nick)
    BOOST_TEST(!on_barbara(R"((title pr or nickName pr) and nickName pr)"));
    BOOST_TEST(on_barbara(R"(not (nickName pr))"));
    BOOST_TEST(!on_barbara(R"(not(title pr))"));
    BOOST_TEST(on_barbara(R"(not (not (title pr)))"));
}

BOOST_AUTO_TEST_CASE(names_and_operators_ignore_case_and_values_mostly_too)
{
    BOOST_TEST(on_barbara(R"(USERNAME EQ "BJensen@Example.com")"));
    BOOST_TEST(on_barbara(R"(Name.GivenName Sw "bar" AND Title Pr)"));
    // id and externalId are case-exact (RFC 7643).
    BOOST_TEST(on_barbara(R"(externalId eq "Bj-701984")"));
    BOOST_TEST(!on_barbara(R"(externalId eq "bj-701984")"));
    BOOST_TEST(!on_barbara(R"(id eq "2819C223")"));
    // An absent attribute: only ne (and not) match it.
    BOOST_TEST(on_barbara(R"(nickName ne "x")"));
    BOOST_TEST(!on_barbara(R"(nickName eq "x")"));
    BOOST_TEST(on_barbara(R"(userName  eq   "bjensen@example.com")")); // any spaces between tokens
}

BOOST_AUTO_TEST_CASE(literals_are_json_in_any_case)
{
    BOOST_TEST(on_barbara(R"(active eq true)"));
    BOOST_TEST(on_barbara(R"(active eq True)")); // as Entra ID sends it
    BOOST_TEST(!on_barbara(R"(active eq false)"));
    BOOST_TEST(on_barbara(R"(nickName eq null)") == false);
    BOOST_TEST(on_barbara(R"(title ne null)"));
    BOOST_TEST(on_barbara(R"(name.familyName eq "O\u0027Malley")")); // JSON escapes
    auto const f = parse_filter(R"(x gt 1.5e3)");
    auto const& c = std::get<comparison>(f->node);
    BOOST_TEST(c.value.to_number<double>() == 1500.0);
}

BOOST_AUTO_TEST_CASE(malformed_filters_are_refused_with_where)
{
    for (auto const* bad : {"", " ", "userName", "userName eq", "userName eq bjensen", R"(userName eq "bjensen)",
                            R"(userName xx "a")", "(userName pr", "userName pr)", R"(emails[type eq "w")",
                            R"(emails[type eq "w"].value eq "x")", R"(emails[ims[type pr]])", "1abc pr", "a.b.c pr",
                            "foo:bar pr", R"(userName eq "a" and)", R"(userName eq "a" or or title pr)",
                            "title pr and", "not title pr", R"(userName eq {"a":1})", R"(userName eq ["a"])",
                            R"(userName eq"a")", "title pr\n", "title pror title pr"}) {
        BOOST_CHECK_THROW(parse_filter(bad), filter_error);
    }
    try {
        parse_filter(R"(userName zz "a")");
        BOOST_FAIL("no error");
    } catch (filter_error const& e) {
        BOOST_TEST(std::string(e.what()).starts_with("at character 10: expected an operator"), e.what());
    }
}

// A provider's delta sync: meta.lastModified against any RFC 3339 form,
// compared as moments. As text, "04:42:34.5Z" sorts before "04:42:34Z" and
// an offset is compared digit by digit.
BOOST_AUTO_TEST_CASE(date_times_compare_as_moments)
{
    // Barbara was last modified at 2011-05-13T04:42:34Z.
    for (auto const& [filter, expected] : std::initializer_list<std::pair<char const*, bool>>{
             {R"(meta.lastModified gt "2011-05-13T04:42:33.999Z")", true},
             {R"(meta.lastModified lt "2011-05-13T04:42:34.5Z")", true},
             {R"(meta.lastModified gt "2011-05-13T04:42:34.5Z")", false},
             {R"(meta.lastModified eq "2011-05-13T06:42:34+02:00")", true},
             {R"(meta.lastModified ne "2011-05-13T06:42:34+02:00")", false},
             {R"(meta.lastModified gt "2011-05-13T05:00:00+01:00")", true},
             {R"(meta.lastModified lt "2011-05-12T23:42:35-05:00")", true},
             {R"(meta.lastModified ge "2011-05-13t04:42:34z")", true},
             {R"(meta.LASTMODIFIED le "2011-05-13T04:42:34.000000001Z")", true},
             {R"(meta.lastModified sw "2011-05")", true}, // as text: co, sw, ew
         }) {
        BOOST_TEST(on_barbara(filter) == expected, filter);
    }
    // A date-time that is not one is refused, not compared as text.
    for (auto const* bad : {R"(meta.lastModified gt "yesterday")", R"(meta.lastModified gt "2011-05-13")",
                            R"(meta.created eq 5)", R"(meta.lastModified lt "2011-05-13T04:42:34")"})
        BOOST_CHECK_THROW(parse_filter(bad), filter_error);
}

// RFC 7644 §3.4.2.2: gt, ge, lt and le on a boolean are invalidFilter.
BOOST_AUTO_TEST_CASE(a_boolean_has_no_order)
{
    for (auto const* bad : {"active gt true", "active le false", R"(active ge "x")", "title lt true",
                            R"(emails[primary gt false])", R"(emails.primary lt true)"})
        BOOST_CHECK_THROW(parse_filter(bad), filter_error);
    BOOST_TEST(on_barbara("active eq true"));
}

BOOST_AUTO_TEST_CASE(depth_and_length_are_bounded)
{
    std::string deep;
    for (std::size_t i = 0; i < max_filter_depth; ++i)
        deep += "(";
    BOOST_CHECK_NO_THROW(parse_filter(deep + "title pr" + std::string(max_filter_depth, ')')));
    BOOST_CHECK_THROW(parse_filter("(" + deep + "title pr" + std::string(max_filter_depth + 1, ')')), filter_error);
    std::string nots;
    for (int i = 0; i < 1000; ++i)
        nots += "not (";
    BOOST_CHECK_THROW(parse_filter(nots), filter_error);
    std::string long_chain = "title pr";
    for (std::size_t i = 1; i < max_filter_comparisons; ++i)
        long_chain += " and title pr";
    BOOST_TEST(on_barbara(long_chain));
    // One comparison more is refused, however short the filter: its cost
    // is comparisons times users.
    BOOST_CHECK_THROW(parse_filter(long_chain + " and title pr"), filter_error);
    BOOST_CHECK_THROW(parse_filter(long_chain + " and emails[type pr]"), filter_error);
    BOOST_CHECK_THROW(parse_filter(std::string(max_filter_length + 1, 'a')), filter_error);
}

BOOST_AUTO_TEST_CASE(patch_paths)
{
    auto const members = parse_patch_path(R"(members[value eq "2819c223-7f76-453a-919d-413861904646"])");
    BOOST_TEST(members.attr.name == "members");
    BOOST_TEST_REQUIRE(members.value_filter != nullptr);
    BOOST_TEST(members.sub.empty());
    BOOST_TEST(matches(*members.value_filter, json::parse(R"({"value":"2819c223-7f76-453a-919d-413861904646"})").as_object()));

    auto const work = parse_patch_path(R"(emails[type eq "work"].value)");
    BOOST_TEST(work.attr.name == "emails");
    BOOST_TEST(work.sub == "value");

    auto const family = parse_patch_path("name.familyName");
    BOOST_TEST(family.attr.name == "name");
    BOOST_TEST(family.attr.sub == "familyName");
    BOOST_TEST(!family.value_filter);

    auto const manager = parse_patch_path("urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager");
    BOOST_TEST(manager.attr.uri == "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User");
    BOOST_TEST(manager.attr.name == "manager");

    for (auto const* bad : {"", R"(members[value eq "x"].)", "members[", R"(emails[type eq "work"] and x)",
                            "members.value.x", "members[value pr]]"})
        BOOST_CHECK_THROW(parse_patch_path(bad), filter_error);
}
