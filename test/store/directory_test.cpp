#define BOOST_TEST_MODULE directory
#include <boost/test/unit_test.hpp>

#include "store/directory.hpp"

#include <cstring>
#include <deque>
#include <map>
#include <random>
#include <set>
#include <unordered_map>
#include <vector>

using namespace rosterd::store;

namespace {

user make_user(record_id id, std::vector<membership> groups = {})
{
    user u;
    u.id = id;
    u.set_groups(groups);
    return u;
}

token make_token(record_id id, record_id owner, std::uint8_t seed)
{
    token t;
    t.id = id;
    t.user_id = owner;
    t.hash.fill(seed);
    return t;
}

} // namespace

BOOST_AUTO_TEST_CASE(ids_are_never_reused)
{
    directory d;
    BOOST_TEST(d.next_user_id() == 1u);
    d.apply(put_user{make_user(1)});
    d.apply(put_user{make_user(2)});
    d.apply(remove_user{2});
    BOOST_TEST(d.next_user_id() == 3u);
    d.apply(put_group{{1, "g", std::nullopt, 0, 0}});
    d.apply(remove_group{1});
    BOOST_TEST(d.next_group_id() == 2u);
}

BOOST_AUTO_TEST_CASE(removing_a_user_removes_their_tokens_and_memberships)
{
    directory d;
    d.apply(put_group{{1, "g", std::nullopt, 0, 0}});
    d.apply(put_user{make_user(1, {{1, true}})});
    d.apply(put_token{make_token(1, 1, 0xaa)});
    d.apply(put_token{make_token(2, 1, 0xbb)});
    BOOST_TEST(d.members_of(1).size() == 1u);
    d.apply(remove_user{1});
    BOOST_TEST(!d.find_user(1));
    BOOST_TEST(!d.find_token(1));
    BOOST_TEST(!d.find_token(make_token(2, 1, 0xbb).hash));
    BOOST_TEST(d.members_of(1).empty());
    BOOST_TEST(d.tokens_of(1).empty());
}

BOOST_AUTO_TEST_CASE(removing_a_group_removes_its_memberships)
{
    directory d;
    d.apply(put_group{{1, "a", std::nullopt, 0, 0}});
    d.apply(put_group{{2, "b", std::nullopt, 0, 0}});
    d.apply(put_user{make_user(1, {{1, true}, {2, false}})});
    d.apply(remove_group{1});
    auto const groups = d.find_user(1)->groups();
    BOOST_TEST_REQUIRE(groups.size() == 1u);
    BOOST_TEST(groups[0].group_id == 2u);
}

BOOST_AUTO_TEST_CASE(member_index_follows_the_after_image)
{
    directory d;
    d.apply(put_user{make_user(1, {{1, false}})});
    d.apply(put_user{make_user(1, {{2, false}})});
    BOOST_TEST(d.members_of(1).empty());
    BOOST_TEST(d.members_of(2).contains(1));
}

BOOST_AUTO_TEST_CASE(superusers_are_counted)
{
    directory d;
    auto u = make_user(1);
    u.super_user = true;
    d.apply(put_user{u});
    d.apply(put_user{u});
    BOOST_TEST(d.super_user_count() == 1u);
    u.super_user = false;
    d.apply(put_user{u});
    BOOST_TEST(d.super_user_count() == 0u);
}

BOOST_AUTO_TEST_CASE(tokens_are_found_by_hash_only_while_they_exist)
{
    directory d;
    d.apply(put_user{make_user(1)});
    auto const t = make_token(1, 1, 0x11);
    d.apply(put_token{t});
    BOOST_TEST(d.find_token(t.hash)->id == 1u);
    d.apply(touch_token{1, 99});
    BOOST_TEST(*d.find_token(1)->last_used == 99);
    d.apply(remove_token{1});
    BOOST_TEST(!d.find_token(t.hash));
}

// The index holds the hash's first 8 bytes: tokens that share them are
// told apart by the rest, and each leaves the index alone.
BOOST_AUTO_TEST_CASE(tokens_that_share_a_hash_prefix_are_told_apart)
{
    directory d;
    d.apply(put_user{make_user(1)});
    auto a = make_token(1, 1, 0x22), b = make_token(2, 1, 0x22), c = make_token(3, 1, 0x22);
    b.hash.back() = 0x33;
    c.hash[8] = 0x44;
    for (auto const& t : {a, b, c})
        d.apply(put_token{t});
    BOOST_TEST(d.find_token(a.hash)->id == 1u);
    BOOST_TEST(d.find_token(b.hash)->id == 2u);
    BOOST_TEST(d.find_token(c.hash)->id == 3u);
    auto unknown = a;
    unknown.hash[20] = 0x55;
    BOOST_TEST(!d.find_token(unknown.hash));
    d.apply(remove_token{1});
    BOOST_TEST(!d.find_token(a.hash));
    BOOST_TEST(d.find_token(b.hash)->id == 2u);
    // A token put again with another hash is found by that one only.
    b.hash.back() = 0x66;
    d.apply(put_token{b});
    BOOST_TEST(!d.find_token(make_token(2, 1, 0x22).hash));
    auto old_b = make_token(2, 1, 0x22);
    old_b.hash.back() = 0x33;
    BOOST_TEST(!d.find_token(old_b.hash));
    BOOST_TEST(d.find_token(b.hash)->id == 2u);
    BOOST_TEST(d.find_token(c.hash)->id == 3u);
}

// Each user's tokens, in id order, whichever order they came in, as they
// move between users and go with their user.
BOOST_AUTO_TEST_CASE(a_users_tokens_are_listed_in_order)
{
    directory d;
    for (record_id u = 1; u <= 300; ++u)
        d.apply(put_user{make_user(u)});
    // Users' ids and tokens' ids both dense, interleaved, out of order.
    for (record_id t = 3000; t >= 1; --t)
        d.apply(put_token{make_token(t, 1 + t % 300, static_cast<std::uint8_t>(t))});
    for (record_id u = 1; u <= 300; ++u) {
        std::vector<record_id> const ids(d.tokens_of(u).begin(), d.tokens_of(u).end());
        BOOST_TEST_REQUIRE(ids.size() == 10u);
        for (std::size_t i = 0; i < ids.size(); ++i)
            BOOST_TEST(ids[i] == (u == 1 ? 300 * (i + 1) : u - 1 + 300 * i));
    }
    auto moved = *d.find_token(301); // user 2's
    moved.user_id = 7;
    d.apply(put_token{moved});
    BOOST_TEST(d.tokens_of(2).size() == 9u);
    BOOST_TEST(d.tokens_of(7).size() == 11u);
    BOOST_TEST(*std::next(d.tokens_of(7).begin()) == 301u);
    d.apply(remove_user{7});
    BOOST_TEST(d.tokens_of(7).empty());
    BOOST_TEST(!d.find_token(301));
    BOOST_TEST(!d.find_token(6));
    BOOST_TEST(d.find_token(8)->user_id == 9u);
    BOOST_TEST(d.tokens().size() == 2989u);
}

// Most owners hold one token, filed without a set of its own; a second
// makes a set. Whatever comes, each user's list is what a model says,
// through tokens made, moved between users and removed, and users removed.
BOOST_AUTO_TEST_CASE(each_users_tokens_match_a_model_as_tokens_come_move_and_go)
{
    directory d;
    std::map<record_id, std::set<record_id>> model; // owner -> tokens
    std::map<record_id, record_id> owner_of;        // token -> owner
    auto const unique_token = [](record_id id, record_id owner) {
        auto t = make_token(id, owner, 0);
        std::memcpy(t.hash.data(), &id, sizeof id); // distinct keys in the hash index
        return t;
    };
    auto const check = [&](record_id users) {
        for (record_id u = 1; u <= users; ++u) {
            auto const& want = model[u];
            auto const ids = d.tokens_of(u);
            BOOST_TEST_REQUIRE(std::vector<record_id>(ids.begin(), ids.end())
                               == std::vector<record_id>(want.begin(), want.end()));
        }
    };
    // A hundred thousand owners of one token each: some share a key of
    // the flat table, and each finds only their own.
    constexpr record_id many = 100'000;
    for (record_id u = 1; u <= many; ++u) {
        d.apply(put_user{make_user(u)});
        d.apply(put_token{unique_token(u, u)});
        model[u].insert(u);
        owner_of[u] = u;
    }
    check(many);
    std::mt19937_64 rng(5);
    constexpr record_id users = 300;
    record_id next_token = many + 1;
    for (int round = 0; round < 20'000; ++round) {
        auto const owner = 1 + rng() % users;
        switch (rng() % 4) {
        case 0:
        case 1: { // a new token, of an id above or below the owner's others
            auto const id = rng() % 2 ? next_token++ : many + 1'000'000 - static_cast<record_id>(round);
            d.apply(put_token{unique_token(id, owner)});
            model[owner].insert(id);
            owner_of[id] = owner;
            break;
        }
        case 2: { // a token moves to another user
            if (model[owner].empty())
                break;
            auto const id = *model[owner].begin();
            auto const to = 1 + rng() % users;
            d.apply(put_token{unique_token(id, to)});
            model[owner].erase(id);
            model[to].insert(id);
            owner_of[id] = to;
            break;
        }
        case 3: { // a token goes
            if (model[owner].empty())
                break;
            auto const id = *model[owner].rbegin();
            d.apply(remove_token{id});
            model[owner].erase(id);
            owner_of.erase(id);
            break;
        }
        }
    }
    check(users);
    // A user goes with all their tokens; a new token of theirs is sole again.
    for (record_id u = 1; u <= 20; ++u) {
        d.apply(remove_user{u});
        for (auto const id : model[u])
            BOOST_TEST(!d.find_token(id));
        model[u].clear();
        BOOST_TEST(d.tokens_of(u).empty());
    }
    d.apply(put_user{make_user(3)});
    d.apply(put_token{unique_token(next_token, 3)});
    BOOST_TEST((std::vector<record_id>(d.tokens_of(3).begin(), d.tokens_of(3).end())
                == std::vector<record_id>{next_token}));
    model[3].insert(next_token);
    check(users);
}

// Owners whose ids share a key of the flat table: each has only their own
// token, and one without a token has none, though the other's is filed
// under the same key.
BOOST_AUTO_TEST_CASE(owners_sharing_a_key_keep_their_own_tokens)
{
    // A pair of ids whose hashes agree in the 31 bits a slot keeps.
    std::mt19937_64 rng(9);
    std::unordered_map<std::uint64_t, record_id> seen;
    record_id a = 0, b = 0;
    while (a == 0) {
        auto const id = 1 + rng() % (record_id{1} << 40);
        auto const [it, made] = seen.emplace(name_index::id_hash(id) & 0x7fff'ffff, id);
        if (!made && it->second != id) {
            a = it->second;
            b = id;
        }
    }
    directory d;
    d.apply(put_user{make_user(a)});
    d.apply(put_user{make_user(b)});
    auto ta = make_token(1, a, 0xaa), tb = make_token(2, b, 0xbb);
    d.apply(put_token{ta});
    d.apply(put_token{tb});
    BOOST_TEST((std::vector<record_id>(d.tokens_of(a).begin(), d.tokens_of(a).end()) == std::vector<record_id>{1}));
    BOOST_TEST((std::vector<record_id>(d.tokens_of(b).begin(), d.tokens_of(b).end()) == std::vector<record_id>{2}));
    d.apply(remove_token{1});
    BOOST_TEST(d.tokens_of(a).empty());
    BOOST_TEST(d.tokens_of(b).size() == 1u);
    // A second token of a's: a set, not b's token taken for a's.
    d.apply(put_token{ta});
    d.apply(put_token{make_token(3, a, 0xcc)});
    BOOST_TEST((std::vector<record_id>(d.tokens_of(a).begin(), d.tokens_of(a).end()) == std::vector<record_id>{1, 3}));
    BOOST_TEST((std::vector<record_id>(d.tokens_of(b).begin(), d.tokens_of(b).end()) == std::vector<record_id>{2}));
}

BOOST_AUTO_TEST_CASE(memberships_stay_sorted)
{
    user u;
    u.set_membership(5, false);
    u.set_membership(2, true);
    u.set_membership(9, false);
    u.set_membership(5, true);
    BOOST_TEST_REQUIRE(u.groups().size() == 3u);
    BOOST_TEST(record_id(u.groups()[0].group_id) == 2u);
    BOOST_TEST(record_id(u.groups()[1].group_id) == 5u);
    BOOST_TEST(u.is_admin_of(5));
}

namespace {

kept_answer answer(record_id id, record_id user, std::string body)
{
    kept_answer a;
    a.id = id;
    a.user_id = user;
    a.key = "key-" + std::to_string(id);
    a.status = 201;
    a.body = std::move(body);
    return a;
}

void fill(directory& d)
{
    d.apply(put_group{{1, "g", std::nullopt, 0, 0}});
    d.apply(put_group{{2, "h", std::nullopt, 0, 0}});
    auto boss = make_user(1, {{1, true}});
    boss.super_user = true;
    d.apply(put_user{boss});
    auto leaving = make_user(2, {{1, false}, {2, false}});
    leaving.remove_at = 1000;
    d.apply(put_user{leaving});
    d.apply(put_token{make_token(1, 2, 0xaa)});
    for (record_id id : {1, 2, 3})
        d.apply(put_audit{audit_event{.id = id, .at = static_cast<unix_time>(id), .user_id = 2}});
    d.apply(put_answer{answer(5, 1, "2")});
}

// Everything a reader can see, indexes included.
struct state {
    user_table users;
    std::map<record_id, group> groups;
    token_table tokens;
    std::deque<audit_event> audit;
    std::map<record_id, kept_answer> answers;
    std::vector<record_id> members_1, members_2, super_users, due;
    bool token_found = false;
    friend bool operator==(state const&, state const&) = default;
};

state state_of(directory const& d)
{
    auto ids = [](id_set const& s) { return std::vector<record_id>(s.begin(), s.end()); };
    return {d.users(), d.groups(), d.tokens(), d.audit(), d.answers(), ids(d.members_of(1)), ids(d.members_of(2)),
            ids(d.super_users()), d.due_for_removal(2000), d.find_token(make_token(1, 2, 0xaa).hash) != nullptr};
}

} // namespace

// apply_with_undo moves the replaced user into the undo instead of copying
// it: the undo must still put back exactly what was there, for every kind
// of change, and the change must land as apply() would land it.
BOOST_AUTO_TEST_CASE(apply_with_undo_is_apply_and_undo_of)
{
    auto changed = make_user(2, {{2, true}});
    changed.super_user = true;
    std::vector<change> const changes = {
        put_user{changed}, put_user{make_user(3, {{1, false}})}, remove_user{2}, remove_user{1},
        put_group{{1, "renamed", 7, 0, 0}}, remove_group{1}, put_token{make_token(2, 1, 0xbb)},
        remove_token{1}, put_user{make_user(9)}, put_audit{audit_event{.id = 4, .at = 9}},
        put_audit{audit_event{.id = 2, .at = 9}}, remove_audit{1}, remove_audit{2}, remove_audit{3},
        put_answer{answer(5, 1, "3")}, put_answer{answer(6, 2, "4")}, remove_answer{5}, remove_answer{6}};
    for (std::size_t i = 0; i < changes.size(); ++i) {
        BOOST_TEST_CONTEXT("change " << i) {
            directory d, expected;
            fill(d);
            fill(expected);
            auto const before = state_of(d);
            auto const undo = d.apply_with_undo(changes[i]);
            expected.apply(changes[i]);
            BOOST_TEST((state_of(d) == state_of(expected)));
            for (auto const& c : undo)
                d.apply(c);
            BOOST_TEST((state_of(d) == before));
        }
    }
}

// The trail stays ordered by id whichever way an event comes: appended as
// it is made, or put again by a journal replayed over a fuzzy snapshot.
BOOST_AUTO_TEST_CASE(the_audit_trail_stays_ordered_and_its_ids_are_never_reused)
{
    directory d;
    for (record_id id : {3, 1, 5, 3, 2})
        d.apply(put_audit{audit_event{.id = id, .at = static_cast<unix_time>(id * 10)}});
    std::vector<record_id> ids;
    for (auto const& e : d.audit())
        ids.push_back(e.id);
    BOOST_TEST(ids == (std::vector<record_id>{1, 2, 3, 5}), boost::test_tools::per_element());
    BOOST_TEST(d.next_audit_id() == 6u);
    d.apply(remove_audit{5});
    d.apply(remove_audit{2});
    BOOST_TEST(d.audit().size() == 2u);
    BOOST_TEST(d.find_audit(2) == nullptr);
    BOOST_TEST(d.find_audit(3)->at == 30);
    BOOST_TEST(d.next_audit_id() == 6u); // a removed event's id is not given again
}

BOOST_AUTO_TEST_CASE(users_are_found_by_user_name_ignoring_case)
{
    directory d;
    auto ann = make_user(1);
    ann.set_user_name("Ann.Lee@Example.org");
    d.apply(put_user{ann});
    d.apply(put_user{make_user(2)});
    BOOST_TEST_REQUIRE(d.find_user_by_name("ann.lee@example.ORG"));
    BOOST_TEST(d.find_user_by_name("ann.lee@example.ORG")->id == 1u);
    BOOST_TEST(!d.find_user_by_name("ann"));

    ann.set_user_name("ann");
    d.apply(put_user{ann});
    BOOST_TEST(!d.find_user_by_name("Ann.Lee@Example.org"));
    BOOST_TEST(d.find_user_by_name("ANN")->id == 1u);

    // Two holders (nodes that raced): the least id answers, and the other
    // keeps the name when the first lets it go.
    auto bob = make_user(2);
    bob.set_user_name("Ann");
    d.apply(put_user{bob});
    BOOST_TEST(d.find_user_by_name("ann")->id == 1u);
    d.apply(remove_user{1});
    BOOST_TEST(d.find_user_by_name("ann")->id == 2u);

    directory other;
    other.swap_contents(d);
    BOOST_TEST(!d.find_user_by_name("ann"));
    BOOST_TEST(other.find_user_by_name("ann")->id == 2u);
}

BOOST_AUTO_TEST_CASE(one_rule_resolves_a_name_and_a_later_user_cannot_take_it)
{
    directory d;
    auto boss = make_user(1); // no userName: goes by the address
    boss.super_user = true;
    boss.set_email_address("Boss@Example.org");
    d.apply(put_user{boss});
    BOOST_TEST(d.find_user_by_name("boss@example.org")->id == 1u);
    BOOST_TEST(d.effective_name(*d.find_user(1)) == "Boss@Example.org");

    // A user made later with the same address does not take the name, and
    // goes by their id.
    auto decoy = make_user(2);
    decoy.set_email_address("boss@example.org");
    d.apply(put_user{decoy});
    BOOST_TEST(d.find_user_by_name("BOSS@example.org")->id == 1u);
    BOOST_TEST(d.effective_name(*d.find_user(2)) == "2");
    BOOST_TEST(d.find_user_by_name("2")->id == 2u);
    // The name is claimed by both: neither may be given it as a userName by another.
    BOOST_TEST(d.name_claimant("boss@example.org", 3)->id == 1u);
    BOOST_TEST(d.name_claimant("boss@example.org", 1)->id == 2u);

    // A user without either name goes by their id, which nobody else may take.
    d.apply(put_user{make_user(3)});
    BOOST_TEST(d.find_user_by_name("3")->id == 3u);
    BOOST_TEST(d.name_claimant("3", 4)->id == 3u);
    BOOST_TEST(!d.name_claimant("3", 3));
    BOOST_TEST(!d.find_user_by_name("03"));

    // A stored userName comes first; the address is then nobody's name but
    // the first-made holder's that has no userName.
    boss.set_user_name("boss");
    d.apply(put_user{boss});
    BOOST_TEST(d.find_user_by_name("boss")->id == 1u);
    BOOST_TEST(d.find_user_by_name("boss@example.org")->id == 2u);
    BOOST_TEST(d.effective_name(*d.find_user(2)) == "boss@example.org");
    d.apply(remove_user{2});
    BOOST_TEST(!d.find_user_by_name("boss@example.org"));
}

// An identity provider's lookups by externalId (exact) and e-mail address
// (ignoring ASCII case) come from indexes that follow every change.
BOOST_AUTO_TEST_CASE(external_ids_and_addresses_are_indexed_through_every_change)
{
    directory d;
    auto put = [&](record_id id, std::string const& external, std::string const& address) {
        user u;
        u.id = id;
        if (!external.empty())
            u.set_external_id(external);
        if (!address.empty())
            u.set_email_address(address);
        d.apply(put_user{u});
    };
    using ids = std::vector<record_id>;
    put(3, "ext-1", "Ann@example.org");
    put(1, "ext-1", "ann@EXAMPLE.org");
    put(2, "EXT-1", "bob@example.org");
    BOOST_TEST(d.users_with_external_id("ext-1") == (ids{1, 3}), boost::test_tools::per_element());
    BOOST_TEST(d.users_with_external_id("EXT-1") == (ids{2}), boost::test_tools::per_element());
    BOOST_TEST(d.users_with_address("ANN@example.org") == (ids{1, 3}), boost::test_tools::per_element());
    // A change moves the user from one entry to the other.
    put(3, "ext-2", "carol@example.org");
    BOOST_TEST(d.users_with_external_id("ext-1") == (ids{1}), boost::test_tools::per_element());
    BOOST_TEST(d.users_with_external_id("ext-2") == (ids{3}), boost::test_tools::per_element());
    BOOST_TEST(d.users_with_address("ann@example.org") == (ids{1}), boost::test_tools::per_element());
    // So do a cleared field, a removal and an undo.
    put(1, "", "");
    BOOST_TEST(d.users_with_external_id("ext-1").empty());
    BOOST_TEST(d.users_with_address("ann@example.org").empty());
    auto undo = d.apply_with_undo(remove_user{3});
    BOOST_TEST(d.users_with_external_id("ext-2").empty());
    for (auto& c : undo)
        d.apply(std::move(c));
    BOOST_TEST(d.users_with_external_id("ext-2") == (ids{3}), boost::test_tools::per_element());
    BOOST_TEST(d.users_with_address("Carol@Example.org") == (ids{3}), boost::test_tools::per_element());
}

// A put compares the old and new user once and leaves what did not change:
// the member lists, the name and address indexes and the search index
// must still answer as if each had been rebuilt.
BOOST_AUTO_TEST_CASE(a_put_that_changes_nothing_or_something_keeps_the_indexes_right)
{
    directory d;
    auto u = make_user(1, {{1, false}, {2, true}});
    u.set_email_address("ann@example.org");
    u.set_first_name("Ann");
    d.apply(put_user{u});
    d.apply(put_user{u}); // the same again
    auto ids = [](id_set const& s) { return std::vector<record_id>(s.begin(), s.end()); };
    BOOST_TEST(ids(d.members_of(1)) == std::vector<record_id>{1}, boost::test_tools::per_element());
    BOOST_TEST(ids(d.members_of(2)) == std::vector<record_id>{1}, boost::test_tools::per_element());
    BOOST_TEST(d.find_user_by_name("ANN@example.org")->id == 1u);
    BOOST_TEST(d.search().contains(1, "ann"));

    u.set_first_name("Bea"); // texts change, memberships stay
    d.apply(put_user{u});
    BOOST_TEST(ids(d.members_of(2)) == std::vector<record_id>{1}, boost::test_tools::per_element());
    BOOST_TEST(d.search().contains(1, "bea"));
    BOOST_TEST(d.find_user_by_name("ann@example.org")->id == 1u);

    u.remove_membership(1); // memberships change, texts stay
    d.apply(put_user{u});
    BOOST_TEST(d.members_of(1).empty());
    BOOST_TEST(ids(d.members_of(2)) == std::vector<record_id>{1}, boost::test_tools::per_element());
    BOOST_TEST(d.users_with_address("ann@example.org") == std::vector<record_id>{1}, boost::test_tools::per_element());
}
