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

BOOST_AUTO_TEST_CASE(parses_exactly_what_it_formats)
{
    using rosterd::store::parse_rfc3339;
    for (unix_time t : {unix_time{0}, unix_time{951782400}, unix_time{1'700'000'000}, unix_time{253402300799}})
        BOOST_TEST((parse_rfc3339(format_rfc3339(t)) == t));
    for (unix_time t = -30'000'000'000; t < 253'402'300'800; t += 86'400 * 91 + 3'607)
        BOOST_TEST_REQUIRE((parse_rfc3339(format_rfc3339(t)) == t), "at " << t);
    for (auto const* bad : {"", "2026-11-28", "2026-11-28T14:53:55", "2026-11-28T14:53:55+00:00",
                            "2026-11-28t14:53:55Z", "2026-11-28T14:53:55.5Z", "2026-02-29T00:00:00Z",
                            "2026-13-01T00:00:00Z", "2026-00-10T00:00:00Z", "2026-11-28T24:00:00Z",
                            "2026-11-28T23:60:00Z", "2026-11-28T23:59:60Z", "0999-12-31T23:59:59Z",
                            " 2026-11-28T14:53:55Z", "2026-11-28T14:53:55Z ", "+026-11-28T14:53:55Z"})
        BOOST_TEST(!parse_rfc3339(bad), bad);
}

// Every RFC 3339 form a provider sends for a delta sync reads as the moment
// it names: fractions, offsets, lower-case letters, a leap second.
BOOST_AUTO_TEST_CASE(any_rfc3339_date_time_reads_as_its_moment)
{
    using rosterd::store::instant;
    using rosterd::store::parse_rfc3339_instant;
    auto at = [](std::string_view text) { return parse_rfc3339_instant(text); };
    auto const base = *rosterd::store::parse_rfc3339("2026-12-06T15:00:00Z");
    BOOST_TEST((at("2026-12-06T15:00:00Z") == instant{base, 0}));
    BOOST_TEST((at("2026-12-06t15:00:00z") == instant{base, 0}));
    BOOST_TEST((at("2026-12-06T15:00:00.5Z") == instant{base, 500'000'000}));
    BOOST_TEST((at("2026-12-06T15:00:00.123456789123Z") == instant{base, 123'456'789}));
    BOOST_TEST((at("2026-12-06T16:00:00+01:00") == instant{base, 0}));
    BOOST_TEST((at("2026-12-06T09:30:00.25-05:30") == instant{base, 250'000'000}));
    BOOST_TEST((at("2026-12-31T23:59:60Z") == instant{*rosterd::store::parse_rfc3339("2026-12-31T23:59:59Z"), 999'999'999}));
    // Earlier and later, by the moment and not by the text.
    BOOST_TEST((*at("2026-12-06T15:00:00.5Z") > *at("2026-12-06T15:00:00Z")));
    BOOST_TEST((*at("2026-12-06T15:30:00+01:00") < *at("2026-12-06T15:00:00Z")));
    for (std::string_view bad : {"", "2026-12-06", "2026-12-06T15:00:00", "2026-12-06T15:00Z", "2026-12-06T15:00:00.Z",
                                 "2026-12-06T15:00:00+0100", "2026-12-06T15:00:00+24:00", "2026-02-30T15:00:00Z",
                                 "2026-12-06T24:00:00Z", "2026-12-06T15:00:00Zjunk", "2026-12-06 15:00:00Z",
                                 "２026-12-06T15:00:00Z"})
        BOOST_TEST(!at(bad), bad);
}
