#define BOOST_TEST_MODULE config_reload
#include <boost/test/unit_test.hpp>

#include "config/reload.hpp"

using namespace rosterd::config;

BOOST_AUTO_TEST_CASE(changes_are_split_into_live_and_waiting)
{
    option_texts const in_use{{"log-level", "info"}, {"threads", "1"}, {"max-body", "65536"}, {"tls-cert", "a.pem"}};
    auto const c = compare(in_use, {{"log-level", "warn"}, {"threads", "2"}, {"max-body", "65536"}, {"store", "x"}});
    BOOST_TEST(joined(c.applied) == "log-level, tls-cert"); // tls-cert: no longer given
    BOOST_TEST(joined(c.waiting) == "store, threads");
    // The waiting options keep the value in use, so that the next reload names them again.
    BOOST_TEST(c.in_use.at("threads") == "1");
    BOOST_TEST(!c.in_use.count("store"));
    BOOST_TEST(c.in_use.at("log-level") == "warn");
    BOOST_TEST(joined(compare(c.in_use, {{"log-level", "warn"}, {"threads", "2"}, {"max-body", "65536"}, {"store", "x"}})
                          .waiting) == "store, threads");
    BOOST_TEST(compare(in_use, in_use).applied.empty());
    BOOST_TEST(compare(in_use, in_use).waiting.empty());
}
