#define BOOST_TEST_MODULE token
#include <boost/test/unit_test.hpp>

#include "auth/token.hpp"

#include <regex>
#include <set>

using namespace rosterd;

BOOST_AUTO_TEST_CASE(tokens_are_random_8_4_4_4_12_hex)
{
    std::regex const form("[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}");
    std::set<std::string> seen;
    for (int i = 0; i < 1000; ++i) {
        auto const t = auth::generate_token();
        BOOST_TEST(std::regex_match(t, form), t);
        seen.insert(t);
    }
    BOOST_TEST(seen.size() == 1000u);
}

BOOST_AUTO_TEST_CASE(hash_is_sha256)
{
    // FIPS 180-2's example: SHA-256("abc").
    auto const h = auth::hash_token("abc");
    BOOST_TEST(h[0] == 0xbau);
    BOOST_TEST(h[1] == 0x78u);
    BOOST_TEST(h[31] == 0xadu);
    BOOST_TEST((auth::hash_token("abc") != auth::hash_token("abd")));
}

BOOST_AUTO_TEST_CASE(authorization_header_forms)
{
    auto const t = "fdcd8cc5-d18e-4a65-80a4-291ee55ef77a";
    BOOST_TEST(auth::token_from_authorization(std::string("Bearer ") + t).value_or("") == t);
    BOOST_TEST(auth::token_from_authorization(std::string("bEaReR ") + t).value_or("") == t);
    BOOST_TEST(auth::token_from_authorization(std::string("Bearer   ") + t + "  ").value_or("") == t);
    BOOST_TEST(auth::token_from_authorization(t).value_or("") == t);
    BOOST_TEST(!auth::token_from_authorization(std::string("Basic ") + t));
    BOOST_TEST(!auth::token_from_authorization("Bearer"));
    BOOST_TEST(!auth::token_from_authorization(""));
    BOOST_TEST(!auth::token_from_authorization("Bearer a b"));
}

BOOST_AUTO_TEST_CASE(chosen_secrets)
{
    BOOST_TEST(auth::acceptable_secret("93c8b2ae-301b-47fe-842f-afe9b98b427a"));
    BOOST_TEST(auth::acceptable_secret(auth::generate_token()));
    BOOST_TEST(!auth::acceptable_secret("short"));
    BOOST_TEST(!auth::acceptable_secret("has a space in it, long enough"));
}

BOOST_AUTO_TEST_CASE(a_chosen_secret_needs_128_bits)
{
    BOOST_TEST(auth::has_token_form("93C8B2AE-301b-47fe-842f-afe9b98b427a"));
    BOOST_TEST(!auth::has_token_form("93c8b2ae-301b-47fe-842f-afe9b98b427"));
    BOOST_TEST(!auth::has_token_form("93c8b2ae-301b-47fe-842f-afe9b98b427g"));
    // 32 hex digits are 128 bits; 31 are not.
    BOOST_TEST(auth::estimated_entropy_bits(std::string(32, 'f')) == 128.0);
    BOOST_TEST(auth::acceptable_secret("0123456789abcdef0123456789abcdef"));
    BOOST_TEST(!auth::acceptable_secret("0123456789abcdef0123456789abcde"));
    // 22 letters and digits of both cases: 22 * log2(62), about 131 bits.
    BOOST_TEST(auth::acceptable_secret("Q7wz9KpL2mXa8RtY4vBn6H"));
    BOOST_TEST(!auth::acceptable_secret("Q7wz9KpL2mXa8RtY4vBn6"));
    BOOST_TEST(!auth::acceptable_secret("passwordpassword"));      // 16 lower-case letters: 75 bits
    BOOST_TEST(!auth::acceptable_secret("abuse-test-root-token")); // about 123 bits
    BOOST_TEST(auth::acceptable_secret("abuse-test-root-token-0123456789"));
}
