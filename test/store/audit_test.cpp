// Which event each change makes, and which events are due to go.
#define BOOST_TEST_MODULE audit
#include <boost/test/unit_test.hpp>

#include "store/audit.hpp"

using namespace rosterd::store;

namespace {

using names = std::vector<std::string_view>;

constexpr unix_time now = 1'800'000'000;
actor const caller{.user = 1, .token = 7, .address = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 10, 0, 0, 9}};

struct fixture {
    directory dir;
    fixture()
    {
        dir.apply(put_group{{1, "g", std::nullopt, 0}});
        user u;
        u.id = 2;
        u.first_name = "Ann";
        dir.apply(put_user{u});
        token t;
        t.id = 3;
        t.user_id = 2;
        t.description = "laptop";
        dir.apply(put_token{t});
    }
    user ann() const { return *dir.find_user(2); }
    audit_event event_of(change const& c) const
    {
        auto e = audit_of(dir, c, caller, now);
        BOOST_TEST_REQUIRE(e.has_value());
        return *e;
    }
};

} // namespace

BOOST_FIXTURE_TEST_CASE(an_update_names_the_fields_that_changed_and_who_changed_them, fixture)
{
    auto u = ann();
    u.last_name = "Lee";
    u.set_phone_number("+15551234567");
    u.set_membership(1, false);
    u.updated = now; // not a field of its own
    auto const e = event_of(put_user{u});
    BOOST_TEST((e.action == audit_action::update_user));
    BOOST_TEST(field_names(e.fields) == (names{"lastName", "phoneNumber", "userGroups"}),
               boost::test_tools::per_element());
    BOOST_TEST(e.user_id == 2u);
    BOOST_TEST(e.actor_user == 1u);
    BOOST_TEST(e.actor_token == 7u);
    BOOST_TEST((e.address == caller.address));
    BOOST_TEST(e.at == now);
    BOOST_TEST(e.id == dir.next_audit_id());
}

BOOST_FIXTURE_TEST_CASE(a_put_of_the_record_as_it_is_makes_no_event, fixture)
{
    auto u = ann();
    u.updated = now;
    BOOST_TEST(!audit_of(dir, put_user{u}, caller, now));
    BOOST_TEST(!audit_of(dir, put_token{*dir.find_token(3)}, caller, now));
    BOOST_TEST(!audit_of(dir, touch_token{3, now}, caller, now));
    BOOST_TEST(!audit_of(dir, put_audit{}, caller, now));
    BOOST_TEST(!audit_of(dir, remove_audit{1}, caller, now));
    // Removing what is not there changes nothing either.
    BOOST_TEST(!audit_of(dir, remove_user{99}, caller, now));
    BOOST_TEST(!audit_of(dir, remove_token{99}, caller, now));
}

BOOST_FIXTURE_TEST_CASE(a_new_record_names_the_fields_it_sets, fixture)
{
    user u;
    u.id = 5;
    u.set_email_address("x@example.org");
    u.super_user = true;
    auto const e = event_of(put_user{u});
    BOOST_TEST((e.action == audit_action::create_user));
    BOOST_TEST(field_names(e.fields) == (names{"emailAddress", "superUser"}), boost::test_tools::per_element());

    auto const g = event_of(put_group{{2, "ops", 4, now}});
    BOOST_TEST((g.action == audit_action::create_group));
    BOOST_TEST(g.group_id == 2u);
    BOOST_TEST(g.user_id == 0u);
    BOOST_TEST(field_names(g.fields) == (names{"clientId", "name"}), boost::test_tools::per_element());

    token t;
    t.id = 4;
    t.user_id = 2;
    t.expires = now + 60;
    auto const k = event_of(put_token{t});
    BOOST_TEST((k.action == audit_action::create_token));
    BOOST_TEST(k.user_id == 2u);
    BOOST_TEST(k.token_id == 4u);
    BOOST_TEST(field_names(k.fields) == (names{"expires"}), boost::test_tools::per_element());
}

BOOST_FIXTURE_TEST_CASE(removals_name_the_record_and_a_token_its_owner, fixture)
{
    auto const t = event_of(remove_token{3});
    BOOST_TEST((t.action == audit_action::delete_token));
    BOOST_TEST(t.user_id == 2u);
    BOOST_TEST(t.token_id == 3u);
    BOOST_TEST((event_of(remove_user{2}).action == audit_action::delete_user));
    BOOST_TEST((event_of(remove_group{1}).action == audit_action::delete_group));
    BOOST_TEST(event_of(remove_group{1}).fields == 0u);
}

BOOST_AUTO_TEST_CASE(every_action_and_field_has_a_name)
{
    for (auto a = static_cast<int>(audit_action::create_user); a <= static_cast<int>(audit_action::delete_token); ++a)
        BOOST_TEST(action_name(static_cast<audit_action>(a)) != "unknown");
    BOOST_TEST(field_names(0xfffff).size() == 20u);
    BOOST_TEST(field_names(0).empty());
}

BOOST_AUTO_TEST_CASE(events_go_when_too_old_or_too_many_oldest_first)
{
    directory dir;
    for (record_id id = 1; id <= 10; ++id)
        dir.apply(put_audit{audit_event{.id = id, .at = now - 100 + static_cast<unix_time>(id) * 10}});
    // at = now-90 ... now: older than 45 seconds are ids 1-5.
    BOOST_TEST(expired_audit(dir, now, 45, 100, 100) == (std::vector<record_id>{1, 2, 3, 4, 5}),
               boost::test_tools::per_element());
    // At most 3 kept: 1-7 go, whatever their age.
    BOOST_TEST(expired_audit(dir, now, 1000, 3, 100).size() == 7u);
    // And at most max_removals at a time.
    BOOST_TEST(expired_audit(dir, now, 45, 100, 2) == (std::vector<record_id>{1, 2}),
               boost::test_tools::per_element());
    BOOST_TEST(expired_audit(dir, now, 1000, 100, 100).empty());
}
