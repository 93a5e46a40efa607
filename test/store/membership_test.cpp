// A user's memberships: kept sorted, one a group, in the block their texts
// are in (store/user_texts.hpp), and what the packing of a user is for.
#define BOOST_TEST_MODULE membership
#include <boost/test/unit_test.hpp>

#include "store/records.hpp"

#include <stdexcept>
#include <vector>

using namespace rosterd::store;

namespace {

std::vector<membership> as_vector(membership_view l) { return {l.begin(), l.end()}; }

} // namespace

BOOST_AUTO_TEST_CASE(a_user_keeps_its_memberships_sorted)
{
    user u;
    BOOST_TEST(u.groups().empty());
    u.set_membership(7, false);
    u.set_membership(3, true);
    u.set_membership(7, true);
    for (record_id g = 10; g < 40; ++g)
        u.set_membership(g, g % 2 == 0);
    BOOST_TEST_REQUIRE(u.groups().size() == 32u);
    BOOST_TEST((as_vector(u.groups()).front() == membership{3, true}));
    BOOST_TEST((u.groups()[1] == membership{7, true}));
    BOOST_TEST(record_id{u.groups().back().group_id} == 39u);
    u.remove_membership(3);
    u.remove_membership(4); // not a member: nothing changes
    BOOST_TEST(!u.membership_of(3).has_value());
    BOOST_TEST(u.is_admin_of(7));
    BOOST_TEST(!u.is_admin_of(11));
    BOOST_TEST(u.groups().size() == 31u);
    for (record_id g = 7; g < 40; ++g)
        u.remove_membership(g);
    BOOST_TEST(u.groups().empty());
    BOOST_TEST((u.texts == user_texts{})); // nothing left: no block
}

BOOST_AUTO_TEST_CASE(memberships_and_texts_share_a_block_and_keep_each_other)
{
    user u;
    u.set_email_address("ann@example.org");
    u.set_groups({{2, false}, {5, true}});
    u.set_phone_number("+31 20 123 4567");
    u.set_membership(9, false);
    u.set_email_address(std::nullopt);
    BOOST_TEST((as_vector(u.groups()) == std::vector<membership>{{2, false}, {5, true}, {9, false}}));
    BOOST_TEST(*u.phone_number() == "+31 20 123 4567");
    BOOST_TEST(!u.email_address());

    // Equal contents make equal blocks, however they were reached.
    user same;
    same.set_groups({{2, false}, {5, true}, {9, false}});
    same.set_phone_number("+31 20 123 4567");
    BOOST_TEST((same.texts == u.texts));
    BOOST_TEST((same.groups() == u.groups()));

    auto copy = u;
    copy.set_membership(2, true);
    BOOST_TEST((copy.groups() != u.groups()));
    BOOST_TEST(!u.is_admin_of(2)); // a deep copy
    BOOST_TEST(*copy.phone_number() == "+31 20 123 4567");

    // Memberships without any text.
    user bare;
    bare.set_groups({{1, true}});
    BOOST_TEST(bare.is_admin_of(1));
    BOOST_TEST(!bare.email_address());
    BOOST_TEST((bare.texts.all() == user_texts::values{}));
}

BOOST_AUTO_TEST_CASE(a_membership_is_eight_bytes_and_holds_the_largest_group_id)
{
    BOOST_TEST(sizeof(membership) == 8u);
    user u;
    u.set_membership(max_membership_group, true);
    u.set_membership(max_membership_group - 1, false);
    BOOST_TEST(record_id{u.groups()[1].group_id} == max_membership_group);
    BOOST_TEST(bool{u.groups()[1].admin});
    BOOST_TEST(record_id{u.groups()[0].group_id} == max_membership_group - 1);
    BOOST_TEST(!u.groups()[0].admin);
    // A larger id would lose its top bit and name another group.
    BOOST_CHECK_THROW(u.set_membership(max_membership_group + 1, false), std::out_of_range);
    BOOST_TEST(u.groups().size() == 2u);
}

BOOST_AUTO_TEST_CASE(memberships_are_packed_in_four_bytes_while_every_group_id_fits)
{
    user u;
    u.set_first_name("ann");
    u.set_groups({{1, true}, {max_packed_group, false}});
    // The block's start (flags, count), two packed memberships, a length, "ann".
    BOOST_TEST(u.texts.bytes() == 4u + 2 * 4 + 1 + 3);
    BOOST_TEST((as_vector(u.groups()) == std::vector<membership>{{1, true}, {max_packed_group, false}}));
    BOOST_TEST(u.is_admin_of(1));
    BOOST_TEST(!u.is_admin_of(max_packed_group));

    // One group id past 31 bits: all eight bytes, the texts kept.
    u.set_membership(max_packed_group + 1, true);
    BOOST_TEST(u.texts.bytes() == 4u + 3 * 8 + 1 + 3);
    BOOST_TEST((as_vector(u.groups())
                == std::vector<membership>{{1, true}, {max_packed_group, false}, {max_packed_group + 1, true}}));
    BOOST_TEST(u.is_admin_of(max_packed_group + 1));
    BOOST_TEST(record_id{u.groups().back().group_id} == max_packed_group + 1);
    BOOST_TEST(u.first_name() == "ann");

    // Gone again: packed again, the same block as one never widened.
    u.remove_membership(max_packed_group + 1);
    user same;
    same.set_first_name("ann");
    same.set_groups({{1, true}, {max_packed_group, false}});
    BOOST_TEST((u.texts == same.texts));
    BOOST_TEST(u.texts.bytes() == same.texts.bytes());
    // The iterator's random access, as membership_of's search uses it.
    auto const all = u.groups();
    auto const size = all.end() - all.begin();
    BOOST_TEST(size == 2);
    BOOST_TEST((all.begin()[1] == membership{max_packed_group, false}));
    BOOST_TEST(!u.membership_of(2).has_value());
}

BOOST_AUTO_TEST_CASE(past_65535_memberships_the_count_takes_four_bytes)
{
    for (std::size_t const n : {65'535u, 65'536u, 70'000u}) {
        std::vector<membership> all;
        for (record_id g = 1; g <= n; ++g)
            all.push_back({g, g % 7 == 0});
        user u;
        u.set_phone_number("+31 20 123 4567");
        u.set_groups(all);
        BOOST_TEST(u.texts.bytes() == (n > 65'535 ? 6 : 4) + n * 4 + 1 + 15);
        BOOST_TEST((as_vector(u.groups()) == all));
        BOOST_TEST(*u.phone_number() == "+31 20 123 4567");
        BOOST_TEST(u.is_admin_of(70));
        // Back under: the short count again.
        u.set_groups(std::span(all).first(3));
        BOOST_TEST(u.texts.bytes() == 4u + 3 * 4 + 1 + 15);
        BOOST_TEST(u.groups().size() == 3u);
    }
}

// What the packing is for: a user takes its record's bytes in the
// directory's pages (store/user_table.hpp), and a token's map node fits
// malloc's 144-byte chunk.
BOOST_AUTO_TEST_CASE(a_user_is_56_bytes)
{
    BOOST_TEST(sizeof(user) == 56u);
}

BOOST_AUTO_TEST_CASE(a_token_node_fits_in_144_bytes)
{
    constexpr std::size_t node_header = 32, key = 8, malloc_header = 8;
    BOOST_TEST(node_header + key + sizeof(token) + malloc_header <= 144u);
}
