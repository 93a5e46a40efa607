// Validation and merge of a user patch (docs/api.md, "User fields").
#define BOOST_TEST_MODULE user_patch
#include <boost/test/unit_test.hpp>

#include "api/user_patch.hpp"

#include <boost/json/parse.hpp>
#include <boost/url/parse.hpp>

using namespace rosterd;
using api::user_patch;

namespace {

constexpr store::unix_time now = 1'800'000'000;

// The 400 detail for `body`, or "" when it is valid.
std::string check(std::string_view body)
{
    user_patch p;
    auto error = api::check_user_patch(boost::json::parse(body).as_object(), p);
    return error.value_or("");
}

store::user merged(store::user u, std::string_view body)
{
    user_patch p;
    BOOST_TEST_REQUIRE(!api::check_user_patch(boost::json::parse(body).as_object(), p));
    auto const error = api::apply_patch(u, p, now);
    BOOST_TEST_REQUIRE(!error, error.value_or(""));
    return u;
}

std::optional<std::string> roles_error(std::string_view query)
{
    api::role_change roles;
    auto const url = boost::urls::parse_origin_form(query).value();
    if (auto res = api::parse_role_change(url.params(), roles))
        return res->body;
    return std::nullopt;
}

} // namespace

BOOST_AUTO_TEST_CASE(e164_numbers)
{
    BOOST_TEST(api::is_e164("+31850607337"));
    BOOST_TEST(api::is_e164("+12"));
    BOOST_TEST(api::is_e164("+123456789012345"));
    BOOST_TEST(!api::is_e164("+1234567890123456")); // 16 digits
    BOOST_TEST(!api::is_e164("+1"));
    BOOST_TEST(!api::is_e164("+0123"));
    BOOST_TEST(!api::is_e164("31850607337"));
    BOOST_TEST(!api::is_e164("+3185 0607337"));
    BOOST_TEST(!api::is_e164("+31-850607337"));
}

BOOST_AUTO_TEST_CASE(email_addresses)
{
    BOOST_TEST(api::is_email_address("ann@example.org"));
    BOOST_TEST(api::is_email_address("a.b+c@mail.example.org"));
    BOOST_TEST(!api::is_email_address("ann@localhost"));
    BOOST_TEST(!api::is_email_address("@example.org"));
    BOOST_TEST(!api::is_email_address("ann@@example.org"));
    BOOST_TEST(!api::is_email_address("a@b@example.org"));
    BOOST_TEST(!api::is_email_address("ann smith@example.org"));
    BOOST_TEST(!api::is_email_address("ann@.example.org"));
    BOOST_TEST(!api::is_email_address("ann@example.org."));
    BOOST_TEST(!api::is_email_address("ann@example..org"));
}

BOOST_AUTO_TEST_CASE(every_seed_field_is_accepted)
{
    BOOST_TEST(check(R"({"firstName":"A","lastName":"B","phoneNumber":"+31850607337","phoneNumberVerify":true,
        "emailAddress":"a@b.nl","emailAddressVerify":false,"superUser":false,"clientId":3,"externalId":"x",
        "description":"d","remarks":"r","autoRemoveAfter":"MONTH","autoEmailMatch":true,"requireEmailMatch":false,
        "authOrganizationId":"o","emailMatchCredentialFilter":true})") == "");
}

BOOST_AUTO_TEST_CASE(wrong_types_name_the_field)
{
    BOOST_TEST(check(R"({"superUser":"true"})") == "superUser: must be true or false");
    BOOST_TEST(check(R"({"clientId":1.5})") == "clientId: must be a positive integer");
    BOOST_TEST(check(R"({"clientId":-1})") == "clientId: must be a positive integer");
    BOOST_TEST(check(R"({"clientId":0})") == "clientId: must be a positive integer");
    BOOST_TEST(check(R"({"clientId":18446744073709551615})") == "clientId: must be a positive integer");
    BOOST_TEST(check(R"({"clientId":null})") == "clientId: must be a positive integer");
    BOOST_TEST(check(R"({"firstName":null})") == "firstName: must be a string");
    BOOST_TEST(check(R"({"firstName":7})") == "firstName: must be a string");
    BOOST_TEST(check(R"({"remarks":[]})") == "remarks: must be a string or null");
    BOOST_TEST(check(R"({"autoRemoveAfter":"DAY"})") == R"(autoRemoveAfter: must be "WEEK", "MONTH", "YEAR" or null)");
    BOOST_TEST(check(R"({"autoRemoveAfter":"week"})") != "");
    BOOST_TEST(check(R"({"nickname":"x"})") == "nickname: unknown field");
    BOOST_TEST(check(R"({"phoneNumber":"0612345678"})") == "phoneNumber: not an E.164 number");
    BOOST_TEST(check(R"({"emailAddress":"nope"})") == "emailAddress: not an e-mail address");
}

BOOST_AUTO_TEST_CASE(lengths_count_code_points)
{
    std::string const euro = "\xe2\x82\xac"; // one code point, three bytes
    std::string at_limit, over;
    for (int i = 0; i < 255; ++i) at_limit += euro;
    over = at_limit + "a";
    BOOST_TEST(check(R"({"firstName":")" + at_limit + R"("})") == "");
    BOOST_TEST(check(R"({"firstName":")" + over + R"("})") == "firstName: longer than 255 characters");
    BOOST_TEST(check(R"({"description":")" + std::string(4096, 'x') + R"("})") == "");
    BOOST_TEST(check(R"({"description":")" + std::string(4097, 'x') + R"("})") == "description: longer than 4096 characters");
    auto const long_email = std::string(250, 'a') + "@b.nl";
    BOOST_TEST(check(R"({"emailAddress":")" + long_email + R"("})") == "emailAddress: not an e-mail address");
}

BOOST_AUTO_TEST_CASE(names_have_no_control_characters)
{
    BOOST_TEST(check(R"({"firstName":"a\nb"})") == "firstName: contains a control character");
    BOOST_TEST(check(R"({"lastName":"a\u0000b"})") == "lastName: contains a control character");
    BOOST_TEST(check(R"({"lastName":"a\u0085b"})") == "lastName: contains a control character");
    BOOST_TEST(check(R"({"lastName":"Zoë"})") == "");
    // Single-line fields: none at all; multi-line text: tab and newline only.
    BOOST_TEST(check(R"({"externalId":"a\tb"})") == "externalId: contains a control character");
    BOOST_TEST(check(R"({"authOrganizationId":"a\u007fb"})") == "authOrganizationId: contains a control character");
    BOOST_TEST(check(R"({"description":"line 1\n\tline 2"})") == "");
    BOOST_TEST(check(R"({"remarks":"a\rb"})") == "remarks: contains a control character other than tab and newline");
    BOOST_TEST(check(R"({"description":"a\u001bb"})") == "description: contains a control character other than tab and newline");
    BOOST_TEST(check(R"({"externalId":null})") == "");
}

BOOST_AUTO_TEST_CASE(absent_fields_keep_their_values)
{
    store::user u;
    u.set_first_name("Ann");
    u.set_last_name("Lee");
    u.set_remarks("keep");
    auto const after = merged(u, R"({"firstName":"Caroline"})");
    BOOST_TEST(after.first_name() == "Caroline");
    BOOST_TEST(after.last_name() == "Lee");
    BOOST_TEST(*after.remarks() == "keep");
}

BOOST_AUTO_TEST_CASE(null_or_empty_clears_contacts)
{
    store::user u;
    u.set_phone_number("+31850607337");
    u.set_email_address("a@b.nl");
    u.set_remarks("r");
    auto const after = merged(u, R"({"phoneNumber":"","emailAddress":null,"remarks":null})");
    BOOST_TEST(!after.phone_number());
    BOOST_TEST(!after.email_address());
    BOOST_TEST(!after.remarks());
}

BOOST_AUTO_TEST_CASE(changing_a_number_resets_its_verification)
{
    store::user u;
    u.set_phone_number("+31850607337");
    u.phone_number_verified = true;
    BOOST_TEST(merged(u, R"({"phoneNumber":"+31850607337"})").phone_number_verified);
    BOOST_TEST(!merged(u, R"({"phoneNumber":"+31850607338"})").phone_number_verified);
    BOOST_TEST(merged(u, R"({"phoneNumber":"+31850607338","phoneNumberVerify":true})").phone_number_verified);
    BOOST_TEST(!merged(u, R"({"phoneNumberVerify":false})").phone_number_verified);
    BOOST_TEST(!merged(u, R"({"phoneNumber":null})").phone_number_verified);
    // A patch of other texts, which rebuilds the texts' block, keeps it.
    u.set_email_address("a@example.org");
    u.email_address_verified = true;
    auto const other = merged(u, R"({"remarks":"r","description":"d"})");
    BOOST_TEST(other.phone_number_verified);
    BOOST_TEST(other.email_address_verified);
    BOOST_TEST(!merged(u, R"({"remarks":"r","emailAddress":"b@example.org"})").email_address_verified);
    BOOST_TEST(merged(u, R"({"remarks":"r","emailAddress":"b@example.org"})").phone_number_verified);
}

BOOST_AUTO_TEST_CASE(verifying_nothing_is_refused)
{
    store::user u;
    user_patch p;
    BOOST_TEST_REQUIRE(!api::check_user_patch(boost::json::parse(R"({"emailAddressVerify":true})").as_object(), p));
    BOOST_TEST(api::apply_patch(u, p, now).value_or("") == "emailAddressVerify: there is nothing to verify");
}

BOOST_AUTO_TEST_CASE(auto_remove_after_sets_an_absolute_time)
{
    store::user u;
    auto const week = merged(u, R"({"autoRemoveAfter":"WEEK"})");
    BOOST_TEST(*week.remove_at == now + 7 * 86400);
    BOOST_TEST(*merged(u, R"({"autoRemoveAfter":"MONTH"})").remove_at == now + 30 * 86400);
    BOOST_TEST(*merged(u, R"({"autoRemoveAfter":"YEAR"})").remove_at == now + 365 * 86400);
    BOOST_TEST(!merged(week, R"({"autoRemoveAfter":null})").remove_at);
}

BOOST_AUTO_TEST_CASE(query_parameters)
{
    BOOST_TEST(!roles_error("/user/7?userGroupId=1&groupAdmin=true"));
    BOOST_TEST(!roles_error("/user/7"));
    BOOST_TEST(roles_error("/user/7?userGroupId=0").value_or("").find("userGroupId") != std::string::npos);
    BOOST_TEST(roles_error("/user/7?userGroupId=-1").has_value());
    BOOST_TEST(roles_error("/user/7?userGroupId=1.5").has_value());
    BOOST_TEST(roles_error("/user/7?userGroupId=1&userGroupId=2").has_value());
    BOOST_TEST(roles_error("/user/7?groupAdmin=yes").value_or("").find("groupAdmin") != std::string::npos);
    BOOST_TEST(roles_error("/user/7?debug=1").value_or("").find("debug: unknown query parameter") != std::string::npos);
    // Percent-decoding is Boost.URL's: %31 is "1".
    BOOST_TEST(!roles_error("/user/7?userGroupId=%31"));
}

BOOST_AUTO_TEST_CASE(roles_join_and_check_client_ids)
{
    store::directory dir;
    dir.apply(store::put_group{{1, "a", std::nullopt, 0, 0}});
    dir.apply(store::put_group{{2, "b", 5, 0, 0}});
    store::user u;
    u.client_id = 6;

    BOOST_TEST(!api::apply_roles(u, {1, true}, dir));
    BOOST_TEST(u.is_admin_of(1));
    BOOST_TEST(!api::apply_roles(u, {1, std::nullopt}, dir));
    BOOST_TEST(u.is_admin_of(1)); // userGroupId alone keeps the admin flag
    BOOST_TEST(!api::apply_roles(u, {1, false}, dir));
    BOOST_TEST(!u.is_admin_of(1));
    BOOST_TEST(u.membership_of(1).has_value());

    BOOST_TEST(api::apply_roles(u, {std::nullopt, true}, dir).value_or("") == "Invalid roles: groupAdmin requires userGroupId");
    BOOST_TEST(api::apply_roles(u, {9, std::nullopt}, dir).value_or("") == "Invalid roles: no user group 9");
    BOOST_TEST(api::apply_roles(u, {2, std::nullopt}, dir).value_or("").starts_with("Invalid roles"));
}

BOOST_AUTO_TEST_CASE(user_name_and_active)
{
    BOOST_TEST(check(R"({"userName":"ann.lee","active":false})") == "");
    BOOST_TEST(check(R"({"userName":5})") == "userName: must be a string or null");
    BOOST_TEST(check(R"({"userName":"a\u0001b"})") == "userName: contains a control character");
    BOOST_TEST(check(R"({"active":"false"})") == "active: must be true or false");
    BOOST_TEST(check(R"({"active":null})") == "active: must be true or false");
    store::user u;
    BOOST_TEST(bool(u.active));
    auto const after = merged(u, R"({"userName":"ann.lee","active":false})");
    BOOST_TEST(*after.user_name() == "ann.lee");
    BOOST_TEST(!bool(after.active));
    BOOST_TEST(!merged(after, R"({"userName":""})").user_name());
    BOOST_TEST(bool(merged(after, R"({"active":true})").active));
}
