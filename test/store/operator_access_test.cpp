// The rule that keeps the operators able to get in: what counts as a way
// in, and which removals would take the last one away.
#define BOOST_TEST_MODULE operator_access
#include <boost/test/unit_test.hpp>

#include "store/operator_access.hpp"

using namespace rosterd::store;

namespace {

constexpr unix_time now = 1'800'000'000;

struct fixture {
    directory dir;

    void add_user(record_id id, bool super)
    {
        user u;
        u.id = id;
        u.super_user = super;
        dir.apply(put_user{u});
    }

    void add_token(record_id id, record_id owner, std::optional<unix_time> expires = {})
    {
        token t;
        t.id = id;
        t.user_id = owner;
        t.hash.fill(static_cast<std::uint8_t>(id));
        t.expires = expires;
        dir.apply(put_token{t});
    }
};

} // namespace

BOOST_FIXTURE_TEST_SUITE(operator_access_rules, fixture)

BOOST_AUTO_TEST_CASE(only_superuser_tokens_count)
{
    add_user(1, true);
    add_user(2, false);
    add_token(1, 2);
    BOOST_TEST((operator_access_of(dir, now) == operator_access::none));
    add_token(2, 1, now + 10);
    BOOST_TEST((operator_access_of(dir, now) == operator_access::expiring));
    BOOST_TEST((operator_access_of(dir, now + 10) == operator_access::none)); // expired
    add_token(3, 1);
    BOOST_TEST((operator_access_of(dir, now) == operator_access::lasting));
}

BOOST_AUTO_TEST_CASE(a_deactivated_superuser_has_no_way_in)
{
    add_user(1, true);
    add_token(1, 1);
    BOOST_TEST((operator_access_of(dir, now) == operator_access::lasting));
    auto u = *dir.find_user(1);
    u.active = false;
    dir.apply(put_user{u});
    BOOST_TEST((operator_access_of(dir, now) == operator_access::none));
}

BOOST_AUTO_TEST_CASE(removing_the_last_way_in_would_lock_out)
{
    add_user(1, true);
    add_user(2, true);
    add_token(1, 1);
    add_token(2, 2, now + 3600);
    BOOST_TEST(would_lock_out(dir, now, {.token = 1}));   // only an expiring one would be left
    BOOST_TEST(!would_lock_out(dir, now, {.token = 2}));
    BOOST_TEST(would_lock_out(dir, now, {.user = 1}));
    BOOST_TEST(would_lock_out(dir, now, {.demoted = 1}));
    BOOST_TEST(!would_lock_out(dir, now, {.user = 2}));
    add_token(3, 2);
    BOOST_TEST(!would_lock_out(dir, now, {.token = 1}));
    BOOST_TEST(!would_lock_out(dir, now, {.user = 1}));
}

BOOST_AUTO_TEST_CASE(a_directory_already_without_a_way_in_blocks_nothing)
{
    add_user(1, true);
    add_token(1, 1, now - 1); // expired
    BOOST_TEST(!would_lock_out(dir, now, {.token = 1}));
}

BOOST_AUTO_TEST_SUITE_END()
