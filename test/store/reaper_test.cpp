// The expiry rule, driven by an injected time rather than by sleeping.
#define BOOST_TEST_MODULE reaper
#include <boost/test/unit_test.hpp>

#include "store/reaper.hpp"

#include <boost/asio/io_context.hpp>

#include <algorithm>
#include <vector>

using namespace rosterd::store;

namespace {

constexpr unix_time t0 = 1'800'000'000;

struct fixture {
    directory dir;
    change_sink sink = [this](change const& c) { dir.apply(c); return true; };

    fixture()
    {
        dir.apply(put_group{{1, "g", std::nullopt, 0, 0}});
        add(1, true, std::nullopt);
        add(2, false, t0 + 100);
        add(3, false, t0 + 200);
        add(4, false, std::nullopt);
        token t;
        t.id = 1;
        t.user_id = 2;
        t.hash.fill(7);
        dir.apply(put_token{t});
    }

    // Removals are scheduled by user 1, a superuser, unless `by` says otherwise.
    void add(record_id id, bool super, std::optional<unix_time> remove_at, std::uint32_t by = 1)
    {
        user u;
        u.id = id;
        u.super_user = super;
        u.remove_at = remove_at;
        u.removal_by = remove_at ? by : 0;
        u.set_groups({{1, false}});
        dir.apply(put_user{u});
    }
};

} // namespace

BOOST_FIXTURE_TEST_SUITE(reaper_rules, fixture)

BOOST_AUTO_TEST_CASE(nobody_is_removed_before_their_time)
{
    BOOST_TEST(reap(dir, t0 + 99, sink) == 0u);
    BOOST_TEST(dir.users().size() == 4u);
}

BOOST_AUTO_TEST_CASE(due_users_go_with_their_tokens_and_memberships)
{
    BOOST_TEST(reap(dir, t0 + 100, sink) == 1u);
    BOOST_TEST(!dir.find_user(2));
    BOOST_TEST(!dir.find_token(1));
    BOOST_TEST(!dir.members_of(1).contains(2));
    BOOST_TEST(dir.find_user(3));
    BOOST_TEST(reap(dir, t0 + 1000, sink) == 1u);
    BOOST_TEST(!dir.find_user(3));
    BOOST_TEST(dir.find_user(4));
}

BOOST_AUTO_TEST_CASE(cancelling_removal_keeps_the_user)
{
    auto u = *dir.find_user(2);
    u.remove_at.reset();
    dir.apply(put_user{u});
    BOOST_TEST(reap(dir, t0 + 1000, sink) == 1u); // only user 3
    BOOST_TEST(dir.find_user(2));
}

BOOST_AUTO_TEST_CASE(user_1_and_the_last_superuser_stay)
{
    add(1, true, t0);
    add(5, true, t0);
    BOOST_TEST(reap(dir, t0 + 1000, sink) == 3u); // 2, 3 and 5
    BOOST_TEST(dir.find_user(1));
    BOOST_TEST(!dir.find_user(5));
}

BOOST_AUTO_TEST_CASE(a_superuser_holding_the_last_working_token_stays)
{
    add(5, true, t0);
    add(6, true, t0);
    token t;
    t.id = 2;
    t.user_id = 5;
    t.hash.fill(8);
    dir.apply(put_token{t});
    BOOST_TEST(reap(dir, t0 + 1000, sink) == 3u); // 2, 3 and 6: 5 holds the only superuser token
    BOOST_TEST(dir.find_user(5));
    BOOST_TEST(!dir.find_user(6));
}

BOOST_AUTO_TEST_CASE(a_removal_is_cancelled_once_its_scheduler_may_not_remove_the_user)
{
    // User 5 administers group 1 and schedules member 6's removal; member 7's
    // too. Then 6 is made a superuser and 7 an admin of group 2, which 5
    // does not administer: neither removal is one 5 could schedule now.
    dir.apply(put_group{{2, "h", std::nullopt, 0, 0}});
    auto admin = *dir.find_user(4);
    admin.id = 5;
    admin.set_groups({{1, true}});
    dir.apply(put_user{admin});
    add(6, false, t0, 5);
    add(7, false, t0, 5);
    add(8, false, t0, 5); // stays a plain member: removed
    auto promoted = *dir.find_user(6);
    promoted.super_user = true;
    dir.apply(put_user{promoted});
    auto elsewhere = *dir.find_user(7);
    elsewhere.set_membership(2, true);
    dir.apply(put_user{elsewhere});

    std::vector<change> made;
    change_sink recording = [&](change const& c) { made.push_back(c); dir.apply(c); return true; };
    BOOST_TEST(reap(dir, t0 + 1000, recording) == 3u); // 2, 3 and 8
    BOOST_TEST(!dir.find_user(8));
    for (record_id kept : {6, 7}) {
        auto const* u = dir.find_user(kept);
        BOOST_TEST_REQUIRE(u);
        BOOST_TEST(!u->remove_at);
        BOOST_TEST(u->removal_by == 0u);
        BOOST_TEST((u->auto_remove_after == remove_period::none));
        BOOST_TEST(u->updated == t0 + 1000);
    }
    // The cancellations went through the sink, as changes a journal and the
    // audit trail record.
    BOOST_TEST(std::count_if(made.begin(), made.end(), [](change const& c) {
                   return std::holds_alternative<put_user>(c);
               }) == 2);
    BOOST_TEST(dir.due_for_removal(t0 + 2000).empty());
}

BOOST_AUTO_TEST_CASE(a_removal_whose_scheduler_is_gone_or_unknown_holds_only_for_a_plain_member)
{
    add(5, false, t0, 99);   // scheduled by a user deleted since
    add(6, false, t0, 0);    // scheduler unknown, plain member: removed
    add(7, true, t0, 0);     // scheduler unknown, superuser: kept
    BOOST_TEST(reap(dir, t0 + 1000, sink) == 3u); // 2, 3 and 6
    BOOST_TEST(dir.find_user(5));
    BOOST_TEST(!dir.find_user(6));
    BOOST_TEST(dir.find_user(7));
    BOOST_TEST(!dir.find_user(7)->remove_at);
}

BOOST_AUTO_TEST_CASE(a_failing_sink_stops_the_round)
{
    std::size_t calls = 0;
    change_sink failing = [&](change const&) { ++calls; return false; };
    BOOST_TEST(reap(dir, t0 + 1000, failing) == 0u);
    BOOST_TEST(calls == 1u);
    BOOST_TEST(dir.users().size() == 4u);
}

BOOST_AUTO_TEST_CASE(the_timer_reaps_with_the_injected_clock)
{
    boost::asio::io_context ioc;
    write_runner run = [this](std::function<void(change_sink const&)> work) {
        auto lock = dir.write_lock();
        work(sink);
    };
    reaper r(ioc.get_executor(), dir, [] { return t0 + 150; }, run, std::chrono::hours(1));
    r.start(); // a first round at once
    BOOST_TEST(!dir.find_user(2));
    BOOST_TEST(dir.find_user(3));
    r.stop();
    ioc.run();
}

BOOST_AUTO_TEST_CASE(audit_events_past_their_retention_or_their_number_go)
{
    for (record_id id = 1; id <= 5; ++id)
        dir.apply(put_audit{audit_event{.id = id, .at = t0 + static_cast<unix_time>(id) * seconds_per_day}});
    // On day 4, a retention of 2 days keeps the events of days 2 on.
    BOOST_TEST(trim_audit(dir, t0 + 4 * seconds_per_day, {.retention = 2 * seconds_per_day}, sink) == 1u);
    BOOST_TEST(dir.audit().front().id == 2u);
    BOOST_TEST(trim_audit(dir, t0 + 4 * seconds_per_day, {.max_events = 2}, sink) == 2u);
    BOOST_TEST(dir.audit().front().id == 4u);
    BOOST_TEST(trim_audit(dir, t0 + 4 * seconds_per_day, {}, sink) == 0u);

    boost::asio::io_context ioc;
    write_runner run = [this](std::function<void(change_sink const&)> work) { work(sink); };
    reaper r(ioc.get_executor(), dir, [] { return t0 + 100 * seconds_per_day; }, run, std::chrono::hours(1),
             {.retention = seconds_per_day});
    r.start();
    BOOST_TEST(dir.audit().empty());
    r.stop();
    ioc.run();
}

BOOST_AUTO_TEST_CASE(answers_kept_under_idempotency_keys_go_after_a_day)
{
    for (record_id id = 1; id <= 3; ++id) {
        kept_answer a;
        a.id = id;
        a.user_id = 1;
        a.at = t0 + static_cast<unix_time>(id) * 3600;
        dir.apply(put_answer{a});
    }
    // Answer 1 is a day old an hour after it was kept, plus a day.
    BOOST_TEST(still_kept(*dir.find_answer(1), t0 + seconds_per_day));
    BOOST_TEST(trim_answers(dir, t0 + seconds_per_day, sink) == 0u);
    BOOST_TEST(!still_kept(*dir.find_answer(1), t0 + 3600 + seconds_per_day));
    BOOST_TEST(trim_answers(dir, t0 + 2 * 3600 + seconds_per_day, sink) == 2u);
    BOOST_TEST(dir.answers().size() == 1u);
    BOOST_TEST(dir.find_answer(3) != nullptr);

    boost::asio::io_context ioc;
    write_runner run = [this](std::function<void(change_sink const&)> work) { work(sink); };
    reaper r(ioc.get_executor(), dir, [] { return t0 + 2 * seconds_per_day; }, run, std::chrono::hours(1));
    r.start();
    BOOST_TEST(dir.answers().empty());
    r.stop();
    ioc.run();
}

BOOST_AUTO_TEST_SUITE_END()
