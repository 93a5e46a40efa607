#define BOOST_TEST_MODULE record_table
#include <boost/test/unit_test.hpp>

#include "store/record_table.hpp"

#include <map>
#include <optional>
#include <random>
#include <string>
#include <vector>

using namespace rosterd::store;

BOOST_TEST_DONT_PRINT_LOG_VALUE(std::optional<record_id>)

namespace {

std::vector<record_id> ids_of(user_table const& t)
{
    std::vector<record_id> ids;
    for (auto const& u : t)
        ids.push_back(u.id);
    return ids;
}

void put(user_table& t, record_id id, std::string_view name)
{
    auto [u, made] = t.try_emplace(id);
    BOOST_TEST_REQUIRE(made);
    u->set_first_name(name);
}

// The id an iterator is at; none at the end.
std::optional<record_id> id_at(user_table::const_iterator it, user_table const& t)
{
    return it == t.end() ? std::nullopt : std::optional(it->id);
}

constexpr record_id top = ~record_id{0};

} // namespace

BOOST_AUTO_TEST_CASE(users_are_kept_by_id_and_walked_in_order)
{
    user_table t;
    BOOST_TEST(t.empty());
    BOOST_TEST((t.begin() == t.end()));
    for (record_id id : {5, 1, 64, 63, 200, 2})
        put(t, id, std::to_string(id));
    BOOST_TEST(t.size() == 6u);
    BOOST_TEST(ids_of(t) == (std::vector<record_id>{1, 2, 5, 63, 64, 200}), boost::test_tools::per_element());
    BOOST_TEST(t.find(64)->first_name() == "64");
    BOOST_TEST(t.find(3) == nullptr);
    BOOST_TEST(t.find(128) == nullptr); // a page that was never made

    auto [again, made] = t.try_emplace(5);
    BOOST_TEST(!made);
    BOOST_TEST(again->first_name() == "5");
    BOOST_TEST(again == t.find(5));
}

BOOST_AUTO_TEST_CASE(bounds_cross_pages_and_gaps)
{
    user_table t;
    for (record_id id : {10, 63, 64, 300, 1000})
        put(t, id, "x");
    BOOST_TEST(id_at(t.lower_bound(0), t) == record_id{10});
    BOOST_TEST(id_at(t.lower_bound(11), t) == record_id{63});
    BOOST_TEST(id_at(t.upper_bound(63), t) == record_id{64});
    BOOST_TEST(id_at(t.lower_bound(65), t) == record_id{300}); // past the end of a page
    BOOST_TEST(id_at(t.lower_bound(500), t) == record_id{1000}); // from a page that does not exist
    BOOST_TEST(!id_at(t.upper_bound(1000), t));
    BOOST_TEST((t.lower_bound(1001) == t.end()));
}

BOOST_AUTO_TEST_CASE(any_id_is_a_user_the_least_and_the_greatest_too)
{
    user_table t;
    for (record_id id : {top, record_id{0}, record_id{1} << 63, record_id{7}})
        put(t, id, "far");
    BOOST_TEST(ids_of(t) == (std::vector<record_id>{0, 7, record_id{1} << 63, top}), boost::test_tools::per_element());
    BOOST_TEST(t.find(0) != nullptr);
    BOOST_TEST(t.find(top) != nullptr);
    BOOST_TEST((t.upper_bound(top) == t.end()));
    t.erase(0);
    BOOST_TEST(t.find(0) == nullptr);
    BOOST_TEST(ids_of(t).front() == 7u);
}

BOOST_AUTO_TEST_CASE(an_erased_user_leaves_an_empty_slot_and_an_empty_page_goes)
{
    user_table t;
    for (record_id id = 1; id <= 200; ++id)
        put(t, id, "n");
    auto const* kept = t.find(130);
    for (record_id id = 64; id < 128; ++id) // all of page 1
        t.erase(id);
    t.erase(64);   // no longer there: nothing happens
    t.erase(5000); // never there
    BOOST_TEST(t.size() == 136u);
    BOOST_TEST(t.find(100) == nullptr);
    BOOST_TEST(t.find(130) == kept); // a user does not move when others go
    BOOST_TEST(id_at(t.upper_bound(63), t) == record_id{128});
    // A page made again in the gap is found among the others.
    put(t, 70, "back");
    BOOST_TEST(t.find(70)->first_name() == "back");
    BOOST_TEST(t.find(1) != nullptr);
    BOOST_TEST(t.find(199) != nullptr);
    BOOST_TEST(id_at(t.upper_bound(63), t) == record_id{70});
    // A slot given up holds nothing of its user when taken again.
    t.erase(2);
    auto [u, made] = t.try_emplace(2);
    BOOST_TEST(made);
    BOOST_TEST(u->first_name().empty());
    BOOST_TEST(u->id == 2u);
}

BOOST_AUTO_TEST_CASE(a_copy_is_equal_and_apart)
{
    user_table t;
    for (record_id id : {1, 2, 99})
        put(t, id, "same");
    user_table copy = t;
    BOOST_TEST((copy == t));
    copy.find(2)->set_first_name("changed");
    BOOST_TEST((copy != t));
    BOOST_TEST(t.find(2)->first_name() == "same");
    copy.erase(2);
    BOOST_TEST((copy != t));
    user_table other;
    swap(other, copy);
    BOOST_TEST(copy.empty());
    BOOST_TEST(other.size() == 2u);
}

// Against std::map, over a mix of dense and far ids, inserts and erases.
BOOST_AUTO_TEST_CASE(it_answers_as_a_map_does)
{
    std::mt19937_64 rng(7);
    user_table t;
    std::map<record_id, int> model;
    auto some_id = [&]() -> record_id {
        switch (rng() % 4) {
        case 0: return rng();
        case 1: return rng() % 64;
        default: return rng() % 3000;
        }
    };
    for (int step = 0; step < 20000; ++step) {
        auto const id = some_id();
        if (rng() % 3 == 0) {
            t.erase(id);
            model.erase(id);
        } else {
            auto [u, made] = t.try_emplace(id);
            BOOST_TEST_REQUIRE(made == model.try_emplace(id, 0).second);
            BOOST_TEST_REQUIRE(u->id == id);
        }
        auto const probe = some_id();
        BOOST_TEST_REQUIRE((t.find(probe) != nullptr) == model.contains(probe));
        auto const lb = model.lower_bound(probe);
        BOOST_TEST_REQUIRE(id_at(t.lower_bound(probe), t) == (lb == model.end() ? std::nullopt : std::optional(lb->first)));
    }
    BOOST_TEST(t.size() == model.size());
    std::vector<record_id> expected;
    for (auto const& [id, _] : model)
        expected.push_back(id);
    BOOST_TEST(ids_of(t) == expected, boost::test_tools::per_element());
}

// The tokens are kept the same way: a token erased and made again comes
// back as a default one, its old description gone.
BOOST_AUTO_TEST_CASE(tokens_are_kept_alike)
{
    token_table t;
    for (record_id id = 1; id <= 200; ++id) {
        auto [tok, made] = t.try_emplace(id);
        BOOST_TEST_REQUIRE(made);
        tok->user_id = id * 10;
        tok->description = short_text("token " + std::to_string(id) + " of a long description, not inline");
    }
    t.erase(70);
    BOOST_TEST(t.size() == 199u);
    BOOST_TEST(!t.find(70));
    BOOST_TEST(t.find(71)->user_id == 710u);
    BOOST_TEST(t.lower_bound(70)->id == 71u);
    auto [again, made] = t.try_emplace(70);
    BOOST_TEST(made);
    BOOST_TEST(again->description.view().empty());
    BOOST_TEST(again->user_id == 0u);
    auto const copy = t;
    BOOST_TEST((copy == t));
    std::vector<record_id> ids;
    for (auto const& tok : copy)
        ids.push_back(tok.id);
    BOOST_TEST(ids.size() == 200u);
    BOOST_TEST(std::is_sorted(ids.begin(), ids.end()));
}
