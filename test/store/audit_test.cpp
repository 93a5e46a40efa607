// Which event each change makes, and which events are due to go.
#define BOOST_TEST_MODULE audit
#include <boost/test/unit_test.hpp>

#include "store/audit.hpp"

#include <cstdlib>
#include <string>

using namespace rosterd::store;

namespace {

using names = std::vector<std::string_view>;

constexpr unix_time now = 1'800'000'000;
actor const caller{.user = 1, .token = 7, .address = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 10, 0, 0, 9}};

struct fixture {
    directory dir;
    fixture()
    {
        dir.apply(put_group{{1, "g", std::nullopt, 0, 0}});
        user u;
        u.id = 2;
        u.set_first_name("Ann");
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
    u.set_last_name("Lee");
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

    auto const g = event_of(put_group{{2, "ops", 4, now, 0}});
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

namespace {

// What the backend does with a change (persist::backend::record_audited):
// the event, the overflowing self-service event out, then the change.
void write(directory& dir, change const& c, actor const& who, unix_time at)
{
    if (auto event = audit_of(dir, c, who, at)) {
        if (auto const oldest = self_service_overflow(dir, *event))
            dir.apply(remove_audit{*oldest});
        dir.apply(put_audit{*event});
    }
    dir.apply(c);
}

} // namespace

BOOST_AUTO_TEST_CASE(a_users_own_edits_cannot_flush_the_trail)
{
    directory dir;
    actor const root{.user = 1}, ann{.user = 2};
    user r;
    r.id = 1;
    r.super_user = true;
    write(dir, put_user{r}, root, now);
    dir.apply(put_group{{1, "g", std::nullopt, 0, 0}});
    user a;
    a.id = 2;
    write(dir, put_user{a}, root, now); // user.created, by a superuser
    a.set_membership(1, false);
    write(dir, put_user{a}, root, now); // a membership
    token t;
    t.id = 1;
    t.user_id = 2;
    write(dir, put_token{t}, ann, now); // a token
    auto const kept = dir.audit();

    // Ann renames herself over and over: 200,000 times here, as many as
    // ROSTERD_AUDIT_FLOOD says when set (ten million take a minute).
    auto const* flood = std::getenv("ROSTERD_AUDIT_FLOOD");
    std::size_t const renames = flood ? std::stoul(flood) : 200'000;
    for (std::size_t i = 0; i < renames; ++i) {
        auto const name = std::to_string(i);
        a.set_first_name(std::string_view(name));
        write(dir, put_user{a}, ann, now);
    }
    BOOST_TEST(dir.audit().size() == kept.size() + max_self_service_events);
    for (auto const& e : kept)
        BOOST_TEST(dir.find_audit(e.id) != nullptr, e.id);
    // Her newest renames are the ones kept.
    BOOST_TEST(dir.audit().back().id == kept.back().id + renames);
    BOOST_TEST(dir.self_service_of(2)->count == max_self_service_events);
    BOOST_TEST(dir.self_service_of(2)->oldest == kept.back().id + renames - max_self_service_events + 1);
}

BOOST_AUTO_TEST_CASE(past_the_cap_the_events_that_matter_least_go_first)
{
    directory dir;
    user root;
    root.id = 1;
    root.super_user = true;
    dir.apply(put_user{root});
    user admin;
    admin.id = 2;
    dir.apply(put_user{admin});
    std::uint32_t const first_name = 1, super_user = 1u << 6;
    auto const event = [&](record_id id, record_id actor, record_id subject, std::uint32_t fields) {
        dir.apply(put_audit{audit_event{.id = id, .at = now, .actor_user = actor, .user_id = subject,
                                        .fields = fields, .action = audit_action::update_user}});
    };
    event(1, 1, 3, first_name);  // a superuser's edit: kept
    event(2, 2, 3, super_user);  // rights: kept
    event(3, 2, 3, first_name);  // an admin's routine edit
    event(4, 3, 3, first_name);  // self-service
    event(5, 2, 3, first_name);  // routine
    event(6, 3, 3, first_name);  // self-service
    BOOST_TEST(is_self_service(*dir.find_audit(4)));
    BOOST_TEST(!is_self_service(*dir.find_audit(3)));
    // Two too many: the self-service ones go. Four: the routine ones next.
    BOOST_TEST(expired_audit(dir, now, 1000, 4, 100) == (std::vector<record_id>{4, 6}),
               boost::test_tools::per_element());
    BOOST_TEST(expired_audit(dir, now, 1000, 2, 100) == (std::vector<record_id>{4, 6, 3, 5}),
               boost::test_tools::per_element());
    BOOST_TEST(expired_audit(dir, now, 1000, 1, 100) == (std::vector<record_id>{4, 6, 3, 5, 1}),
               boost::test_tools::per_element());
    // Age comes first, whatever the class.
    BOOST_TEST(expired_audit(dir, now + 2000, 1000, 100, 100).size() == 6u);
}

BOOST_AUTO_TEST_CASE(self_service_counts_follow_the_trail_through_undo_and_replay)
{
    directory dir;
    auto const self = [](record_id id) {
        return audit_event{.id = id, .at = now, .actor_user = 5, .user_id = 5, .fields = 1,
                           .action = audit_action::update_user};
    };
    dir.apply(put_audit{self(1)});
    dir.apply(put_audit{audit_event{.id = 2, .at = now}});
    dir.apply(put_audit{self(3)});
    BOOST_TEST(dir.self_service_of(5)->count == 2u);
    auto const undo = dir.apply_with_undo(remove_audit{1});
    BOOST_TEST(dir.self_service_of(5)->oldest == 3u);
    for (auto const& c : undo)
        dir.apply(c);
    BOOST_TEST(dir.self_service_of(5)->oldest == 1u);
    BOOST_TEST(dir.self_service_of(5)->count == 2u);
    dir.apply(put_audit{self(3)}); // replayed again: counted once
    BOOST_TEST(dir.self_service_of(5)->count == 2u);
    dir.apply(remove_audit{1});
    dir.apply(remove_audit{3});
    BOOST_TEST(!dir.self_service_of(5));
}
