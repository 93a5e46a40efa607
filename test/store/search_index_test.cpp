// The search index answers as a scan of every user's folded texts would,
// through puts, changes and erasures in any order, across chunk borders;
// and a match never spans two texts or two users.
#define BOOST_TEST_MODULE search_index
#include <boost/test/unit_test.hpp>

#include "store/search_index.hpp"

#include <map>
#include <random>
#include <vector>

using namespace rosterd::store;

namespace {

user make_user(record_id id, std::string_view first, std::string_view last, std::string_view address)
{
    user u;
    u.id = id;
    u.set_first_name(first);
    u.set_last_name(last);
    if (!address.empty())
        u.set_email_address(address);
    return u;
}

std::vector<record_id> matches(search_index const& index, std::string_view query, record_id from = 0,
                               record_id to = 100'000)
{
    std::vector<record_id> out;
    index.for_each_match(from, to, search_index::fold(query), [&](record_id id) {
        out.push_back(id);
        return true;
    });
    return out;
}

} // namespace

BOOST_AUTO_TEST_CASE(it_finds_what_a_scan_finds_through_changes)
{
    std::mt19937 rng(11);
    std::vector<std::string> const words = {"ann", "Anna", "BOB", "bobby", "Émile", "émile", "ＣＡＲＬ", "carla", "x"};
    search_index index;
    std::map<record_id, std::string> reference; // id -> folded entry
    for (int round = 0; round < 5000; ++round) {
        record_id const id = 1 + rng() % 400;
        if (rng() % 4 == 0) {
            index.erase(id);
            reference.erase(id);
        } else {
            auto const u = make_user(id, words[rng() % words.size()], words[rng() % words.size()],
                                     rng() % 2 ? words[rng() % words.size()] + "@example.org" : "");
            index.put(u);
            reference[id] = search_index::entry_of(u);
        }
    }
    for (std::string_view q : {"ann", "ANN", "émile", "EMILE", "carl", "bob", "@example", "x", "nobody"}) {
        BOOST_TEST_CONTEXT(q) {
            auto const folded = search_index::fold(q);
            std::vector<record_id> expected;
            for (auto const& [id, entry] : reference)
                if (entry.find(folded) != std::string::npos)
                    expected.push_back(id);
            BOOST_TEST(matches(index, q) == expected, boost::test_tools::per_element());
            for (auto const& [id, entry] : reference)
                BOOST_TEST(index.contains(id, folded) == (entry.find(folded) != std::string::npos));
            // A window of ids sees its part only, whatever chunk it starts in.
            std::vector<record_id> window;
            for (auto id : expected)
                if (id >= 100 && id < 230)
                    window.push_back(id);
            BOOST_TEST(matches(index, q, 100, 230) == window, boost::test_tools::per_element());
        }
    }
}

BOOST_AUTO_TEST_CASE(case_width_and_composition_do_not_matter)
{
    search_index index;
    index.put(make_user(1, "JOSÉ", "Ｍｕｌｌｅｒ", "Jose@Example.ORG"));
    BOOST_TEST(matches(index, "josé") == std::vector<record_id>{1}, boost::test_tools::per_element());
    BOOST_TEST(matches(index, "JOSE\xcc\x81") == std::vector<record_id>{1}, boost::test_tools::per_element());
    BOOST_TEST(matches(index, "muller") == std::vector<record_id>{1}, boost::test_tools::per_element());
    BOOST_TEST(matches(index, "jose@example.org") == std::vector<record_id>{1}, boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(a_match_never_spans_two_texts_or_two_users)
{
    search_index index;
    index.put(make_user(1, "ann", "lee", ""));
    index.put(make_user(2, "bob", "smith", ""));
    BOOST_TEST(matches(index, "annlee").empty());
    BOOST_TEST(matches(index, "leebob").empty());
    BOOST_TEST(matches(index, "eebo").empty());
    BOOST_TEST(matches(index, "smith") == std::vector<record_id>{2}, boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(a_change_of_other_fields_keeps_the_entry)
{
    auto a = make_user(5, "Ann", "Lee", "ann@example.org");
    auto b = a;
    b.set_phone_number("+15550100");
    b.super_user = true;
    BOOST_TEST(search_index::same_texts(a, b));
    b.set_first_name("Anne");
    BOOST_TEST(!search_index::same_texts(a, b));
}

BOOST_AUTO_TEST_CASE(a_huge_id_costs_one_chunk)
{
    // A damaged record's id: the index must not size itself by it.
    search_index index;
    record_id const huge = record_id{1} << 60;
    index.put(make_user(huge, "Far", "Away", ""));
    index.put(make_user(5, "Near", "By", ""));
    BOOST_TEST(matches(index, "a", 0, huge + 1) == (std::vector<record_id>{5, huge}), boost::test_tools::per_element());
    BOOST_TEST(index.contains(huge, search_index::fold("far")));
    BOOST_TEST(index.next_from(6) == 6u); // user 5's chunk
    BOOST_TEST(index.next_from(64) == huge - huge % search_index::ids_per_chunk);
    BOOST_TEST(index.next_from(huge + 64) == 0u);
}

// A load's builder makes the index put() and erase() make from the same
// changes: in ascending id (its fast way), and in any other order, repeats
// and erasures included (put() as it comes).
BOOST_AUTO_TEST_CASE(a_builder_makes_the_index_puts_make)
{
    std::vector<std::string> const words = {"ann", "Anna", "Émile", "ＣＡＲＬ", "x", ""};
    auto user_for = [&](record_id id, unsigned salt) {
        std::string address;
        if ((id + salt) % 3)
            address.append(std::to_string(id)).append("@example.org");
        return make_user(id, words[(id + salt) % words.size()], words[(id * 7 + salt) % words.size()], address);
    };
    auto same_as_puts = [&](std::vector<std::pair<record_id, bool>> const& changes) {
        search_index by_puts;
        search_index::builder builder;
        unsigned salt = 0;
        for (auto const& [id, put] : changes) {
            if (put) {
                auto const u = user_for(id, ++salt);
                by_puts.put(u);
                builder.put(u);
            } else {
                by_puts.erase(id);
                builder.erase(id);
            }
        }
        return std::move(builder).finish() == by_puts;
    };
    std::vector<std::pair<record_id, bool>> ascending;
    for (record_id id = 1; id < 1000; id += 1 + id % 5) // gaps, across chunks
        ascending.emplace_back(id, true);
    BOOST_TEST(same_as_puts(ascending));
    BOOST_TEST(same_as_puts({}));

    std::mt19937 rng(5);
    for (int run = 0; run < 20; ++run) {
        auto changes = ascending;
        for (int i = 0; i < 30; ++i) // out of order, repeated, erased
            changes.insert(changes.begin() + static_cast<std::ptrdiff_t>(rng() % changes.size()),
                           {1 + rng() % 1100, rng() % 3 != 0});
        BOOST_TEST(same_as_puts(changes));
    }
    // The equality the test rests on sees a difference.
    search_index a, b;
    a.put(user_for(3, 0));
    b.put(user_for(3, 1));
    BOOST_TEST(!(a == b));
}
