// Snapshots round-trip, refuse damage, and - written fuzzily - give the
// right directory once the journal after them is replayed.
#define BOOST_TEST_MODULE snapshot
#include <boost/test/unit_test.hpp>

#include "persist/journal_reader.hpp"
#include "persist/snapshot.hpp"
#include "../support/faulty_io.hpp"

#include <fstream>

using namespace rosterd;
using namespace rosterd::persist;

namespace {

store::user make_user(store::record_id id, std::string name, std::vector<store::membership> groups = {})
{
    store::user u;
    u.id = id;
    u.set_first_name(std::move(name));
    u.set_groups(groups);
    u.remove_at = id * 100;
    return u;
}

store::token make_token(store::record_id id, store::record_id owner)
{
    store::token t;
    t.id = id;
    t.user_id = owner;
    t.hash.fill(static_cast<std::uint8_t>(id));
    t.last_used = 77;
    return t;
}

void fill(store::directory& d)
{
    d.apply(store::put_group{{1, "a", 3, 0, 0}});
    d.apply(store::put_group{{2, "b", std::nullopt, 0, 0}});
    for (store::record_id id = 1; id <= 10; ++id)
        d.apply(store::put_user{make_user(id, std::string("u").append(std::to_string(id)), {{1 + id % 2, id % 3 == 0}})});
    d.apply(store::put_token{make_token(1, 1)});
    d.apply(store::put_token{make_token(2, 5)});
    d.apply(store::remove_user{10}); // the sequence must stay past 10
    d.apply(store::put_group{{3, "c", std::nullopt, 0, 0}});
    d.apply(store::remove_group{3});
    store::kept_answer kept;
    kept.id = 99;
    kept.user_id = 1;
    kept.key = "k";
    kept.status = 201;
    kept.body = "5";
    d.apply(store::put_answer{kept});
}

void require_same(store::directory const& a, store::directory const& b)
{
    BOOST_TEST((a.users() == b.users()));
    BOOST_TEST((a.groups() == b.groups()));
    BOOST_TEST((a.tokens() == b.tokens()));
    BOOST_TEST((a.answers() == b.answers()));
    BOOST_TEST((a.search() == b.search()));
    BOOST_TEST(a.next_user_id() == b.next_user_id());
    BOOST_TEST(a.next_group_id() == b.next_group_id());
    BOOST_TEST(a.next_token_id() == b.next_token_id());
    for (store::record_id g = 1; g <= 3; ++g)
        BOOST_TEST((a.members_of(g) == b.members_of(g)));
}

} // namespace

BOOST_AUTO_TEST_CASE(a_snapshot_round_trips_the_whole_directory)
{
    test::temp_dir tmp;
    store::directory d;
    fill(d);
    auto const path = tmp.path() / "snapshot";
    BOOST_TEST_REQUIRE(write_snapshot(d, 42, {}, path, system_io()));
    store::directory loaded;
    BOOST_TEST(load_snapshot(path, loaded).value_or(snapshot_info{}).seq == 42u);
    require_same(d, loaded);
    BOOST_TEST(!std::filesystem::exists(tmp.path() / "snapshot.tmp"));
}

// A snapshot of over 1 MiB is decoded on a second thread while this one
// inserts: the same directory, and the same refusal of a cut file.
BOOST_AUTO_TEST_CASE(a_large_snapshot_loads_on_two_threads_alike)
{
    test::temp_dir tmp;
    store::directory d;
    fill(d);
    for (store::record_id id = 100; id < 30'000; ++id) {
        auto u = make_user(id, std::string("user ").append(std::to_string(id)));
        u.set_description(std::string(40, 'd'));
        d.apply(store::put_user{u});
    }
    auto const path = tmp.path() / "snapshot";
    BOOST_TEST_REQUIRE(write_snapshot(d, 7, {}, path, system_io()));
    BOOST_TEST_REQUIRE(std::filesystem::file_size(path) > (1u << 20));
    store::directory loaded;
    BOOST_TEST(load_snapshot(path, loaded).value_or(snapshot_info{}).seq == 7u);
    require_same(d, loaded);
    auto const good = read_whole_file(path);
    for (std::size_t cut : {good.size() / 3, good.size() - 1}) {
        std::ofstream(path, std::ios::binary | std::ios::trunc) << good.substr(0, cut);
        store::directory partial;
        BOOST_CHECK_THROW(load_snapshot(path, partial), corruption_error);
    }
}

BOOST_AUTO_TEST_CASE(no_snapshot_is_not_an_error)
{
    test::temp_dir tmp;
    store::directory d;
    BOOST_TEST(!load_snapshot(tmp.path() / "snapshot", d));
}

BOOST_AUTO_TEST_CASE(a_damaged_or_cut_snapshot_stops_the_start)
{
    test::temp_dir tmp;
    store::directory d;
    fill(d);
    auto const path = tmp.path() / "snapshot";
    BOOST_TEST_REQUIRE(write_snapshot(d, 1, {}, path, system_io()));
    auto const good = read_whole_file(path);
    for (std::size_t cut : {good.size() / 2, good.size() - 1, std::size_t{header_size}}) {
        std::ofstream(path, std::ios::binary | std::ios::trunc) << good.substr(0, cut);
        store::directory loaded;
        BOOST_CHECK_THROW(load_snapshot(path, loaded), corruption_error);
    }
    auto flipped = good;
    flipped[flipped.size() / 2] ^= 1;
    std::ofstream(path, std::ios::binary | std::ios::trunc) << flipped;
    store::directory loaded;
    BOOST_CHECK_THROW(load_snapshot(path, loaded), corruption_error);
}

BOOST_AUTO_TEST_CASE(a_failed_write_leaves_the_old_snapshot)
{
    test::temp_dir tmp;
    store::directory d;
    fill(d);
    auto const path = tmp.path() / "snapshot";
    BOOST_TEST_REQUIRE(write_snapshot(d, 1, {}, path, system_io()));
    d.apply(store::put_user{make_user(20, "new")});
    test::faulty_io io;
    io.fail_sync = 1;
    BOOST_TEST(!write_snapshot(d, 2, {}, path, io));
    BOOST_TEST(!std::filesystem::exists(tmp.path() / "snapshot.tmp"));
    store::directory loaded;
    BOOST_TEST(load_snapshot(path, loaded).value_or(snapshot_info{}).seq == 1u);
    BOOST_TEST(!loaded.find_user(20));
}

// The snapshot replaced takes a second name before the rename, so that the
// rename frees nothing, and is then given back in steps; a rename that fails
// leaves only the snapshot in place, under its own name.
BOOST_AUTO_TEST_CASE(a_replaced_snapshot_is_taken_apart_under_a_second_name)
{
    test::temp_dir tmp;
    store::directory d;
    fill(d);
    auto const path = tmp.path() / "snapshot";
    BOOST_TEST_REQUIRE(write_snapshot(d, 1, {}, path, system_io()));
    int renames = 0;
    test::faulty_io io;
    io.before_rename = [&](char const*, char const*) {
        // The old snapshot is still whole under both names.
        BOOST_TEST(std::filesystem::equivalent(path, retired_of(path)));
        ++renames;
    };
    BOOST_TEST_REQUIRE(write_snapshot(d, 2, {}, path, io));
    BOOST_TEST(renames == 1);
    BOOST_TEST(!std::filesystem::exists(retired_of(path)));
    io.fail_rename = true;
    BOOST_TEST(!write_snapshot(d, 3, {}, path, io));
    BOOST_TEST(!std::filesystem::exists(retired_of(path)));
    store::directory loaded;
    BOOST_TEST(load_snapshot(path, loaded).value_or(snapshot_info{}).seq == 2u);
}

BOOST_AUTO_TEST_CASE(a_large_file_is_removed_in_steps)
{
    test::temp_dir tmp;
    auto const path = tmp.path() / "snapshot.old";
    std::ofstream(path, std::ios::binary) << std::string(20u << 20, 'x');
    test::faulty_io io;
    std::vector<std::uintmax_t> sizes; // before each cut
    io.before_truncate = [&](int) { sizes.push_back(std::filesystem::file_size(path)); };
    remove_paced(io, path);
    BOOST_TEST(!std::filesystem::exists(path));
    // 8 MiB at a time, down to the last 4 MiB, which the unlink frees.
    BOOST_TEST((sizes == std::vector<std::uintmax_t>{20u << 20, 12u << 20}));
}

// The fuzziest case: a snapshot labelled with an early sequence but holding
// the state after every later change. Replaying the later changes on top
// must give the same directory, removals and cascades included.
BOOST_AUTO_TEST_CASE(replaying_after_images_over_a_fuzzy_snapshot_converges)
{
    test::temp_dir tmp;
    store::directory d;
    fill(d);
    std::vector<store::change> const later{
        store::put_user{make_user(11, "late", {{2, true}})},
        store::put_token{make_token(3, 11)},
        store::remove_user{5},        // with token 2
        store::remove_group{1},       // with its memberships
        store::put_user{make_user(2, "changed", {{2, false}})},
        store::put_group{{4, "d", std::nullopt, 0, 0}},
    };
    for (auto const& c : later)
        d.apply(c);
    auto const path = tmp.path() / "snapshot";
    BOOST_TEST_REQUIRE(write_snapshot(d, 7, {}, path, system_io()));
    store::directory loaded;
    load_snapshot(path, loaded);
    for (auto const& c : later)
        loaded.apply(c);
    require_same(d, loaded);
}
