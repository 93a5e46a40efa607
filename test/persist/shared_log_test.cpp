// The shared log's append on a real PostgreSQL 15: a batch goes on only at
// the head it was made at and on the batch the node applied there, and a
// version 1 store is migrated.
#define BOOST_TEST_MODULE shared_log
#include <boost/test/unit_test.hpp>

#include "persist/backend.hpp"
#include "persist/pg/postgres_backend.hpp"
#include "persist/pg/shared_log.hpp"
#include "../support/postgres.hpp"

#include <atomic>
#include <future>
#include <map>
#include <thread>

using namespace rosterd;
using namespace rosterd::persist::pg;

namespace {

deadline soon() { return clock::now() + std::chrono::seconds(10); }

struct store_fixture {
    test::postgres_server pg;
    connection c{pg.uri()};
    store_fixture()
    {
        c.connect(soon());
        ensure_schema(c, soon());
    }

    // A batch of one new group, made at the head `at`.
    batch_write batch(position const& at, store::record_id group)
    {
        store::directory d;
        persist::pending_batch records;
        records.next_seq = at.seq + 1;
        records.run(d, [&] {
            records.record(d, store::put_group{{group, "group", std::nullopt, 0, 0}});
            return true;
        });
        batch_write w;
        w.log_id = at.log_id;
        w.expected = at.seq;
        w.expected_batch = at.batch;
        w.nonce = "00000000-0000-4000-8000-000000000000";
        auto const digits = std::to_string(group);
        w.nonce.replace(w.nonce.size() - digits.size(), digits.size(), digits);
        w.count = 1;
        w.payload = records.take_records();
        add_record_images(w, d, {{record_kind::group, group}});
        return w;
    }

    position head()
    {
        store::directory d;
        return load_directory(c, d, soon());
    }

    // Waits until a session waits for a lock (the head row's).
    bool someone_waits_for_a_lock()
    {
        auto const until = soon();
        while (pg.psql("SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock'") != "1\n")
            if (clock::now() > until)
                return false;
        return true;
    }

    static bool conflicts(connection& c, batch_write const& w)
    {
        try {
            append(c, w, soon());
            return false;
        } catch (error const& e) {
            return e.sqlstate == "40001";
        }
    }
};

} // namespace

BOOST_FIXTURE_TEST_SUITE(shared_log, store_fixture)

BOOST_AUTO_TEST_CASE(a_batch_goes_on_only_at_its_head)
{
    auto const start = head();
    append(c, batch(start, 1), soon());
    auto const after = head();
    BOOST_TEST(after.seq == start.seq + 1);
    BOOST_TEST(!after.batch.empty());
    // Made at the old head: another node wrote first.
    BOOST_TEST(conflicts(c, batch(start, 2)));
    append(c, batch(after, 2), soon());
    BOOST_TEST(head().seq == start.seq + 2);
}

BOOST_AUTO_TEST_CASE(a_pipeline_answers_each_statement_and_stops_at_the_first_failure)
{
    param const two[] = {{"2"}};
    connection::statement const steps[] = {
        {"SELECT 'one'"},
        {"SELECT $1::integer + 1", two, connection::format::text, "add_one"},
    };
    for (int round = 0; round < 2; ++round) { // prepared in the first, only run in the second
        auto const r = c.pipeline(steps, soon());
        BOOST_TEST_REQUIRE(r.size() == 2u);
        BOOST_TEST(r[0].text(0, 0) == "one");
        BOOST_TEST(r[1].number(0, 0) == 3);
    }
    connection::statement const failing[] = {
        {"CREATE TABLE t (x integer)"}, {"SELECT 1 / 0"}, {"INSERT INTO t VALUES (1)"}};
    try {
        c.pipeline(failing, soon());
        BOOST_FAIL("a division by zero went through");
    } catch (error const& e) {
        BOOST_TEST(e.sqlstate == "22012");
        BOOST_TEST(!e.lost);
    }
    // One implicit transaction: the table is gone with the failure, and
    // the connection goes on.
    BOOST_TEST(c.connected());
    BOOST_TEST(c.exec("SELECT count(*) FROM pg_tables WHERE tablename = 't'", soon()).number(0, 0) == 0);
}

// A node that takes the head reads the log under it in the same round
// trip; another node's append waits until it commits, then finds the head
// moved.
BOOST_AUTO_TEST_CASE(the_head_taken_with_the_log_holds_other_appends_off_until_the_commit)
{
    auto const start = head();
    auto const f = lock_and_fetch(c, start.seq, soon());
    BOOST_TEST(f.head_seq == start.seq);
    connection other(pg.uri());
    other.connect(soon());
    auto raced = std::async(std::launch::async, [&] { return conflicts(other, batch(start, 1)); });
    BOOST_TEST_REQUIRE(someone_waits_for_a_lock());
    append(c, batch(start, 2), soon(), true);
    BOOST_TEST(raced.get());
    auto const after = head();
    BOOST_TEST(after.seq == start.seq + 1);
    BOOST_TEST(after.batch == batch(start, 2).nonce);
}

// A node that waited for the head reads the batch whose commit gave it
// the head: the read sees what the lock holder committed, so the node's
// append goes on at the head it holds rather than losing a race it cannot.
BOOST_AUTO_TEST_CASE(the_head_taken_after_a_wait_is_read_with_the_batch_that_moved_it)
{
    auto const start = head();
    lock_and_fetch(c, start.seq, soon());
    connection other(pg.uri());
    other.connect(soon());
    auto waited = std::async(std::launch::async, [&] { return lock_and_fetch(other, start.seq, soon()); });
    BOOST_TEST_REQUIRE(someone_waits_for_a_lock());
    append(c, batch(start, 1), soon(), true);
    auto const f = waited.get();
    BOOST_TEST(f.head_seq == start.seq + 1);
    BOOST_TEST_REQUIRE(!f.rows.empty());
    BOOST_TEST(f.rows.back().seq == start.seq + 1);
    BOOST_TEST(f.rows.back().batch == batch(start, 1).nonce);
    // Holding the head, at the batch it read: its append goes on.
    position at = start;
    at.seq = f.rows.back().seq;
    at.batch = f.rows.back().batch;
    append(other, batch(at, 2), soon(), true);
    BOOST_TEST(head().seq == start.seq + 2);
}

// The store went back in time (restored, or failed over to a standby that
// was behind) and the new history reached the node's position again with
// other batches: the node's position matches the head, its batch does not.
BOOST_AUTO_TEST_CASE(a_node_on_another_history_cannot_append_at_the_same_position)
{
    append(c, batch(head(), 1), soon());
    auto const stale = head(); // a node applied up to here, then the store was restored
    pg.psql("UPDATE roster_change SET batch = gen_random_uuid() WHERE seq = " + std::to_string(stale.seq));
    BOOST_TEST(conflicts(c, batch(stale, 2)));
    // A node that followed the new history appends.
    auto const current = head();
    BOOST_TEST(current.batch != stale.batch);
    append(c, batch(current, 2), soon());
}

// Trimming a long log deletes many rows; appends on every node take the
// head row, so trimming must not hold it while it deletes: the longest
// time the head row cannot be taken stays far below the trim's.
BOOST_AUTO_TEST_CASE(trimming_never_holds_the_head_row_while_it_deletes)
{
    pg.psql("INSERT INTO roster_change SELECT s, s, gen_random_uuid(), now() - interval '1 day', '' "
            "FROM generate_series(1, 1000000) s; UPDATE roster_head SET seq = 1000000");
    connection t(pg.uri());
    t.connect(soon());
    std::atomic<bool> trimming{true};
    std::uint64_t kept = 0;
    auto const started = clock::now();
    std::thread trimmer([&] {
        kept = trim(t, 0, std::chrono::seconds(0), clock::now() + std::chrono::seconds(120));
        trimming = false;
    });
    // What an append does first, with a short lock timeout.
    c.exec("SET lock_timeout = '20ms'", soon());
    auto last_taken = started;
    clock::duration longest_wait{};
    while (trimming) {
        try {
            c.exec("UPDATE roster_head SET next_ids = next_ids WHERE id = 1", soon());
            last_taken = clock::now();
        } catch (error const&) {
            longest_wait = std::max(longest_wait, clock::now() - last_taken);
        }
    }
    trimmer.join();
    auto const took = clock::now() - started;
    auto const ms = [](clock::duration d) { return std::chrono::duration_cast<std::chrono::milliseconds>(d).count(); };
    BOOST_TEST(kept == 1000000u);
    BOOST_TEST(pg.psql("SELECT count(*) FROM roster_change").substr(0, 2) == "1\n");
    BOOST_TEST_REQUIRE(ms(took) >= 300, "the trim took " << ms(took) << " ms: too quick to tell");
    BOOST_TEST(ms(longest_wait) < std::max<long>(100, ms(took) / 4),
               "the head row was held " << ms(longest_wait) << " ms of a " << ms(took) << " ms trim");
}

// A node that lost a commit's answer ends the session that sent it before
// it reads the log. After a failover its pid may name another session, of
// another server: the session is found by pid and start time, never by pid
// alone.
BOOST_AUTO_TEST_CASE(ending_a_lost_session_ends_that_session_only)
{
    connection other(pg.uri());
    other.connect(soon());
    auto const s = other.session();
    BOOST_TEST(s.pid != 0);
    BOOST_TEST_REQUIRE(!s.started.empty());
    // The same pid, started at another time: another server's session.
    BOOST_TEST(end_session(c, {s.pid, "2000-01-01 00:00:00+00"}, soon()));
    BOOST_CHECK_NO_THROW(other.exec("SELECT 1", soon()));
    BOOST_TEST(end_session(c, s, soon()));
    BOOST_CHECK_THROW(other.exec("SELECT 1", soon()), error);
}

namespace {

// A node on the fixture's store, and a write through it.
struct node {
    store::directory dir;
    postgres_backend backend;

    node(std::string const& uri, std::chrono::milliseconds commit_timeout)
        : backend(dir, [&] {
              settings s;
              s.uri = uri;
              s.commit_timeout = commit_timeout;
              s.poll_interval = std::chrono::milliseconds(50);
              return s;
          }())
    {
        backend.start();
    }
    ~node() { backend.stop(); }

    persist::write_outcome new_group(store::record_id id)
    {
        std::promise<persist::write_outcome> answer;
        backend.submit([&] {
            backend.record(store::put_group{{id, "group " + std::to_string(id), std::nullopt, 0, 0}});
            return true;
        }, [&](persist::write_outcome o) { answer.set_value(o); });
        return answer.get_future().get();
    }
};

} // namespace

// Another node held the head row past this node's commit timeout, then let
// go without writing. The batch is not in the log, so it is answered "not
// made"; nothing about that calls for reloading the whole directory.
BOOST_AUTO_TEST_CASE(a_write_that_runs_out_of_time_is_not_made_and_reloads_nothing)
{
    node n(pg.uri(), std::chrono::milliseconds(1000));
    connection holder(pg.uri());
    holder.connect(soon());
    holder.exec("BEGIN", soon());
    holder.exec("SELECT seq FROM roster_head WHERE id = 1 FOR UPDATE", soon());
    auto answer = std::async(std::launch::async, [&] { return n.new_group(1); });
    std::this_thread::sleep_for(std::chrono::milliseconds(1500)); // past the timeout, inside the settling
    holder.exec("ROLLBACK", soon());
    BOOST_TEST((answer.get() == persist::write_outcome::not_made));
    BOOST_TEST(head().seq == 0u);
    std::this_thread::sleep_for(std::chrono::milliseconds(300)); // time for a reload, were one asked for
    BOOST_TEST(n.backend.status().reloads == 0u);
    BOOST_TEST((n.new_group(2) == persist::write_outcome::made));
}

// A node reloading (here: the log was replaced) refuses writes until it
// has: they would be built on the history it is leaving. And a write
// refused meanwhile does not ask for a second reload after the first.
BOOST_AUTO_TEST_CASE(writes_are_refused_during_a_reload_and_ask_for_no_second_one)
{
    node n(pg.uri(), std::chrono::milliseconds(2000));
    BOOST_TEST_REQUIRE((n.new_group(1) == persist::write_outcome::made));
    // The reload's read of the records waits for this lock.
    connection holder(pg.uri());
    holder.connect(soon());
    holder.exec("BEGIN", soon());
    holder.exec("LOCK TABLE roster_record IN ACCESS EXCLUSIVE MODE", soon());
    pg.psql("UPDATE roster_head SET log_id = gen_random_uuid()");
    std::this_thread::sleep_for(std::chrono::milliseconds(500)); // the tailer sees it and starts reloading
    BOOST_TEST((n.new_group(2) == persist::write_outcome::not_made));
    holder.exec("ROLLBACK", soon());
    auto const until = clock::now() + std::chrono::seconds(10);
    while (n.backend.status().reloads == 0 && clock::now() < until)
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
    std::this_thread::sleep_for(std::chrono::milliseconds(500)); // time for a second, were one asked for
    BOOST_TEST(n.backend.status().reloads == 1u);
    BOOST_TEST((n.new_group(2) == persist::write_outcome::made));
    BOOST_TEST(n.dir.groups().size() == 2u);
}

// A node whose batch lost the race to another node's runs it again on the
// new head, holding it; for a while its next batches take the head first.
BOOST_AUTO_TEST_CASE(a_node_that_lost_a_race_takes_the_head_first_for_a_while)
{
    node n(pg.uri(), std::chrono::milliseconds(5000));
    auto const start = head();
    connection other(pg.uri());
    other.connect(soon());
    lock_and_fetch(other, start.seq, soon());
    auto answer = std::async(std::launch::async, [&] { return n.new_group(1); });
    BOOST_TEST_REQUIRE(someone_waits_for_a_lock()); // the node's append, behind the other's
    append(other, batch(start, 2), soon(), true);
    BOOST_TEST((answer.get() == persist::write_outcome::made));
    BOOST_TEST(n.backend.status().lost_races == 1u);
    BOOST_TEST(n.backend.status().locked_batches == 1u);
    BOOST_TEST((n.new_group(3) == persist::write_outcome::made));
    BOOST_TEST(n.backend.status().locked_batches == 2u);
    BOOST_TEST(head().seq == start.seq + 3);
    BOOST_TEST(n.dir.groups().size() == 3u);
    BOOST_TEST(pg.psql("SELECT count(*) FROM pg_stat_activity WHERE state = 'idle in transaction'") == "0\n");
}

// Each node sends its tokens' last uses; the store keeps the later time,
// and a read from a time on sees what was there before this send.
BOOST_AUTO_TEST_CASE(token_uses_keep_the_later_time_and_are_read_from_a_time_on)
{
    auto as_map = [](std::vector<token_use> const& uses) {
        std::map<store::record_id, store::unix_time> m;
        for (auto const& u : uses)
            m[u.token] = u.at;
        return m;
    };
    using uses = std::map<store::record_id, store::unix_time>;
    BOOST_TEST((as_map(exchange_token_uses(c, {{1, 100}, {2, 200}}, 0, soon())).empty()));
    BOOST_TEST((as_map(exchange_token_uses(c, {{1, 50}, {2, 300}}, 150, soon())) == uses{{2, 200}}));
    BOOST_TEST((as_map(exchange_token_uses(c, {}, 0, soon())) == uses{{1, 100}, {2, 300}}));
    forget_removed_token_uses(c, soon()); // no token is in the store
    BOOST_TEST(as_map(exchange_token_uses(c, {}, 0, soon())).empty());
}

BOOST_AUTO_TEST_CASE(a_version_1_store_is_migrated_and_keeps_its_old_function)
{
    // As a version 1 binary left it.
    pg.psql("DROP FUNCTION rosterd_append(uuid, bigint, uuid, uuid, bigint, bytea, bytea, smallint[], bigint[], "
            "integer[], integer[], smallint[], bigint[], bigint[]); DROP FUNCTION rosterd_trim_mark(bigint, interval); "
            "DROP TABLE roster_token_use; DELETE FROM roster_schema WHERE version > 1");
    ensure_schema(c, soon());
    BOOST_TEST(pg.psql("SELECT max(version) FROM roster_schema") == std::to_string(schema_version) + "\n");
    BOOST_TEST(pg.psql("SELECT count(*) FROM pg_proc WHERE proname = 'rosterd_append'").substr(0, 1) == "2");
    BOOST_TEST(pg.psql("SELECT count(*) FROM roster_token_use") == "0\n");
    append(c, batch(head(), 1), soon());
    BOOST_TEST(trim(c, 0, std::chrono::seconds(0), soon()) == 1u);
    // Version 1's trim, as an older node calls it.
    append(c, batch(head(), 2), soon());
    BOOST_TEST(pg.psql("SELECT rosterd_trim(0, interval '0')").substr(0, 2) == "2\n");
    BOOST_TEST(pg.psql("SELECT min(seq) FROM roster_change").substr(0, 2) == "2\n");
}

BOOST_AUTO_TEST_SUITE_END()
