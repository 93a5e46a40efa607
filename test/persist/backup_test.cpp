// Online backup below the API: what the committer captures, and a backup
// taken while another thread writes restores to one point in time.
#define BOOST_TEST_MODULE backup
#include <boost/test/unit_test.hpp>

#include "persist/backup.hpp"
#include "persist/local/committer.hpp"
#include "persist/codec.hpp"
#include "persist/journal_reader.hpp"
#include "persist/local/recovery.hpp"
#include "../support/faulty_io.hpp"
#include "../support/temp_dir.hpp"

#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <map>
#include <thread>

using namespace rosterd;
using namespace rosterd::persist;

namespace {

store::user named(store::record_id id, std::string first, std::string last = {})
{
    store::user u;
    u.id = id;
    u.set_first_name(std::move(first));
    u.set_last_name(std::move(last));
    return u;
}

struct server_files {
    test::temp_dir tmp;
    data_dir files{tmp.path()};
    store::directory dir;
    committer log{dir, &files, system_io(), {durability::strict}, recovered{}};

    server_files() { log.start(); }
    ~server_files() { log.stop(); }

    void put(store::user u)
    {
        BOOST_TEST_REQUIRE((log.run_sync([&] {
            log.record(store::put_user{std::move(u)});
            return true;
        }) == write_outcome::made));
    }
};

} // namespace

BOOST_AUTO_TEST_CASE(the_capture_holds_exactly_the_records_after_its_start)
{
    server_files s;
    s.put(named(1, "a"));
    s.put(named(2, "b"));
    auto const seq = s.log.begin_capture();
    BOOST_TEST_REQUIRE(seq.has_value());
    BOOST_TEST(*seq == 2u);
    BOOST_TEST(!s.log.begin_capture()); // one backup at a time
    s.put(named(3, "c"));
    s.put(named(1, "a2"));
    auto const journal = s.log.end_capture();
    std::vector<std::uint64_t> seqs;
    scan_records(journal, "capture", [&](record_type, std::string_view payload, std::uint64_t) {
        decoder d(payload);
        seqs.push_back(d.u64());
    });
    BOOST_TEST(seqs == (std::vector<std::uint64_t>{3, 4}), boost::test_tools::per_element());
    s.put(named(4, "d"));
    BOOST_TEST(s.log.begin_capture().has_value()); // and again once done
    BOOST_TEST(s.log.end_capture().empty());
}

BOOST_AUTO_TEST_CASE(a_backup_taken_while_writing_restores_to_one_moment)
{
    constexpr store::record_id users = 20000; // enough that the snapshot takes a while
    server_files s;
    BOOST_TEST_REQUIRE((s.log.run_sync([&] {
        for (store::record_id id = 1; id <= users; ++id)
            s.log.record(store::put_user{named(id, "0", "0")});
        return true;
    }) == write_outcome::made));
    // Each write sets user 1's firstName to n and one other user's lastName
    // to n, in one batch: a moment has firstName n everywhere at most n, and
    // that other user at exactly n.
    std::atomic<bool> stop{false};
    std::atomic<int> written{0};
    std::thread writer([&] {
        for (int n = 1; !stop; ++n) {
            auto const other = static_cast<store::record_id>(2 + n % (users - 1));
            bool const ok = (s.log.run_sync([&] {
                s.log.record(store::put_user{named(1, std::to_string(n), "0")});
                s.log.record(store::put_user{named(other, "0", std::to_string(n))});
                return true;
            }) == write_outcome::made);
            BOOST_TEST_REQUIRE(ok);
            written = n;
        }
    });
    while (written < 5)
        std::this_thread::yield();
    auto const start = written.load();
    auto const backup = make_backup(s.log, s.dir, s.files, system_io());
    auto const end = written.load();
    stop = true;
    writer.join();
    BOOST_TEST_REQUIRE(backup.has_value());

    test::temp_dir elsewhere;
    data_dir target(elsewhere.path());
    target.lock();
    auto const r = restore_backup(*backup, target, system_io());
    BOOST_TEST(r.users == users);
    store::directory restored;
    recover(target, restored, system_io());
    int const moment = std::stoi(std::string(restored.find_user(1)->first_name()));
    BOOST_TEST_MESSAGE("writes " << start << " to " << end << " ran during the backup; it holds write " << moment);
    BOOST_TEST(moment >= start);
    BOOST_TEST(moment <= end);
    auto const other = static_cast<store::record_id>(2 + moment % (users - 1));
    BOOST_TEST(restored.find_user(other)->last_name() == std::to_string(moment));
    for (auto const& u : restored.users())
        BOOST_TEST_REQUIRE(std::stoi(std::string(u.last_name())) <= moment, "user " << u.id << " is from after the moment");
}

BOOST_AUTO_TEST_CASE(a_memory_mode_committer_has_nothing_to_capture)
{
    store::directory dir;
    committer log{dir, nullptr, system_io(), {durability::memory}, recovered{}};
    BOOST_TEST(!log.begin_capture());
}

BOOST_AUTO_TEST_CASE(files_made_by_root_go_to_the_directorys_owner)
{
    if (::geteuid() != 0) {
        BOOST_TEST_MESSAGE("not root: nothing to give away");
        return;
    }
    constexpr uid_t nobody = 65534;
    test::temp_dir tmp;
    BOOST_TEST_REQUIRE(::chown(tmp.path().c_str(), nobody, nobody) == 0);
    data_dir files(tmp.path());
    files.write_bootstrap_token("secret-for-the-test");
    files.give_files_to_owner();
    struct stat st {};
    BOOST_TEST_REQUIRE(::stat(files.bootstrap_token().c_str(), &st) == 0);
    BOOST_TEST(st.st_uid == nobody);
    BOOST_TEST(st.st_gid == nobody);
}

namespace {

struct crash {};

// A data directory's users' first names.
std::map<store::record_id, std::string> names(store::directory const& d)
{
    std::map<store::record_id, std::string> r;
    for (auto const& u : d.users())
        r[u.id] = std::string(u.first_name());
    return r;
}

} // namespace

// A restore installs two files; a crash at any step of it leaves, for the
// next start, either the directory as it was or the backup, never one
// file of each (an old journal replayed onto the backup's snapshot, or
// onto nothing).
BOOST_AUTO_TEST_CASE(a_restore_cut_short_at_any_step_starts_as_before_or_as_the_backup)
{
    // The directory before: a snapshot and a journal with records after it.
    test::temp_dir before;
    std::map<store::record_id, std::string> old_names;
    {
        data_dir files(before.path());
        store::directory dir;
        {
            committer log{dir, &files, system_io(), {durability::strict}, recovered{}};
            log.start();
            BOOST_TEST_REQUIRE((log.run_sync([&] {
                log.record(store::put_user{named(1, "old")});
                return true;
            }) == write_outcome::made));
        } // stopped: a snapshot
        store::directory reloaded;
        auto const r = recover(files, reloaded, system_io());
        committer log{reloaded, &files, system_io(), {durability::strict}, r};
        log.start();
        BOOST_TEST_REQUIRE((log.run_sync([&] {
            log.record(store::put_user{named(2, "old too")});
            return true;
        }) == write_outcome::made));
        old_names = names(reloaded);
        std::filesystem::copy_file(files.journal(), before.path() / "journal.kept");
        std::filesystem::copy_file(files.snapshot(), before.path() / "snapshot.kept");
    }
    // The backup: another directory's.
    std::string backup;
    std::map<store::record_id, std::string> backup_names;
    {
        server_files other;
        other.put(named(1, "new"));
        other.put(named(3, "new too"));
        auto const capture = make_backup(other.log, other.dir, other.files, system_io());
        BOOST_TEST_REQUIRE(capture.has_value());
        backup = *capture;
        backup_names = names(other.dir);
    }
    BOOST_TEST_REQUIRE((old_names != backup_names));

    bool finished = false;
    for (int crash_at = 1; !finished; ++crash_at) {
        BOOST_TEST_CONTEXT("a crash at rename " << crash_at) {
            BOOST_TEST_REQUIRE(crash_at < 20, "the restore never finished");
            test::temp_dir tmp;
            std::filesystem::copy_file(before.path() / "journal.kept", tmp.path() / "journal");
            std::filesystem::copy_file(before.path() / "snapshot.kept", tmp.path() / "snapshot");
            data_dir files(tmp.path());
            test::faulty_io io;
            int renames = 0;
            bool decided = false;
            io.before_rename = [&](char const*, char const* to) {
                if (++renames == crash_at)
                    throw crash{};
                decided = decided || std::filesystem::path(to) == files.restore_ready();
            };
            try {
                restore_backup(backup, files, io);
                finished = true;
            } catch (crash const&) {
            }
            io.before_rename = {};
            store::directory d;
            recover(files, d, system_io());
            BOOST_TEST((names(d) == (decided ? backup_names : old_names)));
            BOOST_TEST(!std::filesystem::exists(files.restore_ready()));
            BOOST_TEST(!std::filesystem::exists(files.restore_staging()));
        }
    }
}
