// Group commit and its failure paths. A workload runs through the
// committer while the file layer fails the n-th write or fdatasync, for
// every n; after each failure the client saw false (503), memory holds
// exactly the acknowledged changes, and recovery from the files a crash
// would leave yields the same.
#define BOOST_TEST_MODULE committer
#include <boost/test/unit_test.hpp>

#include "persist/codec.hpp"
#include "persist/local/committer.hpp"
#include "persist/journal_reader.hpp"
#include "../support/faulty_io.hpp"
#include "../support/journal_end.hpp"

#include <condition_variable>
#include <fstream>
#include <future>
#include <map>
#include <mutex>
#include <set>
#include <thread>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

using namespace rosterd;
using namespace rosterd::persist;

namespace {

using model = std::map<store::record_id, std::string>; // user id -> firstName

model observed(store::directory const& d)
{
    model m;
    for (auto const& u : d.users())
        m[u.id] = u.first_name();
    return m;
}

// What a restart would find: recovery from a copy of the files as they are
// now (a process that dies keeps what it wrote).
model recovered_copy(std::filesystem::path const& from)
{
    test::temp_dir copy;
    for (auto const* name : {"journal", "snapshot"}) {
        // Read and written whole: std::filesystem::copy_file, racing a
        // rename by the snapshot thread, was seen to copy a torn file.
        std::ifstream in(from / name, std::ios::binary);
        if (!in)
            continue;
        std::string const bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
        std::ofstream(copy.path() / name, std::ios::binary) << bytes;
    }
    data_dir files(copy.path());
    store::directory d;
    recover(files, d, system_io());
    return observed(d);
}

struct harness {
    test::temp_dir tmp;
    data_dir files{tmp.path()};
    store::directory dir;
    test::faulty_io io;
    std::unique_ptr<committer> log;
    model acknowledged;
    store::record_id next = 1;

    explicit harness(commit_settings settings = {})
    {
        settings.poison_retry = std::chrono::milliseconds(0);
        log = std::make_unique<committer>(dir, &files, io, settings, recovered{});
        // Faults are counted from the workload's first write: starting
        // wrote the fresh journal's begin record.
        io.writes = 0;
        io.syncs = 0;
        log->start();
    }

    // One write of the workload: create a user, rename one, or delete one.
    bool step(int i)
    {
        store::change c;
        if (i % 5 == 3 && acknowledged.size() > 1) {
            c = store::remove_user{acknowledged.begin()->first};
        } else if (i % 2 == 1 && !acknowledged.empty()) {
            auto u = *dir.find_user(acknowledged.rbegin()->first);
            u.set_first_name("renamed " + std::to_string(i));
            c = store::put_user{u};
        } else {
            store::user u;
            u.id = dir.next_user_id();
            u.set_first_name("user " + std::to_string(i));
            c = store::put_user{u};
        }
        bool const durable = (log->run_sync([&] {
            log->record(c);
            return true;
        }) == write_outcome::made);
        if (durable) {
            if (auto const* put = std::get_if<store::put_user>(&c))
                acknowledged[put->after.id] = put->after.first_name();
            else
                acknowledged.erase(std::get<store::remove_user>(c).id);
        }
        return durable;
    }
};

constexpr int workload = 12;

} // namespace

BOOST_AUTO_TEST_CASE(queued_writes_share_one_sync)
{
    test::temp_dir tmp;
    data_dir files(tmp.path());
    store::directory dir;
    test::faulty_io io;
    committer log(dir, &files, io, {}, recovered{});
    std::atomic<int> durable{0};
    for (int i = 0; i < 100; ++i)
        log.submit([&, i] {
            store::user u;
            u.id = static_cast<store::record_id>(i + 1);
            log.record(store::put_user{u});
            return true;
        }, [&](persist::write_outcome o) { durable += o == persist::write_outcome::made; });
    log.start(); // all 100 are queued: one batch
    log.stop();
    BOOST_TEST(durable == 100);
    BOOST_TEST(log.records_written() == 100u);
    BOOST_TEST(log.syncs() == 1u);
}

BOOST_AUTO_TEST_CASE(acknowledged_writes_are_in_the_journal)
{
    harness h;
    for (int i = 0; i < workload; ++i)
        BOOST_TEST(h.step(i));
    BOOST_TEST((observed(h.dir) == h.acknowledged));
    BOOST_TEST((recovered_copy(h.tmp.path()) == h.acknowledged));
}

BOOST_AUTO_TEST_CASE(a_failed_write_at_any_point_is_undone_and_never_replayed)
{
    for (bool short_write : {false, true}) {
        for (int n = 1; n <= workload; ++n) {
            BOOST_TEST_CONTEXT("write " << n << (short_write ? " (short)" : "")) {
                harness h;
                h.io.fail_write = n;
                h.io.short_write = short_write;
                for (int i = 0; i < workload; ++i) {
                    bool const durable = h.step(i);
                    BOOST_TEST(durable == (i != n - 1));
                    BOOST_TEST((observed(h.dir) == h.acknowledged));
                }
                BOOST_TEST(!h.log->poisoned());
                BOOST_TEST((recovered_copy(h.tmp.path()) == h.acknowledged));
            }
        }
    }
}

BOOST_AUTO_TEST_CASE(a_failed_sync_poisons_until_a_snapshot_and_fresh_journal)
{
    for (int n = 1; n <= workload; ++n) {
        BOOST_TEST_CONTEXT("fdatasync " << n) {
            harness h;
            h.io.fail_sync = n;
            for (int i = 0; i < n - 1; ++i)
                BOOST_TEST(h.step(i));
            BOOST_TEST(!h.step(n - 1));
            BOOST_TEST((observed(h.dir) == h.acknowledged));
            // A crash now must not bring back the refused write.
            BOOST_TEST((recovered_copy(h.tmp.path()) == h.acknowledged));
            // Writes come back once the committer has replaced the journal.
            bool resumed = false;
            for (int i = n; i < n + 200 && !resumed; ++i) {
                resumed = h.step(i);
                if (!resumed)
                    std::this_thread::sleep_for(std::chrono::milliseconds(5));
            }
            BOOST_TEST(resumed);
            BOOST_TEST(!h.log->poisoned());
            BOOST_TEST((observed(h.dir) == h.acknowledged));
            BOOST_TEST((recovered_copy(h.tmp.path()) == h.acknowledged));
        }
    }
}

namespace {

// Submits `work` and waits for its outcome.
write_outcome outcome_of(committer& log, backend::work_fn work)
{
    std::promise<write_outcome> result;
    log.submit(std::move(work), [&](write_outcome o) { result.set_value(o); });
    return result.get_future().get();
}

store::put_user new_user(store::directory const& dir)
{
    store::user u;
    u.id = dir.next_user_id();
    return {u};
}

} // namespace

// A failed sync whose batch cannot be cut back off the file: "nothing was
// changed" only once that is certain (a snapshot and a fresh journal have
// replaced the file); otherwise the outcome is unknown.
BOOST_AUTO_TEST_CASE(a_batch_that_cannot_be_cut_back_is_never_answered_not_made)
{
    for (bool fresh_journal_works : {true, false}) {
        BOOST_TEST_CONTEXT((fresh_journal_works ? "the fresh journal is written" : "nothing can be renamed")) {
            harness h;
            BOOST_TEST_REQUIRE(h.step(0));
            h.io.fail_sync = h.io.syncs + 1;
            h.io.fail_truncate = true;
            h.io.fail_rename = !fresh_journal_works;
            auto const c = new_user(h.dir);
            auto const o = outcome_of(*h.log, [&] {
                h.log->record(c);
                return true;
            });
            BOOST_TEST((o == (fresh_journal_works ? write_outcome::not_made : write_outcome::unknown)));
            BOOST_TEST((observed(h.dir) == h.acknowledged));
            auto const after_crash = recovered_copy(h.tmp.path());
            if (o == write_outcome::not_made)
                BOOST_TEST((after_crash == h.acknowledged));
            else // it may or may not come back: either is what "unknown" said
                BOOST_TEST((after_crash.size() - h.acknowledged.size() <= 1u));
            BOOST_TEST(h.log->poisoned() == !fresh_journal_works);
            BOOST_TEST(h.log->status().writable == fresh_journal_works); // what /readyz reads
        }
    }
}

// Two writers in one batch: the first creates a user and its sync fails;
// the second sees that user and changes nothing. Its answer depended on a
// change that was not made, so it shares that outcome.
BOOST_AUTO_TEST_CASE(a_job_that_saw_a_failed_change_shares_its_outcome)
{
    harness h;
    BOOST_TEST_REQUIRE(h.step(0));
    // Hold the next batch's sync until both writers have queued behind it.
    std::promise<void> release;
    auto released = release.get_future().share();
    std::atomic<bool> holding{true};
    h.io.before_sync = [&](int) {
        if (holding.exchange(false))
            released.wait();
    };
    auto const id = h.dir.next_user_id();
    auto blocker = std::async(std::launch::async, [&] { return h.step(1); }); // a rename
    while (holding)
        std::this_thread::sleep_for(std::chrono::milliseconds(1));
    std::promise<write_outcome> first, second;
    bool second_saw_it = false;
    h.io.fail_sync = h.io.syncs + 2; // the blocker's sync, then the next batch's
    h.log->submit(
        [&] {
            auto u = new_user(h.dir);
            u.after.id = id;
            h.log->record(u);
            return true;
        },
        [&](write_outcome o) { first.set_value(o); });
    h.log->submit(
        [&] {
            second_saw_it = h.dir.find_user(id) != nullptr;
            return true; // records nothing: "it is already there"
        },
        [&](write_outcome o) { second.set_value(o); });
    release.set_value();
    BOOST_TEST(blocker.get());
    auto const first_outcome = first.get_future().get();
    auto const second_outcome = second.get_future().get();
    BOOST_TEST_REQUIRE(second_saw_it); // the two ran in one batch
    BOOST_TEST((first_outcome != write_outcome::made));
    BOOST_TEST((second_outcome == first_outcome));
    BOOST_TEST(h.dir.find_user(id) == nullptr);
    h.io.before_sync = {}; // the harness's stop() syncs too, after these locals are gone
}

namespace {
// Whether `fd` is the file at `path` now.
bool is_file(int fd, std::filesystem::path const& path)
{
    struct stat a{}, b{};
    return ::fstat(fd, &a) == 0 && ::stat(path.c_str(), &b) == 0 && a.st_ino == b.st_ino && a.st_dev == b.st_dev;
}
} // namespace

// Relaxed mode answers after write() and syncs later, and a snapshot's walk
// sees those batches. The snapshot must not take its name before the
// journal is synced past everything written by the end of its walk: a
// crash would otherwise leave a snapshot holding part of a batch that the
// journal lost, and nothing to complete it.
BOOST_AUTO_TEST_CASE(a_relaxed_snapshot_takes_its_name_only_once_the_journal_it_saw_is_synced)
{
    commit_settings settings;
    settings.mode = durability::relaxed;
    settings.relaxed_sync = std::chrono::hours(1); // no periodic sync during the test
    settings.snapshot_after = 1;
    harness h(settings);
    std::atomic<int> steps{0};
    std::atomic<bool> renamed{false};
    std::mutex m;
    off_t journal_synced = 0, written_by_walk_end = -1;
    h.io.before_sync = [&](int fd) {
        if (is_file(fd, h.files.journal())) {
            auto const end = static_cast<off_t>(test::journal_end(h.files.journal()));
            std::lock_guard lock(m);
            journal_synced = std::max(journal_synced, end);
        } else if (!renamed && is_file(fd, h.files.snapshot().string() + ".tmp")) {
            // The walk is over: let a write land meanwhile, as one would.
            for (int seen = steps; steps == seen;)
                std::this_thread::sleep_for(std::chrono::milliseconds(1));
            std::lock_guard lock(m);
            written_by_walk_end = static_cast<off_t>(test::journal_end(h.files.journal()));
        }
    };
    off_t synced_at_rename = -1, required = 0;
    h.io.before_rename = [&](char const*, char const* to) {
        if (std::filesystem::path(to) != h.files.snapshot() || renamed.exchange(true))
            return;
        std::lock_guard lock(m);
        synced_at_rename = journal_synced;
        required = written_by_walk_end;
    };
    std::thread writer([&] {
        for (int i = 0; !renamed && i < 100000; ++i) {
            h.step(i);
            ++steps;
        }
    });
    writer.join();
    // The harness's stop() syncs and renames too, after these locals are gone.
    h.io.before_sync = {};
    h.io.before_rename = {};
    BOOST_TEST_REQUIRE(renamed.load());
    BOOST_TEST(required > 0);
    BOOST_TEST(synced_at_rename >= required);
    BOOST_TEST((observed(h.dir) == h.acknowledged));
}

// The answer is held, not the lock: while a batch is synced, a reader gets
// the lock at once and sees the state before the batch; the writer is
// answered only once the batch is durable and shown, or failed and gone.
BOOST_AUTO_TEST_CASE(readers_do_not_wait_for_a_sync_and_never_see_its_batch)
{
    for (bool fails : {false, true}) {
        BOOST_TEST_CONTEXT((fails ? "failing" : "succeeding") << " sync") {
            harness h;
            BOOST_TEST_REQUIRE(h.step(0));
            auto const before = observed(h.dir);
            std::mutex m;
            std::condition_variable cv;
            bool syncing = false, read_done = false, read_in_time = false;
            h.io.before_sync = [&](int) {
                std::unique_lock lock(m);
                syncing = true;
                cv.notify_all();
                read_in_time = cv.wait_for(lock, std::chrono::seconds(5), [&] { return read_done; });
            };
            h.io.fail_sync = fails ? h.io.syncs + 1 : 0;
            std::promise<bool> answer;
            h.log->submit([&] {
                store::user u;
                u.id = 50;
                u.set_first_name("pending");
                h.log->record(store::put_user{u});
                return true;
            }, [&](persist::write_outcome o) { answer.set_value(o == persist::write_outcome::made); });
            {
                std::unique_lock lock(m);
                cv.wait(lock, [&] { return syncing; });
            }
            model during;
            {
                auto lock = h.dir.read_lock();
                during = observed(h.dir);
            }
            {
                std::lock_guard lock(m);
                read_done = true;
            }
            cv.notify_all();
            bool const durable = answer.get_future().get();
            BOOST_TEST(read_in_time);
            BOOST_TEST((during == before));
            BOOST_TEST(durable == !fails);
            auto after = before;
            if (!fails)
                after[50] = "pending";
            BOOST_TEST((observed(h.dir) == after));
            h.io.before_sync = nullptr;
            BOOST_TEST((recovered_copy(h.tmp.path()) == after));
        }
    }
}

BOOST_AUTO_TEST_CASE(failing_work_is_undone_and_others_in_the_batch_persist)
{
    harness h;
    BOOST_TEST(h.step(0));
    auto const before = observed(h.dir);
    bool const durable = (h.log->run_sync([&]() -> bool {
        store::user u;
        u.id = 99;
        h.log->record(store::put_user{u});
        throw std::runtime_error("handler bug");
    }) == write_outcome::made);
    BOOST_TEST(durable); // nothing of it to persist: it was undone
    BOOST_TEST((observed(h.dir) == before));
    BOOST_TEST(h.step(1));
    BOOST_TEST((recovered_copy(h.tmp.path()) == h.acknowledged));
}

BOOST_AUTO_TEST_CASE(a_growing_journal_is_snapshotted_and_shortened)
{
    commit_settings settings;
    settings.snapshot_after = 4096;
    harness h(settings);
    for (int i = 0; i < 400; ++i)
        BOOST_TEST_REQUIRE(h.step(i));
    // The snapshot thread finishes on its own; wait for the journal to shrink.
    for (int i = 0; i < 200 && test::journal_end(h.files.journal()) >= 8192; ++i) {
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
        h.step(1000 + i);
    }
    BOOST_TEST(std::filesystem::exists(h.files.snapshot()));
    BOOST_TEST(test::journal_end(h.files.journal()) < 8192u);
    BOOST_TEST((recovered_copy(h.tmp.path()) == h.acknowledged));
}

// The journal is rotated while commits go on: the snapshot thread copies
// the tail and syncs it, then - with the committer writing every batch to
// both files - syncs it again and renames it into place. Writes begin and
// end during both, and everything acknowledged survives recovery.
BOOST_AUTO_TEST_CASE(commits_go_on_while_the_journal_is_rotated)
{
    // The first sync of each journal.tmp (the snapshot thread's, of the
    // copied tail) takes 20 ms, and so does renaming it to journal. (The
    // hooks' state is declared first: the harness's stop() still syncs.)
    std::atomic<int> slow_syncs{0}, slow_renames{0}, renames{0};
    auto const slowly = [](std::atomic<int>& busy) {
        ++busy;
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
        --busy;
    };
    std::mutex m;
    std::set<ino_t> synced;
    commit_settings settings;
    settings.snapshot_after = 4096;
    harness h(settings);
    h.io.before_sync = [&](int fd) {
        struct stat st {};
        ::fstat(fd, &st);
        bool first;
        {
            std::lock_guard lock(m);
            first = std::filesystem::read_symlink("/proc/self/fd/" + std::to_string(fd)).filename() == "journal.tmp"
                    && synced.insert(st.st_ino).second;
        }
        if (first)
            slowly(slow_syncs);
    };
    h.io.before_rename = [&](char const* from, char const*) {
        if (std::filesystem::path(from).filename() == "journal.tmp") {
            slowly(slow_renames);
            ++renames;
        }
    };
    // Writes begun and answered within one slow sync, or one slow rename.
    int during_sync = 0, during_rename = 0;
    for (int i = 0; i < 5000 && renames < 3; ++i) {
        bool const in_sync = slow_syncs > 0, in_rename = slow_renames > 0;
        BOOST_TEST_REQUIRE(h.step(i));
        during_sync += in_sync && slow_syncs > 0;
        during_rename += in_rename && slow_renames > 0;
    }
    BOOST_TEST(renames >= 3);
    BOOST_TEST(during_sync > 0);
    BOOST_TEST(during_rename > 0);
    BOOST_TEST((observed(h.dir) == h.acknowledged));
    BOOST_TEST((recovered_copy(h.tmp.path()) == h.acknowledged));
}

// The journal a rotation replaces is taken apart only once the committer
// has switched to the new one: a batch written meanwhile goes to the new
// journal alone, never into the old file as it shrinks.
BOOST_AUTO_TEST_CASE(the_old_journal_is_taken_apart_after_the_committer_has_switched)
{
    std::promise<void> entered, release;
    auto const released = release.get_future().share();
    std::atomic<bool> blocked{false};
    commit_settings settings;
    settings.snapshot_after = 9 << 20; // past remove_paced()'s 8 MiB step
    harness h(settings);
    auto const old_journal = retired_of(h.files.journal());
    // The first cut of the old journal waits until the test lets it go.
    // (What the hook uses is declared before the harness, whose stop()
    // still cuts a replaced snapshot.)
    h.io.before_truncate = [&, old_name = old_journal.filename()](int fd) {
        auto const name = std::filesystem::read_symlink("/proc/self/fd/" + std::to_string(fd)).filename();
        if (name != old_name || blocked.exchange(true))
            return;
        entered.set_value();
        released.wait();
    };
    struct opens_on_exit { // before the harness's stop() joins the snapshot thread
        std::promise<void>& release;
        bool open = false;
        void let_go() { if (!std::exchange(open, true)) release.set_value(); }
        ~opens_on_exit() { let_go(); }
    } gate{release};
    auto const waiting = entered.get_future();
    std::string const big(64 << 10, 'x');
    for (int i = 0; i < 400 && waiting.wait_for(std::chrono::seconds(0)) != std::future_status::ready; ++i) {
        store::user u;
        u.id = h.dir.next_user_id();
        u.set_first_name(big);
        BOOST_TEST_REQUIRE((h.log->run_sync([&] {
            h.log->record(store::put_user{u});
            return true;
        }) == write_outcome::made));
        h.acknowledged[u.id] = u.first_name();
    }
    BOOST_TEST_REQUIRE((waiting.wait_for(std::chrono::seconds(10)) == std::future_status::ready));
    auto const contents = [&] {
        std::ifstream in(old_journal, std::ios::binary);
        return std::string(std::istreambuf_iterator<char>(in), {});
    };
    auto const before = contents();
    BOOST_TEST_REQUIRE(h.step(1));
    BOOST_TEST((contents() == before), "a batch went into the old journal while it was taken apart");
    gate.let_go();
    for (int i = 0; i < 200 && std::filesystem::exists(old_journal); ++i)
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
    BOOST_TEST(!std::filesystem::exists(old_journal));
    BOOST_TEST((recovered_copy(h.tmp.path()) == h.acknowledged));
}

// The rotation's invariant: at the moment journal.tmp takes the journal's
// name, either name's file, with the snapshot, recovers every acknowledged
// write (and, with no write in flight, nothing else): a crash on either
// side of the rename loses nothing.
BOOST_AUTO_TEST_CASE(either_file_holds_every_acknowledged_record_at_the_rename)
{
    std::mutex step_mutex; // held around each write and its bookkeeping
    std::atomic<int> checked{0};
    std::vector<std::string> failures;
    commit_settings settings;
    settings.snapshot_after = 2048;
    harness h(settings);
    h.io.before_rename = [&](char const* from, char const*) {
        if (std::filesystem::path(from).filename() != "journal.tmp")
            return;
        std::lock_guard lock(step_mutex);
        for (auto const* name : {"journal", "journal.tmp"}) {
            test::temp_dir image;
            std::filesystem::copy_file(h.tmp.path() / "snapshot", image.path() / "snapshot");
            std::filesystem::copy_file(h.tmp.path() / name, image.path() / "journal");
            data_dir files(image.path());
            store::directory d;
            recover(files, d, system_io());
            if (observed(d) != h.acknowledged)
                failures.push_back(std::string(name) + " at rename " + std::to_string(checked));
        }
        ++checked;
    };
    for (int i = 0; i < 5000 && checked < 3; ++i) {
        std::lock_guard lock(step_mutex);
        BOOST_TEST_REQUIRE(h.step(i));
    }
    // The harness's stop() renames too, once its bookkeeping is gone.
    h.io.before_rename = {};
    BOOST_TEST(checked >= 3);
    BOOST_TEST(failures.empty(), failures.size() << " images lost or added writes, first: "
                                                 << (failures.empty() ? "" : failures.front()));
}

// Any write or sync may fail while snapshots are taken and the journal is
// rotated (snapshot, tail copy, mirrored batches, rename): whatever was
// acknowledged is in memory and survives recovery, nothing else is.
BOOST_AUTO_TEST_CASE(a_failure_while_the_journal_is_rotated_loses_nothing_acknowledged)
{
    for (bool sync : {false, true}) {
        for (int n = 1; n <= 40; ++n) {
            BOOST_TEST_CONTEXT((sync ? "fdatasync " : "write ") << n) {
                commit_settings settings;
                settings.snapshot_after = 512;
                harness h(settings);
                (sync ? h.io.fail_sync : h.io.fail_write) = n;
                for (int i = 0; i < 80; ++i) {
                    h.step(i);
                    BOOST_TEST_REQUIRE((observed(h.dir) == h.acknowledged));
                }
                BOOST_TEST((recovered_copy(h.tmp.path()) == h.acknowledged));
            }
        }
    }
}

BOOST_AUTO_TEST_CASE(stop_leaves_a_snapshot_and_an_empty_journal)
{
    harness h;
    for (int i = 0; i < workload; ++i)
        h.step(i);
    BOOST_TEST(h.log->stop());
    // Only the record naming the snapshot it continues.
    BOOST_TEST(std::filesystem::file_size(h.files.journal()) == journal_begin_record(1).size());
    BOOST_TEST((recovered_copy(h.tmp.path()) == h.acknowledged));
}

BOOST_AUTO_TEST_CASE(recovery_cuts_a_torn_tail_and_appends_after_it)
{
    harness h;
    for (int i = 0; i < 4; ++i)
        h.step(i);
    auto const whole = std::filesystem::file_size(h.files.journal());
    h.log.reset(); // stop: snapshot + empty journal; rebuild the journal by hand below
    test::temp_dir copy;
    {
        // A journal whose last record was cut in the middle.
        data_dir files(copy.path());
        store::directory d;
        committer log(d, &files, system_io(), {}, recovered{});
        log.start();
        for (int i = 1; i <= 3; ++i)
            BOOST_TEST_REQUIRE((log.run_sync([&] {
                store::user u;
                u.id = static_cast<store::record_id>(i);
                log.record(store::put_user{u});
                return true;
            }) == write_outcome::made));
        // No stop(): copy the journal as a crash would leave it.
        std::filesystem::copy_file(files.journal(), copy.path() / "journal.crashed");
        log.stop();
    }
    std::filesystem::rename(copy.path() / "journal.crashed", copy.path() / "journal");
    std::filesystem::remove(copy.path() / "snapshot");
    auto const size = test::journal_end(copy.path() / "journal");
    std::filesystem::resize_file(copy.path() / "journal", size - 3);

    data_dir files(copy.path());
    store::directory d;
    auto const r = recover(files, d, system_io());
    BOOST_TEST(d.users().size() == 2u);
    BOOST_TEST(r.torn_bytes > 0u);
    BOOST_TEST(std::filesystem::file_size(files.journal()) == r.journal_bytes);
    committer log(d, &files, system_io(), {}, r);
    log.start();
    BOOST_TEST((log.run_sync([&] {
        store::user u;
        u.id = 9;
        log.record(store::put_user{u});
        return true;
    }) == write_outcome::made));
    log.stop();
    store::directory again;
    recover(files, again, system_io());
    BOOST_TEST(again.users().size() == 3u);
    BOOST_TEST(whole > 0u);
}

// One request is one unit on disk: a crash that cuts the journal at any
// byte of a request's records (a group and its members, an event and its
// change) replays all of them or none, and the cut goes back to the start
// of the unit.
BOOST_AUTO_TEST_CASE(a_request_is_replayed_whole_or_not_at_all_wherever_a_crash_cuts_it)
{
    test::temp_dir tmp;
    data_dir files(tmp.path());
    std::uint64_t unit_start = 0, unit_end = 0;
    {
        store::directory d;
        committer log(d, &files, system_io(), {}, recovered{});
        log.start();
        auto one_user = [&](store::record_id id) {
            return (log.run_sync([&] {
                store::user u;
                u.id = id;
                log.record(store::put_user{u});
                return true;
            }) == write_outcome::made);
        };
        BOOST_TEST_REQUIRE(one_user(1));
        unit_start = test::journal_end(files.journal());
        BOOST_TEST_REQUIRE((log.run_sync([&] {
            log.record(store::put_group{{1, "team", std::nullopt, 0, 0}});
            for (store::record_id id = 2; id <= 4; ++id) {
                store::user u;
                u.id = id;
                u.set_groups({{1, false}});
                log.record(store::put_user{u});
            }
            return true;
        }) == write_outcome::made));
        unit_end = test::journal_end(files.journal());
        // Copied before stop(), which would snapshot and empty the journal.
        std::filesystem::copy_file(files.journal(), tmp.path() / "journal.whole");
        log.stop();
    }
    auto const whole = read_whole_file(tmp.path() / "journal.whole");
    for (auto cut = unit_start; cut <= unit_end; ++cut) {
        BOOST_TEST_CONTEXT("journal cut at byte " << cut) {
            test::temp_dir copy;
            std::ofstream(copy.path() / "journal", std::ios::binary) << whole.substr(0, cut);
            data_dir crashed(copy.path());
            store::directory d;
            auto const r = recover(crashed, d, system_io());
            bool const all = cut == unit_end;
            BOOST_TEST(d.users().size() == (all ? 4u : 1u));
            BOOST_TEST(d.groups().size() == (all ? 1u : 0u));
            BOOST_TEST(r.journal_bytes == (all ? unit_end : unit_start));
            BOOST_TEST(std::filesystem::file_size(crashed.journal()) == r.journal_bytes);
        }
    }
}

BOOST_AUTO_TEST_CASE(damage_mid_journal_stops_recovery_with_its_offset)
{
    harness h;
    for (int i = 0; i < 4; ++i)
        h.step(i);
    test::temp_dir copy;
    std::filesystem::copy_file(h.files.journal(), copy.path() / "journal");
    auto bytes = read_whole_file(copy.path() / "journal");
    bytes[header_size + 3] ^= 0x10; // inside the first record's payload
    {
        std::ofstream out(copy.path() / "journal", std::ios::binary | std::ios::trunc);
        out << bytes;
    }
    data_dir files(copy.path());
    store::directory d;
    try {
        recover(files, d, system_io());
        BOOST_FAIL("damage was not reported");
    } catch (corruption_error const& e) {
        BOOST_TEST(e.offset == 0u);
        BOOST_TEST(std::string(e.what()).find("journal:0:") != std::string::npos);
        // The advice is the command that keeps what precedes the damage.
        auto const advice = damage_advice(e, files);
        BOOST_TEST(advice.find("truncate -s 0 '" + files.journal().string() + "'") != std::string::npos, advice);
    }
}

// A file's name is in its directory: a journal just made, and the only
// copy of the first superuser's secret, outlive a crash only once the
// directory is synced.
BOOST_AUTO_TEST_CASE(new_files_are_synced_into_the_data_directory)
{
    test::temp_dir tmp;
    data_dir files(tmp.path());
    test::faulty_io io;
    {
        store::directory d;
        committer log(d, &files, io, {}, recovered{});
        BOOST_TEST(io.directory_syncs == 1);
    }
    auto const before = io.directory_syncs.load();
    files.write_bootstrap_token("secret-for-the-test", io);
    BOOST_TEST(io.directory_syncs == before + 1);
}

// lastUsed is touched outside the batches: a batch's after-image shown
// later, or a before-image put back, holds an older one and must not turn
// it back.
BOOST_AUTO_TEST_CASE(a_batch_shown_after_a_touch_keeps_the_newer_last_use)
{
    store::directory d;
    store::token t;
    t.id = 1;
    t.user_id = 1;
    t.last_used = 5;
    d.apply(store::put_token{t});
    pending_batch batch;
    BOOST_TEST_REQUIRE(batch.run(d, [&] {
        auto changed = *d.find_token(1);
        changed.description = "renamed";
        batch.record(d, store::put_token{changed});
        return true;
    }));
    batch.hide(d);
    d.apply(store::touch_token{1, 9}); // a request authenticated meanwhile
    batch.show(d);
    BOOST_TEST(d.find_token(1)->description.view() == "renamed");
    BOOST_TEST(*d.find_token(1)->last_used == 9);
    // And an undo (a before-image put back) after a touch.
    d.apply(store::touch_token{1, 12});
    d.apply(store::put_token{t});
    BOOST_TEST(*d.find_token(1)->last_used == 12);
}

// A failed snapshot is reported with what failed on the snapshot thread,
// not with whatever errno the committer's thread last left.
BOOST_AUTO_TEST_CASE(a_failed_snapshot_reports_its_own_error)
{
    test::temp_dir out;
    auto const log_file = out.path() / "stderr";
    int const saved = ::dup(STDERR_FILENO);
    {
        fd_guard redirected(::open(log_file.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600));
        ::dup2(redirected.get(), STDERR_FILENO);
    }
    {
        commit_settings settings;
        settings.snapshot_after = 1;
        harness h(settings);
        h.io.fail_rename = true; // EIO on the snapshot thread
        h.step(0);
        for (int i = 0; i < 500 && read_whole_file(log_file).find("snapshot failed") == std::string::npos; ++i)
            std::this_thread::sleep_for(std::chrono::milliseconds(5));
        h.io.fail_rename = false;
    }
    ::dup2(saved, STDERR_FILENO);
    ::close(saved);
    auto const text = read_whole_file(log_file);
    BOOST_TEST(text.find("snapshot failed (Input/output error)") != std::string::npos, text);
}

// A crash between the old snapshot's (or journal's) second name and the
// rename leaves two names of the file in place: start-up drops the second,
// not the file.
BOOST_AUTO_TEST_CASE(a_leftover_second_name_of_the_snapshot_is_dropped_not_emptied)
{
    harness h;
    for (int i = 0; i < 4; ++i)
        h.step(i);
    h.log.reset(); // stop: a snapshot holds everything
    std::filesystem::create_hard_link(h.files.snapshot(), retired_of(h.files.snapshot()));
    std::filesystem::create_hard_link(h.files.journal(), retired_of(h.files.journal()));
    store::directory d;
    recover(h.files, d, system_io());
    BOOST_TEST(!std::filesystem::exists(retired_of(h.files.snapshot())));
    BOOST_TEST(!std::filesystem::exists(retired_of(h.files.journal())));
    BOOST_TEST((observed(d) == h.acknowledged));
}

BOOST_AUTO_TEST_CASE(the_data_directory_is_locked)
{
    test::temp_dir tmp;
    data_dir first(tmp.path() / "data");
    first.lock();
    data_dir second(tmp.path() / "data");
    BOOST_CHECK_THROW(second.lock(), std::runtime_error);
}

namespace {

// The directory `from`'s snapshot (if `with_snapshot`) beside `journal`'s
// journal, in a fresh directory, recovered.
void recover_pair(std::filesystem::path const& from, bool with_snapshot, std::filesystem::path const& journal,
                  test::temp_dir const& into, store::directory& d)
{
    if (with_snapshot)
        std::filesystem::copy_file(from / "snapshot", into.path() / "snapshot");
    std::filesystem::copy_file(journal / "journal", into.path() / "journal");
    data_dir files(into.path());
    recover(files, d, system_io());
}

} // namespace

// A journal continues one snapshot: replayed onto another (a restore
// interrupted, files copied by hand) it would mix two histories, so the
// start stops, saying what can be done. The pairs a crash can leave load.
BOOST_AUTO_TEST_CASE(a_journal_of_another_history_stops_the_start)
{
    harness a, b;
    for (int i = 0; i < 4; ++i) {
        a.step(i);
        b.step(i);
    }
    // a: a snapshot and a journal continuing it; b: a journal of a
    // directory that never had a snapshot, with records.
    BOOST_TEST_REQUIRE(a.log->stop());
    test::temp_dir b_now;
    std::filesystem::copy_file(b.files.journal(), b_now.path() / "journal");

    auto refused = [](auto&& attempt, std::string const& why) {
        try {
            attempt();
            BOOST_ERROR("a journal of another history was replayed: " << why);
        } catch (history_error const& e) {
            BOOST_TEST(e.offset == 0u);
            BOOST_TEST_MESSAGE(e.what());
        }
    };
    refused([&] {
        test::temp_dir mixed;
        store::directory d;
        recover_pair(a.tmp.path(), true, b_now.path(), mixed, d);
    }, "b's journal on a's snapshot");
    refused([&] {
        test::temp_dir mixed;
        store::directory d;
        recover_pair(a.tmp.path(), false, a.tmp.path(), mixed, d);
    }, "a's journal with its snapshot gone");

    // The advice keeps the snapshot and sets the journal aside.
    test::temp_dir mixed;
    store::directory d;
    try {
        recover_pair(a.tmp.path(), true, b_now.path(), mixed, d);
    } catch (history_error const& e) {
        data_dir files(mixed.path());
        auto const advice = damage_advice(e, files);
        BOOST_TEST(advice.find("mv '" + files.journal().string() + "' '") != std::string::npos, advice);
        BOOST_TEST(std::filesystem::file_size(files.journal()) == std::filesystem::file_size(b_now.path() / "journal"),
                   "the journal was left as it was found");
    }

    // Whole pairs load: a's own, and b's journal alone.
    store::directory own, alone;
    test::temp_dir a_copy, b_copy;
    recover_pair(a.tmp.path(), true, a.tmp.path(), a_copy, own);
    BOOST_TEST((observed(own) == a.acknowledged));
    recover_pair(b.tmp.path(), false, b_now.path(), b_copy, alone);
    BOOST_TEST(alone.users().size() == b.dir.users().size());
}

// Files written before snapshots had names (a snapshot header without ids,
// a journal without a begin record) load as they are, and the next
// snapshot and journal carry names.
BOOST_AUTO_TEST_CASE(a_directory_from_before_names_loads_and_gets_them)
{
    test::temp_dir tmp;
    {
        std::string snapshot, journal, payload;
        encoder e(payload);
        for (std::uint64_t v : {std::uint64_t(1), std::uint64_t(2), std::uint64_t(1), std::uint64_t(1), std::uint64_t(1)})
            e.u64(v); // seq 1, next user 2, next group, token, audit id
        append_record(snapshot, record_type::snapshot_begin, payload);
        payload.clear();
        encode_change(e, store::put_user{[] {
                          store::user u;
                          u.id = 1;
                          return u;
                      }()});
        append_record(snapshot, record_type::snapshot_item, payload);
        payload.clear();
        e.u64(1);
        append_record(snapshot, record_type::snapshot_end, payload);
        payload.clear();
        e.u64(2);
        encode_change(e, store::put_user{[] {
                          store::user u;
                          u.id = 2;
                          return u;
                      }()});
        append_record(journal, record_type::change, payload);
        std::ofstream(tmp.path() / "snapshot", std::ios::binary) << snapshot;
        std::ofstream(tmp.path() / "journal", std::ios::binary) << journal;
    }
    data_dir files(tmp.path());
    store::directory d;
    auto const r = recover(files, d, system_io());
    BOOST_TEST(d.users().size() == 2u);
    BOOST_TEST(r.journal_continues == 0u);
    {
        committer log(d, &files, system_io(), {}, r);
        log.start();
        BOOST_TEST(log.stop());
    }
    store::directory again;
    auto const named = recover(files, again, system_io());
    BOOST_TEST(again.users().size() == 2u);
    BOOST_TEST_REQUIRE(named.snapshot.has_value());
    BOOST_TEST(named.snapshot->id != 0u);
    BOOST_TEST(named.journal_continues == named.snapshot->id);
}
