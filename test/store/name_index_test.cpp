// The name index's table: it answers as a multimap would, through growth
// and erasure, with hashes that collide and runs that wrap around its end.
#define BOOST_TEST_MODULE name_index
#include <boost/test/unit_test.hpp>

#include "store/name_index.hpp"

#include <algorithm>
#include <map>
#include <random>
#include <vector>

using rosterd::store::name_index;

namespace {

std::vector<std::uint64_t> ids_at(name_index const& index, std::uint64_t hash)
{
    std::vector<std::uint64_t> out;
    index.for_each(hash, [&](std::uint64_t id) { out.push_back(id); });
    std::sort(out.begin(), out.end());
    return out;
}

} // namespace

BOOST_AUTO_TEST_CASE(it_answers_as_a_multimap_through_growth_and_erasure)
{
    // Few distinct hashes, so that runs are long and collide; some hashes
    // land near the table's end, so that runs wrap around it.
    std::mt19937_64 rng(7);
    name_index index;
    std::multimap<std::uint64_t, std::uint64_t> reference;
    std::vector<std::uint64_t> hashes;
    for (int i = 0; i < 300; ++i)
        hashes.push_back(rng() | (i % 3 == 0 ? 0xffffull : 0));
    for (int round = 0; round < 20'000; ++round) {
        auto const hash = hashes[rng() % hashes.size()];
        if (rng() % 3 != 0 || reference.empty()) {
            // One id in ten past 32 bits: kept beside the table.
            auto const id = (rng() % 10 == 0 ? std::uint64_t{1} << 32 : 0) + rng() % 5000;
            index.insert(hash, id);
            reference.emplace(hash, id);
        } else {
            auto it = reference.begin();
            std::advance(it, static_cast<long>(rng() % reference.size()));
            index.erase(it->first, it->second);
            reference.erase(it);
        }
    }
    BOOST_TEST(index.size() == reference.size());
    auto const in_table = std::count_if(reference.begin(), reference.end(),
                                        [](auto const& entry) { return entry.second <= UINT32_MAX; });
    BOOST_TEST(in_table > 0);
    BOOST_TEST(static_cast<std::size_t>(in_table) < reference.size());
    BOOST_TEST(static_cast<std::size_t>(in_table) * 8 <= index.capacity() * 7);
    for (auto const hash : hashes) {
        std::vector<std::uint64_t> expected;
        for (auto [it, end] = reference.equal_range(hash); it != end; ++it)
            expected.push_back(it->second);
        std::sort(expected.begin(), expected.end());
        BOOST_TEST(ids_at(index, hash) == expected, boost::test_tools::per_element());
    }
}

BOOST_AUTO_TEST_CASE(erasing_what_is_not_there_changes_nothing)
{
    name_index index;
    index.erase(1, 2); // empty
    index.insert(5, 1);
    index.insert(5, 2);
    index.erase(5, 3);
    index.erase(6, 1);
    BOOST_TEST(index.size() == 2u);
    BOOST_TEST((ids_at(index, 5) == std::vector<std::uint64_t>{1, 2}));
    index.erase(5, 1);
    BOOST_TEST((ids_at(index, 5) == std::vector<std::uint64_t>{2}));
    // Any id, a damaged record's 0 included, and hashes that differ only in
    // the top bit (which the table uses for itself) are told apart by id.
    index.insert(5, 0);
    index.insert(5 | (std::uint64_t{1} << 63), 9);
    BOOST_TEST((ids_at(index, 5) == std::vector<std::uint64_t>{0, 2, 9}));
    index.erase(5, 0);
    BOOST_TEST((ids_at(index, 5) == std::vector<std::uint64_t>{2, 9}));
}

BOOST_AUTO_TEST_CASE(a_slot_keeps_31_bits_of_a_hash_and_ids_past_32_bits_beside_it)
{
    name_index index;
    // Hashes alike in their low 31 bits share a key: each is a candidate
    // for the other, and told apart by the caller.
    auto const hash = std::uint64_t{0x1234'5678};
    auto const alike = hash | (std::uint64_t{0xabcd} << 40) | (std::uint64_t{1} << 31);
    index.insert(hash, 1);
    index.insert(alike, 2);
    BOOST_TEST((ids_at(index, hash) == std::vector<std::uint64_t>{1, 2}));
    BOOST_TEST(ids_at(index, hash + 1).empty());
    // An id of 2^32 or more is kept whole, found with the others, and
    // erased by its own value, not its low 32 bits.
    auto const far = (std::uint64_t{1} << 63) | 1;
    index.insert(hash, far);
    index.insert(hash, UINT32_MAX);
    BOOST_TEST(index.size() == 4u);
    BOOST_TEST((ids_at(index, hash) == std::vector<std::uint64_t>{1, 2, UINT32_MAX, far}));
    index.erase(hash, 1); // the slot's id 1, not `far`
    BOOST_TEST((ids_at(index, hash) == std::vector<std::uint64_t>{2, UINT32_MAX, far}));
    index.erase(hash + 1, far); // another key: nothing
    BOOST_TEST(index.size() == 3u);
    index.erase(alike, far);
    BOOST_TEST((ids_at(index, hash) == std::vector<std::uint64_t>{2, UINT32_MAX}));
    BOOST_TEST(index.size() == 2u);
}
