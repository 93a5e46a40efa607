#define BOOST_TEST_MODULE cli_table
#include <boost/test/unit_test.hpp>

#include "cli/table.hpp"

#include <boost/json/parse.hpp>

using namespace rosterd::cli;

BOOST_AUTO_TEST_CASE(a_list_is_a_table_of_aligned_columns)
{
    auto const list = boost::json::parse(R"([{"id":1,"name":"Zoë","actor":{"userId":7},"fields":["a","b"]},
                                             {"id":22,"name":null,"actor":null,"fields":[]}])");
    auto const text = table(list, {{"ID", "id"}, {"NAME", "name"}, {"BY", "actor.userId"}, {"FIELDS", "fields"}});
    BOOST_TEST(text == "ID  NAME  BY  FIELDS\n"
                       "1   Zoë   7   a, b\n"
                       "22  -     -   -\n");
    BOOST_TEST(table(boost::json::parse("[]"), {{"ID", "id"}}) == "(none)\n");
}

BOOST_AUTO_TEST_CASE(control_characters_never_reach_the_terminal)
{
    // ESC (a colour change), a carriage return, DEL and C1's CSI (U+009B).
    auto const evil = boost::json::parse("{\"firstName\":\"Eve\\u001b[31m\\r\\u007f\\u009b2J\"}");
    BOOST_TEST(record(evil) == "firstName  Eve?[31m???2J\n");
    BOOST_TEST(cell(boost::json::parse("\"tab\\there\"")) == "tab?here");
}
