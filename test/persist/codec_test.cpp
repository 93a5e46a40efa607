// Change records survive encoding; damaged payloads throw, never overrun.
#define BOOST_TEST_MODULE codec
#include <boost/test/unit_test.hpp>

#include "persist/codec.hpp"

using namespace rosterd;
using namespace rosterd::persist;

namespace {

store::user full_user()
{
    store::user u;
    u.id = 42;
    u.set_first_name("Zoë");
    u.set_last_name("Lee");
    u.set_phone_number("+31850607337");
    u.phone_number_verified = true;
    u.set_email_address("z@example.org");
    u.super_user = true;
    u.client_id = 7;
    u.set_external_id("ext");
    u.set_description(std::string(4096, 'd'));
    u.auto_remove_after = store::remove_period::month;
    u.remove_at = 1'900'000'000;
    u.require_email_match = true;
    u.set_auth_organization_id("org");
    u.set_groups({{1, true}, {5, false}});
    u.created = 1;
    u.updated = 2;
    return u;
}

std::string encoded(store::change const& c)
{
    std::string out;
    encoder e(out);
    encode_change(e, c);
    return out;
}

store::change decoded(std::string const& bytes)
{
    decoder d(bytes);
    auto c = decode_change(d);
    BOOST_TEST(d.done());
    return c;
}

} // namespace

namespace {

store::audit_event audit_event()
{
    store::audit_event e;
    e.id = 12;
    e.at = 1'800'000'000;
    e.actor_user = 1;
    e.actor_token = 2;
    e.address = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 127, 0, 0, 1};
    e.user_id = 42;
    e.token_id = 3;
    e.fields = 0x20005;
    e.action = store::audit_action::delete_token;
    return e;
}

store::kept_answer kept_answer()
{
    store::kept_answer a;
    a.id = 0x1234'5678'9abc'def0;
    a.user_id = 7;
    a.at = 1'800'000'000;
    a.key = "retry-me";
    a.request.fill(0x5a);
    a.status = 201;
    a.content_type = "application/scim+json";
    a.location = "/scim/v2/Users/9";
    a.etag = "\"abc\"";
    a.body = R"({"id":"9"})";
    return a;
}

} // namespace

BOOST_AUTO_TEST_CASE(every_change_round_trips)
{
    store::token t;
    t.id = 3;
    t.user_id = 42;
    t.hash.fill(0xab);
    t.description = "ci";
    t.expires = 99;
    t.last_used = 98;
    std::vector<store::change> const all{
        store::put_user{full_user()}, store::put_user{store::user{}}, store::remove_user{42},
        store::put_group{{9, "g", 7, 5, 0}}, store::put_group{{9, "g", 7, 5, 1'800'000'000}}, store::remove_group{9}, store::put_token{t}, store::remove_token{3},
        store::put_audit{audit_event()}, store::remove_audit{12}, store::put_answer{kept_answer()},
        store::remove_answer{0x1234'5678'9abc'def0}};
    for (auto const& c : all) {
        auto const back = decoded(encoded(c));
        BOOST_TEST(back.index() == c.index());
        BOOST_TEST(encoded(back) == encoded(c));
    }
    BOOST_TEST((std::get<store::put_user>(decoded(encoded(store::put_user{full_user()}))).after == full_user()));
}

BOOST_AUTO_TEST_CASE(a_kept_answer_round_trips_and_a_bad_status_is_refused)
{
    BOOST_TEST((std::get<store::put_answer>(decoded(encoded(store::put_answer{kept_answer()}))).answer == kept_answer()));
    auto odd = kept_answer();
    odd.status = 99;
    auto const bytes = encoded(store::put_answer{odd});
    decoder d(bytes);
    BOOST_CHECK_THROW(decode_change(d), decode_error);
}

BOOST_AUTO_TEST_CASE(every_truncation_throws)
{
    for (auto const& bytes : {encoded(store::put_user{full_user()}), encoded(store::put_audit{audit_event()}),
                              encoded(store::put_answer{kept_answer()})}) {
        for (std::size_t n = 0; n < bytes.size(); ++n) {
            decoder d(std::string_view(bytes).substr(0, n));
            BOOST_CHECK_THROW(decode_change(d), decode_error);
        }
    }
}

BOOST_AUTO_TEST_CASE(an_audit_event_round_trips_and_an_unknown_action_is_refused)
{
    BOOST_TEST((std::get<store::put_audit>(decoded(encoded(store::put_audit{audit_event()}))).event == audit_event()));
    auto bytes = encoded(store::put_audit{audit_event()});
    bytes.back() = 0; // the action, last
    decoder d(bytes);
    BOOST_CHECK_THROW(decode_change(d), decode_error);
}

BOOST_AUTO_TEST_CASE(random_bytes_never_overrun)
{
    std::uint32_t state = 7;
    for (int round = 0; round < 20000; ++round) {
        std::string bytes(static_cast<std::size_t>(state % 64), '\0');
        for (auto& c : bytes) {
            state = state * 1664525u + 1013904223u;
            c = static_cast<char>(state >> 24);
        }
        bytes[0] = static_cast<char>(1 + state % 6); // a valid tag, to get past the first byte
        decoder d(bytes);
        try {
            decode_change(d);
        } catch (decode_error const&) {
        }
    }
}

BOOST_AUTO_TEST_CASE(huge_string_lengths_are_refused)
{
    std::string bytes;
    encoder e(bytes);
    e.u8(3); // put_group
    e.u64(1);
    e.u64(~0ull); // name length
    decoder d(bytes);
    BOOST_CHECK_THROW(decode_change(d), decode_error);
}

BOOST_AUTO_TEST_CASE(touch_token_is_never_journaled)
{
    BOOST_CHECK_THROW(encoded(store::touch_token{1, 2}), std::logic_error);
}

BOOST_AUTO_TEST_CASE(a_user_name_and_deactivation_round_trip_as_an_extended_record)
{
    auto plain = full_user();
    auto extended = full_user();
    extended.set_user_name("zoe.lee");
    extended.active = false;
    // A user with neither is written as before those fields existed, so
    // that the bytes of existing directories do not change.
    auto const plain_bytes = encoded(store::put_user{plain});
    auto const extended_bytes = encoded(store::put_user{extended});
    BOOST_TEST(plain_bytes.front() == 1);
    BOOST_TEST(extended_bytes.front() != 1);
    BOOST_TEST((std::get<store::put_user>(decoded(plain_bytes)).after == plain));
    BOOST_TEST((std::get<store::put_user>(decoded(extended_bytes)).after == extended));
    for (std::size_t n = 0; n < extended_bytes.size(); ++n) {
        decoder d(std::string_view(extended_bytes).substr(0, n));
        BOOST_CHECK_THROW(decode_change(d), decode_error);
    }
    auto bad_flags = extended_bytes;
    bad_flags.back() = 4; // the flags byte, last: an unknown bit
    decoder d(bad_flags);
    BOOST_CHECK_THROW(decode_change(d), decode_error);
}

BOOST_AUTO_TEST_CASE(who_scheduled_a_removal_round_trips)
{
    auto u = full_user();
    u.remove_at = 1'900'000'000;
    u.removal_by = 4'000'000'000u;
    auto const bytes = encoded(store::put_user{u});
    BOOST_TEST(bytes.front() != 1); // an extended record
    BOOST_TEST((std::get<store::put_user>(decoded(bytes)).after == u));
    // The scheduler is the last eight bytes; 0 and ids past 32 bits are refused.
    for (std::uint64_t bad : {std::uint64_t{0}, std::uint64_t{1} << 32}) {
        auto damaged = bytes;
        for (int i = 0; i < 8; ++i)
            damaged[damaged.size() - 8 + i] = static_cast<char>((bad >> (8 * i)) & 0xff);
        decoder d(damaged);
        BOOST_CHECK_THROW(decode_change(d), decode_error);
    }
}

BOOST_AUTO_TEST_CASE(a_client_id_of_zero_is_refused)
{
    auto u = full_user();
    u.client_id = 7;
    auto bytes = encoded(store::put_user{u});
    // clientId's eight bytes follow its presence byte; 7 is the only byte 7 there.
    auto const at = bytes.find(std::string("\x01\x07\0\0\0\0\0\0\0", 9));
    BOOST_TEST_REQUIRE(at != std::string::npos);
    bytes[at + 1] = 0;
    decoder d(bytes);
    BOOST_CHECK_THROW(decode_change(d), decode_error);
}

BOOST_AUTO_TEST_CASE(a_membership_group_id_past_two_to_the_63_is_refused)
{
    // A membership keeps the admin flag in the id's top bit.
    auto bytes = encoded(store::put_user{full_user()});
    // Group 5's eight bytes, then its admin flag: the only such run.
    auto const at = bytes.find(std::string("\x05\0\0\0\0\0\0\0\0", 9));
    BOOST_TEST_REQUIRE(at != std::string::npos);
    bytes[at + 7] = '\x80';
    decoder d(bytes);
    BOOST_CHECK_THROW(decode_change(d), decode_error);
    bytes[at + 7] = '\x7f'; // below the top bit: kept
    store::record_id const kept = std::get<store::put_user>(decoded(bytes)).after.groups()[1].group_id;
    BOOST_TEST(kept == 0x7f00000000000005u);
}

BOOST_AUTO_TEST_CASE(a_token_time_that_stands_for_absent_is_refused)
{
    // A token's times keep "absent" in the least int64, so a stored one
    // cannot be that.
    store::token t;
    t.id = 3;
    t.user_id = 42;
    t.description = "a description longer than fifteen bytes";
    t.expires = 99;
    t.last_used = 98;
    auto const bytes = encoded(store::put_token{t});
    BOOST_TEST((std::get<store::put_token>(decoded(bytes)).after == t));
    for (char const time : {'\x63', '\x62'}) { // expires, then lastUsed
        auto damaged = bytes;
        auto const at = damaged.find(std::string{time, 0, 0, 0, 0, 0, 0, 0});
        BOOST_TEST_REQUIRE(at != std::string::npos);
        damaged.replace(at, 8, std::string{0, 0, 0, 0, 0, 0, 0, '\x80'});
        decoder d(damaged);
        BOOST_CHECK_THROW(decode_change(d), decode_error);
    }
}
