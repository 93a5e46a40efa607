// The eight-byte optional time and id, against the std::optional they replace.
#define BOOST_TEST_MODULE opt_int
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

BOOST_AUTO_TEST_CASE(an_id_is_absent_as_zero)
{
    using rosterd::store::opt_id;
    opt_id c;
    BOOST_TEST(!c);
    c = 7u;
    BOOST_TEST((std::optional<std::uint64_t>(c) == 7u));
    BOOST_TEST((c == opt_id(std::optional<std::uint64_t>(7))));
    BOOST_TEST((opt_id(std::optional<std::uint64_t>()) == opt_id()));
    BOOST_TEST(sizeof(opt_id) == 8u);
}
