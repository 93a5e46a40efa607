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

// A user without a userName goes by their address. An ASCII address is
// found through the address index, any other through the name index:
// every form of the name finds either, and a change between a userName
// and the same text as an address moves the user from one to the other.
BOOST_AUTO_TEST_CASE(an_address_is_found_by_any_form_of_it_whichever_index_holds_it)
{
    directory d;
    user ann;
    ann.id = 1;
    ann.set_email_address("Ann@Example.org");
    d.apply(put_user{ann});
    user jose;
    jose.id = 2;
    jose.set_email_address(decomposed);
    d.apply(put_user{jose});

    // Fullwidth "ＡＮＮ" prepares to "ann": a form that is not ASCII finds an ASCII address.
    for (auto const& form : {std::string("ann@example.ORG"), std::string("\xEF\xBC\xA1\xEF\xBC\xAE\xEF\xBC\xAE@example.org")}) {
        BOOST_TEST_REQUIRE(d.find_user_by_name(form) != nullptr, form);
        BOOST_TEST(d.find_user_by_name(form)->id == 1u, form);
        BOOST_TEST(d.name_claimant(form, 3)->id == 1u, form);
    }
    for (auto const& form : {precomposed, decomposed}) {
        BOOST_TEST_REQUIRE(d.find_user_by_name(form) != nullptr, form);
        BOOST_TEST(d.find_user_by_name(form)->id == 2u, form);
    }
    BOOST_TEST(d.effective_name(*d.find_user(1)) == "Ann@Example.org");

    // The same text as a userName, then as the address again.
    ann.set_user_name("Ann@Example.org");
    d.apply(put_user{ann});
    BOOST_TEST(d.find_user_by_name("ann@example.org")->id == 1u);
    ann.set_user_name(std::nullopt);
    d.apply(put_user{ann});
    BOOST_TEST(d.find_user_by_name("ann@example.org")->id == 1u);
    // A second user with the address claims it, but is not its holder.
    user later;
    later.id = 3;
    later.set_email_address("ann@example.org");
    d.apply(put_user{later});
    BOOST_TEST(d.find_user_by_name("ann@example.org")->id == 1u);
    BOOST_TEST(d.name_claimant("ann@example.org", 1)->id == 3u);
    BOOST_TEST(d.effective_name(*d.find_user(3)) == "3");
    // Gone with the address.
    ann.set_email_address("ann@example.net");
    d.apply(put_user{ann});
    later.set_email_address(std::nullopt);
    d.apply(put_user{later});
    BOOST_TEST(!d.find_user_by_name("ann@example.org"));
    BOOST_TEST(!d.name_claimant("ann@example.org", 0));
    BOOST_TEST(d.find_user_by_name("ANN@example.net")->id == 1u);
}

// The lowering a load runs on every text, sixteen bytes at a time: the
// same bytes as one at a time, every byte value at every place and
// length, and the right answer to whether all were ASCII.
BOOST_AUTO_TEST_CASE(ascii_lower_into_lowers_every_byte_as_ascii_lower_does)
{
    for (std::size_t length = 0; length <= 40; ++length) {
        for (unsigned value = 0; value < 256; ++value) {
            std::string in(length, 'Q');
            for (std::size_t i = 0; i < length; ++i)
                in[i] = static_cast<char>("aZ@[`{M0"[i % 8]);
            auto const at = length ? (value * 7) % length : 0;
            if (length)
                in[at] = static_cast<char>(value);
            std::string expected(in);
            for (auto& c : expected)
                c = ascii_lower(c);
            std::string out(length + 1, '#'); // the byte after must stay
            bool const ascii = ascii_lower_into(out.data(), in);
            BOOST_TEST_CONTEXT("length " << length << ", byte " << value) {
                BOOST_TEST(out.substr(0, length) == expected);
                BOOST_TEST(out[length] == '#');
                BOOST_TEST(ascii == (length == 0 || value < 0x80));
            }
        }
    }
}
