// The 16-byte name string: in place up to 15 bytes, on the heap beyond,
// and the same either way to whoever reads it.
#define BOOST_TEST_MODULE short_text
#include <boost/test/unit_test.hpp>

#include "store/short_text.hpp"

#include <string>

using rosterd::store::short_text;

BOOST_AUTO_TEST_CASE(inline_and_heap_texts_read_alike)
{
    BOOST_TEST(sizeof(short_text) == 16u);
    short_text empty;
    BOOST_TEST(empty.empty());
    BOOST_TEST(empty.view() == "");
    for (std::size_t n : {0, 1, 14, 15, 16, 17, 255, 4096}) {
        std::string const s(n, 'a' + static_cast<char>(n % 26));
        short_text t(s);
        BOOST_TEST(t.view() == s);
        BOOST_TEST(t.size() == n);
        BOOST_TEST(t.empty() == (n == 0));
        short_text copy = t;
        BOOST_TEST((copy == t));
        short_text moved = std::move(copy);
        BOOST_TEST(moved.view() == s);
        BOOST_TEST(copy.empty()); // NOLINT: a moved-from text is empty
        copy = moved; // and usable again
        BOOST_TEST(copy.view() == s);
        moved = "Zoë";
        BOOST_TEST(moved.view() == "Zoë");
        BOOST_TEST((moved == std::string("Zoë")));
        BOOST_TEST((moved != copy || n == 0));
    }
    // Bytes are bytes: NUL and UTF-8 survive in place and on the heap.
    std::string const with_nul("a\0b", 3);
    BOOST_TEST(short_text(with_nul).view() == with_nul);
    std::string const long_utf8 = "Zoë Ångström-Lee, née Øster";
    BOOST_TEST(short_text(long_utf8).view() == long_utf8);
}
