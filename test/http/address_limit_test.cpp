#define BOOST_TEST_MODULE address_limit
#include <boost/test/unit_test.hpp>

#include "http/address_limit.hpp"

using rosterd::http::address_limit;
using boost::asio::ip::make_address;

BOOST_AUTO_TEST_CASE(each_address_has_its_own_count)
{
    address_limit limit(2);
    auto const a = make_address("192.0.2.1");
    auto const b = make_address("2001:db8::1");
    BOOST_TEST(limit.try_open(a));
    BOOST_TEST(limit.try_open(a));
    BOOST_TEST(!limit.try_open(a));
    BOOST_TEST(limit.try_open(b));
    limit.close(a);
    BOOST_TEST(limit.try_open(a));
    limit.close(a);
    limit.close(a);
    limit.close(b);
    BOOST_TEST(limit.addresses() == 0u); // nothing kept for addresses that left
}

BOOST_AUTO_TEST_CASE(zero_admits_everyone)
{
    address_limit limit(0);
    auto const a = make_address("127.0.0.1");
    for (int i = 0; i < 1000; ++i)
        BOOST_TEST_REQUIRE(limit.try_open(a));
    BOOST_TEST(limit.addresses() == 0u);
}
