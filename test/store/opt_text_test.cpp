// store::opt_text behaves as the std::optional<std::string> it replaces.
#define BOOST_TEST_MODULE opt_text
#include <boost/test/unit_test.hpp>

#include "store/opt_text.hpp"

using rosterd::store::opt_text;

BOOST_AUTO_TEST_CASE(absent_present_and_empty_are_three_values)
{
    opt_text absent, empty(""), text("+31850607337");
    BOOST_TEST(!absent);
    BOOST_TEST(empty.has_value());
    BOOST_TEST((*empty).empty());
    BOOST_TEST(*text == "+31850607337");
    BOOST_TEST(!(absent == empty));
    BOOST_TEST(!(empty == text));
    BOOST_TEST((absent == opt_text(std::nullopt)));
    BOOST_TEST((!(absent == std::string_view(""))));
    BOOST_TEST((empty == std::string_view("")));
    BOOST_TEST(sizeof(opt_text) == sizeof(void*));
}

BOOST_AUTO_TEST_CASE(copies_own_their_text_and_moves_leave_nothing)
{
    std::string source(300, 'x');
    opt_text a(source);
    source.assign(300, 'y');
    opt_text b = a;
    a = "changed";
    BOOST_TEST(*b == std::string(300, 'x'));
    BOOST_TEST(*a == "changed");
    opt_text c = std::move(b);
    BOOST_TEST(!b);
    BOOST_TEST(*c == std::string(300, 'x'));
    c = std::nullopt;
    BOOST_TEST(!c);
    c = c; // self-assignment keeps the value
    BOOST_TEST(!c);
    a = a;
    BOOST_TEST(*a == "changed");
}

BOOST_AUTO_TEST_CASE(converts_from_optional_strings)
{
    std::optional<std::string> none, some("a@example.org");
    std::optional<std::string_view> view("v");
    BOOST_TEST(!opt_text(none));
    BOOST_TEST(*opt_text(some) == "a@example.org");
    BOOST_TEST(*opt_text(view) == "v");
    std::string const embedded("a\0b", 3);
    BOOST_TEST((*opt_text(embedded)).size() == 3u);
}
