// The one-pointer membership list, against the std::vector it replaces,
// and what the packing of a user is for.
#define BOOST_TEST_MODULE membership_list
#include <boost/test/unit_test.hpp>

#include "store/records.hpp"

#include <stdexcept>
#include <vector>

using namespace rosterd::store;

namespace {

std::vector<membership> as_vector(membership_list const& l) { return {l.begin(), l.end()}; }

} // namespace

BOOST_AUTO_TEST_CASE(reads_and_grows_like_a_vector)
{
    membership_list l;
    BOOST_TEST(l.empty());
    BOOST_TEST((l.begin() == l.end()));
    l.push_back({5, false});
    l.insert(l.begin(), {2, true});
    l.insert(l.end(), {9, false});
    for (record_id g = 10; g < 40; ++g) // past several doublings
        l.push_back({g, g % 2 == 0});
    BOOST_TEST_REQUIRE(l.size() == 33u);
    BOOST_TEST(record_id{l[0].group_id} == 2u);
    BOOST_TEST(bool{l[0].admin});
    BOOST_TEST(record_id{l[1].group_id} == 5u);
    BOOST_TEST(record_id{l[2].group_id} == 9u);
    BOOST_TEST(record_id{l.back().group_id} == 39u);

    auto copy = l;
    BOOST_TEST((copy == l));
    copy[0].admin = false;
    BOOST_TEST((copy != l));
    BOOST_TEST(bool{l[0].admin}); // a deep copy

    BOOST_TEST(l.erase_if([](membership const& m) { return m.group_id >= 10; }) == 30u);
    BOOST_TEST((as_vector(l) == std::vector<membership>{{2, true}, {5, false}, {9, false}}));
    auto moved = std::move(l);
    BOOST_TEST(moved.size() == 3u);
    BOOST_TEST(l.empty()); // NOLINT: a moved-from list is empty
    moved = {};
    BOOST_TEST(moved.empty());
    BOOST_TEST((moved == membership_list{}));
}

BOOST_AUTO_TEST_CASE(a_user_keeps_its_memberships_sorted)
{
    user u;
    u.set_membership(7, false);
    u.set_membership(3, true);
    u.set_membership(7, true);
    BOOST_TEST((as_vector(u.groups) == std::vector<membership>{{3, true}, {7, true}}));
    u.remove_membership(3);
    BOOST_TEST(!u.membership_of(3));
    BOOST_TEST(u.is_admin_of(7));
}

BOOST_AUTO_TEST_CASE(a_membership_is_eight_bytes_and_holds_the_largest_group_id)
{
    BOOST_TEST(sizeof(membership) == 8u);
    membership_list l;
    l.push_back({max_membership_group, true});
    l.push_back({max_membership_group - 1, false});
    BOOST_TEST(record_id{l[0].group_id} == max_membership_group);
    BOOST_TEST(bool{l[0].admin});
    BOOST_TEST(record_id{l[1].group_id} == max_membership_group - 1);
    BOOST_TEST(!l[1].admin);
    // A larger id would lose its top bit and name another group.
    user u;
    u.set_membership(max_membership_group, true);
    BOOST_CHECK_THROW(u.set_membership(max_membership_group + 1, false), std::out_of_range);
    BOOST_TEST(u.groups.size() == 1u);
}

// What the packing is for: a user's std::map node (its 32-byte header, the
// key and the record) fits malloc's 144-byte chunk.
BOOST_AUTO_TEST_CASE(a_user_node_fits_in_144_bytes)
{
    constexpr std::size_t node_header = 32, key = 8, malloc_header = 8;
    BOOST_TEST(sizeof(membership_list) == 8u);
    BOOST_TEST(node_header + key + sizeof(user) + malloc_header <= 144u);
}

BOOST_AUTO_TEST_CASE(a_token_node_fits_in_144_bytes)
{
    constexpr std::size_t node_header = 32, key = 8, malloc_header = 8;
    BOOST_TEST(node_header + key + sizeof(token) + malloc_header <= 144u);
}
