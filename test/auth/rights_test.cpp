// Who may do what (docs/api.md, "Who may do what").
#define BOOST_TEST_MODULE rights
#include <boost/test/unit_test.hpp>

#include "auth/rights.hpp"

using namespace rosterd;
using auth::access;
using store::user_field;

namespace {

store::user make(store::record_id id, bool super = false)
{
    store::user u;
    u.id = id;
    u.super_user = super;
    return u;
}

// The cast most rules are about: a superuser, and an admin and a plain
// member of group 10.
struct group_10 {
    store::user root = make(1, true);
    store::user admin = with_membership(make(2), true);
    store::user member = with_membership(make(3), false);

    static store::user with_membership(store::user u, bool admin)
    {
        u.set_membership(10, admin);
        return u;
    }
};

} // namespace

BOOST_FIXTURE_TEST_CASE(access_levels, group_10)
{
    auto stranger = make(4);
    auto super_member = make(5, true);
    super_member.set_membership(10, false);

    BOOST_TEST((auth::access_to(root, stranger) == access::super));
    BOOST_TEST((auth::access_to(admin, member) == access::admin));
    // Being a group admin gives no rights over oneself.
    BOOST_TEST((auth::access_to(admin, admin) == access::self));
    BOOST_TEST((auth::access_to(admin, stranger) == access::none));
    BOOST_TEST((auth::access_to(member, admin) == access::none));
    BOOST_TEST((auth::access_to(member, member) == access::self));
    // A group admin never gains power over a superuser.
    BOOST_TEST((auth::access_to(admin, super_member) == access::none));
}

BOOST_AUTO_TEST_CASE(settable_fields_by_level)
{
    auto const self = auth::settable_fields(access::self, true);
    for (auto f : {user_field::first_name, user_field::last_name, user_field::phone_number,
                   user_field::email_address, user_field::description})
        BOOST_TEST(self.has(f));
    for (auto f : {user_field::phone_number_verify, user_field::email_address_verify, user_field::super_user,
                   user_field::client_id, user_field::remarks, user_field::external_id, user_field::auto_remove_after,
                   user_field::user_name, user_field::active})
        BOOST_TEST(!self.has(f));

    auto const admin = auth::settable_fields(access::admin, false);
    BOOST_TEST(!admin.has(user_field::super_user));
    BOOST_TEST(!admin.has(user_field::client_id));
    BOOST_TEST(admin.has(user_field::phone_number_verify));
    BOOST_TEST(admin.has(user_field::remarks));
    BOOST_TEST(admin.has(user_field::user_name));
    BOOST_TEST(admin.has(user_field::active));
    BOOST_TEST(auth::settable_fields(access::super, false).has(user_field::email_address_verify));
    BOOST_TEST(auth::settable_fields(access::none, false).empty());
}

BOOST_AUTO_TEST_CASE(nobody_verifies_their_own_contacts_unless_the_operator_allows_it)
{
    for (auto level : {access::self, access::admin, access::super}) {
        BOOST_TEST(!auth::settable_fields(level, true).has(user_field::phone_number_verify));
        BOOST_TEST(!auth::settable_fields(level, true).has(user_field::email_address_verify));
    }
    BOOST_TEST(auth::settable_fields(access::super, true, true).has(user_field::phone_number_verify));
    BOOST_TEST(auth::settable_fields(access::super, true).has(user_field::first_name));
}

BOOST_FIXTURE_TEST_CASE(an_admin_may_not_retire_another_groups_admin, group_10)
{
    auto other_admin = make(4);
    other_admin.set_membership(10, false);
    other_admin.set_membership(11, true);
    BOOST_TEST(auth::may_retire(admin, member));
    BOOST_TEST(!auth::may_retire(admin, other_admin));
    BOOST_TEST(auth::may_retire(root, other_admin));
    admin.set_membership(11, true); // now the caller administers group 11 too
    BOOST_TEST(auth::may_retire(admin, other_admin));
}

BOOST_FIXTURE_TEST_CASE(an_admin_may_not_retire_a_superuser_or_a_stranger, group_10)
{
    auto boss = make(5);
    boss.set_membership(10, false);
    boss.super_user = true;
    BOOST_TEST(!auth::may_retire(admin, boss));
    BOOST_TEST(!auth::may_retire(admin, make(6))); // in no group of the admin's
    BOOST_TEST(!auth::may_retire(member, member));  // nor is self access enough
}

BOOST_FIXTURE_TEST_CASE(a_scheduled_removal_stands_only_while_its_scheduler_may_retire_the_user, group_10)
{
    BOOST_TEST(auth::removal_stands(&admin, member));
    // The member is made a superuser, or an admin of another group, after
    // the group admin scheduled the removal: it no longer stands.
    auto promoted = member;
    promoted.super_user = true;
    BOOST_TEST(!auth::removal_stands(&admin, promoted));
    auto elsewhere = member;
    elsewhere.set_membership(11, true);
    BOOST_TEST(!auth::removal_stands(&admin, elsewhere));
    BOOST_TEST(auth::removal_stands(&root, elsewhere));
    // The scheduler lost the group, or was deactivated.
    auto demoted = admin;
    demoted.set_membership(10, false);
    BOOST_TEST(!auth::removal_stands(&demoted, member));
    auto inactive = admin;
    inactive.active = false;
    BOOST_TEST(!auth::removal_stands(&inactive, member));
    // Unknown scheduler: only what any group admin could have scheduled.
    BOOST_TEST(auth::removal_stands(nullptr, member));
    BOOST_TEST(!auth::removal_stands(nullptr, promoted));
    BOOST_TEST(!auth::removal_stands(nullptr, elsewhere));
}

BOOST_FIXTURE_TEST_CASE(group_management_and_tokens, group_10)
{
    BOOST_TEST(auth::may_manage_members(root, 99));
    BOOST_TEST(auth::may_manage_members(admin, 10));
    BOOST_TEST(!auth::may_manage_members(admin, 11));
    BOOST_TEST(!auth::may_manage_members(member, 10));
    BOOST_TEST(auth::may_manage_tokens(member, member));
    BOOST_TEST(!auth::may_manage_tokens(admin, member));
    BOOST_TEST(auth::may_manage_tokens(root, member));
}
