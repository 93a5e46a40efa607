// The eight-byte optional time, against the std::optional it replaces.
#define BOOST_TEST_MODULE opt_time
#include <boost/test/unit_test.hpp>

#include "store/records.hpp"

#include <map>

using rosterd::store::opt_time;

BOOST_AUTO_TEST_CASE(reads_like_an_optional)
{
    opt_time t;
    BOOST_TEST(!t);
    BOOST_TEST(!std::optional<std::int64_t>(t));
    t = 1'800'000'000;
    BOOST_TEST(t.has_value());
    BOOST_TEST(*t == 1'800'000'000);
    BOOST_TEST((std::optional<std::int64_t>(t) == 1'800'000'000));
    BOOST_TEST((t == opt_time(std::optional<std::int64_t>(1'800'000'000))));
    t = 0; // the epoch is a time like any other
    BOOST_TEST(t.has_value());
    BOOST_TEST((t != opt_time()));
    t.reset();
    BOOST_TEST((t == opt_time(std::nullopt)));
    BOOST_TEST((opt_time(std::optional<std::int64_t>()) == opt_time()));
    BOOST_TEST(sizeof(opt_time) == 8u);
}

// What the packing is for: a user's std::map node (its 32-byte header, the
// key and the record) fits malloc's 240-byte chunk, not the 256-byte one.
BOOST_AUTO_TEST_CASE(a_user_node_fits_in_240_bytes)
{
    constexpr std::size_t node_header = 32, key = 8, malloc_header = 8;
    BOOST_TEST(node_header + key + sizeof(rosterd::store::user) + malloc_header <= 240u);
}
