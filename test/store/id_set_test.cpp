// The id set: it answers as a std::set of ids would, with ids past 32 bits
// among them, and its iterator works with the standard algorithms.
#define BOOST_TEST_MODULE id_set
#include <boost/test/unit_test.hpp>

#include "store/id_set.hpp"

#include <algorithm>
#include <random>
#include <set>
#include <vector>

using rosterd::store::id_set;
using rosterd::store::record_id;

namespace {

constexpr record_id wide = record_id{1} << 32;

std::vector<record_id> ids(id_set const& s) { return {s.begin(), s.end()}; }

} // namespace

BOOST_AUTO_TEST_CASE(it_answers_as_a_set_with_ids_past_32_bits)
{
    std::mt19937_64 rng(11);
    id_set set;
    std::set<record_id> reference;
    // Small ids, ids just past 32 bits, and the largest: inserted twice,
    // erased when absent, in any order.
    auto pick = [&] {
        switch (rng() % 4) {
        case 0: return wide + rng() % 50;
        case 1: return UINT32_MAX - rng() % 3;
        default: return rng() % 200;
        }
    };
    for (int round = 0; round < 5'000; ++round) {
        auto const id = round % 97 == 0 ? ~record_id{0} : pick();
        if (rng() % 3 != 0) {
            set.insert(id);
            reference.insert(id);
        } else {
            set.erase(id);
            reference.erase(id);
        }
        BOOST_TEST_REQUIRE(set.size() == reference.size());
    }
    BOOST_TEST(ids(set) == std::vector<record_id>(reference.begin(), reference.end()), boost::test_tools::per_element());
    BOOST_TEST_REQUIRE(*reference.rbegin() >= wide);
    BOOST_TEST_REQUIRE(*reference.begin() < wide);
    for (record_id probe : {record_id{0}, record_id{7}, record_id{UINT32_MAX}, wide, wide + 3, ~record_id{0}}) {
        BOOST_TEST(set.contains(probe) == reference.contains(probe));
        // Random access: upper_bound in steps, as a paged walk resumes.
        auto const it = std::upper_bound(set.begin(), set.end(), probe);
        auto const expected = reference.upper_bound(probe);
        auto const at = it - set.begin();
        BOOST_TEST(at == std::distance(reference.begin(), expected));
        if (expected != reference.end())
            BOOST_TEST(*it == *expected);
    }
    auto const copy = set;
    BOOST_TEST((copy == set));
    BOOST_TEST(ids(copy) == ids(set), boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(equal_sets_compare_equal_however_they_were_made)
{
    id_set a, b;
    a.insert(3);
    a.insert(wide);
    a.erase(wide); // nothing past 32 bits left
    b.insert(3);
    BOOST_TEST((a == b));
    b.insert(wide + 1);
    BOOST_TEST(!(a == b));
    a.insert(wide + 1);
    BOOST_TEST((a == b));
    // The same low 32 bits are another id.
    a.erase(1);
    BOOST_TEST(a.contains(wide + 1));
    BOOST_TEST(!a.contains(1));
    BOOST_TEST(a.size() == 2u);
    auto it = a.end();
    BOOST_TEST(*--it == wide + 1);
    BOOST_TEST(it[-1] == 3u);
    BOOST_TEST(a[0] == 3u);
}
