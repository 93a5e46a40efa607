#define BOOST_TEST_MODULE time
#include <boost/test/unit_test.hpp>

#include "store/time.hpp"

#include <ctime>

using rosterd::store::format_rfc3339;
using rosterd::store::unix_time;

namespace {

std::string c_library(unix_time t)
{
    std::time_t const tt = static_cast<std::time_t>(t);
    std::tm tm{};
    gmtime_r(&tt, &tm);
    char buf[64];
    return std::string(buf, std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm));
}

} // namespace

BOOST_AUTO_TEST_CASE(known_instants)
{
    BOOST_TEST(format_rfc3339(0) == "1970-01-01T00:00:00Z");
    BOOST_TEST(format_rfc3339(951782400) == "2000-02-29T00:00:00Z");
    BOOST_TEST(format_rfc3339(1'700'000'000) == "2023-11-14T22:13:20Z");
    BOOST_TEST(format_rfc3339(253402300799) == "9999-12-31T23:59:59Z");
}

BOOST_AUTO_TEST_CASE(agrees_with_the_c_library_from_year_0_to_beyond_9999)
{
    for (unix_time t = -62'167'219'200; t < 253'402'300'800 + 400 * 86'400; t += 86'400 * 37 + 3'607)
        BOOST_TEST_REQUIRE(format_rfc3339(t) == c_library(t), "at " << t);
    for (unix_time t = 1'700'000'000; t < 1'700'000'000 + 2 * 86'400; t += 1)
        BOOST_TEST_REQUIRE(format_rfc3339(t) == c_library(t), "at " << t);
}
