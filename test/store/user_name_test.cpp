// User names by RFC 8265 (UsernameCaseMapped): what is one name, what is
// refused, and that the directory finds users by it.
#define BOOST_TEST_MODULE user_name
#include <boost/test/unit_test.hpp>

#include "store/directory.hpp"
#include "store/user_name.hpp"

using namespace rosterd::store;

namespace {

// "josé" with the é precomposed (U+00E9) and decomposed (e + U+0301).
std::string const precomposed = "jos\xC3\xA9@example.org";
std::string const decomposed = "jose\xCC\x81@example.org";

} // namespace

BOOST_AUTO_TEST_CASE(case_width_and_normalization_make_one_name)
{
    BOOST_TEST(name_key("Ann@Example.ORG") == "ann@example.org");
    BOOST_TEST(name_key(precomposed) == name_key(decomposed));
    BOOST_TEST(name_key("JOS\xC3\x89@example.org") == name_key(precomposed)); // É
    // Fullwidth "ｓｅｃｒｅｔｎａｍｅ２" is "secretname2".
    BOOST_TEST(name_key("\xEF\xBD\x93\xEF\xBD\x85\xEF\xBD\x83\xEF\xBD\x92\xEF\xBD\x85\xEF\xBD\x94"
                        "\xEF\xBD\x8E\xEF\xBD\x81\xEF\xBD\x8D\xEF\xBD\x85\xEF\xBC\x92") == "secretname2");
    BOOST_TEST(name_key("\xCE\xA3\xCE\x9F\xCE\xA6\xCE\x99\xCE\x91") == "\xCF\x83\xCE\xBF\xCF\x86\xCE\xB9\xCE\xB1"); // ΣΟΦΙΑ
}

BOOST_AUTO_TEST_CASE(what_a_name_may_not_hold)
{
    for (std::string const& good : {std::string("ann@example.org"), precomposed, decomposed, std::string("Dana.Scully"),
                                   std::string("\xE5\xB1\xB1\xE7\x94\xB0"),        // 山田
                                   std::string("\xD7\xA9\xD7\xA8\xD7\x94"),        // שרה (right to left)
                                   std::string("stra\xC3\x9F" "e")}) {             // ß
        BOOST_TEST(!name_refusal(good), good << ": " << name_refusal(good).value_or(""));
    }
    for (std::string const& bad : {std::string("ann smith"), std::string("ann\tsmith"), std::string(""),
                                  std::string("evil\xE2\x80\xAEgpj.exe"),          // U+202E RIGHT-TO-LEFT OVERRIDE
                                  std::string("a\xE2\x80\x8B" "b"),                // U+200B ZERO WIDTH SPACE
                                  std::string("a\xE2\x80\x8D" "b"),                // U+200D ZERO WIDTH JOINER
                                  std::string("\xE2\x98\x83"),                     // ☃, a symbol
                                  std::string("\xE2\x85\xA0"),                     // Ⅰ, a compatibility form
                                  std::string("ann\xC2\xA0smith"),                 // no-break space
                                  std::string("\xD7\xA9\xD7\xA8\xD7\x94" "abc")}) {// Hebrew then Latin: Bidi Rule
        BOOST_TEST(name_refusal(bad).has_value(), bad);
    }
    BOOST_TEST(name_refusal("evil\xE2\x80\xAEgpj.exe")->starts_with("U+202E"), *name_refusal("evil\xE2\x80\xAEgpj.exe"));
}

BOOST_AUTO_TEST_CASE(the_directory_finds_a_user_by_any_form_of_their_name_and_reports_old_collisions)
{
    directory d;
    user jose;
    jose.id = 1;
    jose.set_user_name(precomposed);
    d.apply(put_user{jose});
    for (auto const& form : {precomposed, decomposed, std::string("JOS\xC3\x89@EXAMPLE.ORG")}) {
        auto const* found = d.find_user_by_name(form);
        BOOST_TEST_REQUIRE(found != nullptr, form);
        BOOST_TEST(found->id == 1u);
        BOOST_TEST(d.name_claimant(form, 2) == found);
    }
    BOOST_TEST(d.name_collisions().empty());
    // Written before these rules, two users have what is now one name:
    // both stay, and start-up hears of it.
    user other;
    other.id = 2;
    other.set_user_name(decomposed);
    d.apply(put_user{other});
    BOOST_TEST(d.users().size() == 2u);
    BOOST_TEST(d.find_user_by_name(precomposed)->id == 1u);
    auto const collisions = d.name_collisions();
    BOOST_TEST_REQUIRE(collisions.size() == 1u);
    BOOST_TEST(collisions[0].first == 1u);
    BOOST_TEST(collisions[0].second == 2u);
}
