// The journal grown ahead and overwritten (persist/local/committer.hpp), crashed
// at every turn: a process killed while the journal grows, a record torn
// inside the grown region, and a power cut that lands any subset of an
// unsynced write's pages, with or without the file's new size. Every time,
// recovery finds each acknowledged change and nothing that was not asked
// for: the state before the write in flight, or after it.
#define BOOST_TEST_MODULE journal_crash
#include <boost/test/unit_test.hpp>

#include "persist/local/committer.hpp"
#include "persist/journal_reader.hpp"
#include "../support/faulty_io.hpp"
#include "../support/journal_end.hpp"

#include <fstream>
#include <map>
#include <mutex>
#include <optional>

#include <sys/stat.h>

using namespace rosterd;
using namespace rosterd::persist;

namespace {

using model = std::map<store::record_id, std::string>; // user id -> firstName

// What recovery makes of a journal holding `bytes`.
model recovered_from(std::string const& bytes)
{
    test::temp_dir dir;
    std::ofstream(dir.path() / "journal", std::ios::binary) << bytes;
    data_dir files(dir.path());
    store::directory d;
    recover(files, d, system_io());
    model m;
    for (auto const& u : d.users())
        m[u.id] = u.first_name();
    return m;
}

struct writer {
    test::temp_dir tmp;
    data_dir files{tmp.path()};
    store::directory dir;
    test::faulty_io io;
    std::unique_ptr<committer> log;

    std::mutex m; // guards what follows: read by the hooks on the committer thread
    model acknowledged;
    std::optional<std::pair<store::record_id, std::string>> in_flight;
    std::vector<std::string> wrong; // what a hook found, reported by the test's thread
    int images = 0;

    explicit writer(std::uint64_t grow_step)
    {
        commit_settings settings;
        settings.grow_step = grow_step;
        settings.snapshot_after = std::uint64_t(1) << 40; // the journal alone holds everything
        log = std::make_unique<committer>(dir, &files, io, settings, recovered{});
        log->start();
    }
    ~writer() { stop(); }

    // Ends the committer's thread, which calls the hooks (a fill runs after
    // a write is answered), then the hooks.
    void stop()
    {
        log->stop();
        io.before_sync = {};
        io.before_fill = {};
    }

    // Puts user `id` with a first name of `size` bytes: whether acknowledged.
    bool put(store::record_id id, std::size_t size)
    {
        auto name = std::to_string(id) + ":" + std::string(size, static_cast<char>('a' + id % 26));
        {
            std::lock_guard lock(m);
            in_flight.emplace(id, name);
        }
        bool const made = log->run_sync([&] {
            store::user u;
            u.id = id;
            u.set_first_name(name);
            log->record(store::put_user{u});
            return true;
        }) == write_outcome::made;
        std::lock_guard lock(m);
        if (made)
            acknowledged[id] = name;
        in_flight.reset();
        return made;
    }

    // Checks what recovery makes of a crash image (from a hook: `m` held).
    void check(std::string const& image, std::string const& what)
    {
        ++images;
        try {
            auto const got = recovered_from(image);
            auto with = acknowledged;
            if (in_flight)
                with[in_flight->first] = in_flight->second;
            if (got != acknowledged && got != with)
                wrong.push_back(what + ": recovered " + std::to_string(got.size()) + " users, not the acknowledged " +
                                std::to_string(acknowledged.size()) + " (or with the one in flight)");
        } catch (std::exception const& e) {
            wrong.push_back(what + ": recovery refused: " + e.what());
        }
    }

    void report()
    {
        std::lock_guard lock(m);
        for (auto const& w : wrong)
            BOOST_ERROR(w);
    }
};

bool is_journal(int fd, data_dir const& files)
{
    struct stat a{}, b{};
    return ::fstat(fd, &a) == 0 && ::stat(files.journal().c_str(), &b) == 0 && a.st_ino == b.st_ino;
}

// Names from 2,500 to 6,500 bytes: records that straddle pages.
std::size_t name_size(int i) { return 2500 + static_cast<std::size_t>(i * 1237 % 4000); }

} // namespace

// Power cut: of what was written since the last sync, the disk kept any
// subset of pages, and the file's new size or not (ext4 writes data pages
// back in any order, and the size with its metadata).
BOOST_AUTO_TEST_CASE(a_power_cut_keeps_any_pages_of_the_unsynced_write_and_recovery_still_holds)
{
    writer w(3 * page_size); // grown every few writes; some writes run past the zeros
    std::string durable = read_whole_file(w.files.journal());
    bool grown = false; // a sync found zeros past the records
    w.io.before_sync = [&](int fd) {
        if (!is_journal(fd, w.files))
            return;
        auto const now = read_whole_file(w.files.journal());
        auto padded = durable;
        padded.resize(std::max(durable.size(), now.size()), '\0');
        std::vector<std::size_t> changed; // pages the sync would write
        for (std::size_t p = 0; p * page_size < now.size(); ++p)
            if (padded.compare(p * page_size, page_size, now, p * page_size, page_size) != 0)
                changed.push_back(p);
        std::lock_guard lock(w.m);
        grown = grown || now.size() > test::journal_end(w.files.journal());
        if (changed.size() > 8) {
            w.wrong.push_back("a write of " + std::to_string(changed.size()) + " pages: more than the test tries");
            return;
        }
        for (auto const size : {durable.size(), now.size()}) {
            for (unsigned kept = 0; kept < (1u << changed.size()); ++kept) {
                auto image = padded.substr(0, size);
                for (std::size_t i = 0; i < changed.size(); ++i) {
                    auto const at = changed[i] * page_size;
                    if ((kept >> i & 1) && at < size)
                        image.replace(at, std::min<std::size_t>(page_size, size - at), now, at, page_size);
                }
                w.check(image, "size " + std::to_string(size) + ", pages kept " + std::to_string(kept) + " of " +
                                   std::to_string(changed.size()));
            }
        }
        durable = now; // the sync goes through
    };
    for (int i = 0; i < 60; ++i)
        BOOST_TEST_REQUIRE(w.put(static_cast<store::record_id>(i % 7 + 1), name_size(i)));
    w.stop();
    w.report();
    BOOST_TEST(w.images > 500);
    BOOST_TEST(grown, "the journal is grown ahead");
}

// kill -9 while the journal grows: what the process wrote is in the page
// cache, whole or in part, before, during and after the zeros.
BOOST_AUTO_TEST_CASE(a_kill_while_the_journal_grows_loses_nothing_acknowledged)
{
    writer w(page_size);
    w.io.before_fill = [&](int, std::size_t zeros) {
        auto const now = read_whole_file(w.files.journal());
        std::lock_guard lock(w.m);
        w.check(now, "before the fill");
        w.check(now + std::string(zeros / 2, '\0'), "half filled");
        w.check(now + std::string(zeros, '\0'), "filled");
    };
    for (int i = 0; i < 30; ++i)
        BOOST_TEST_REQUIRE(w.put(static_cast<store::record_id>(i % 5 + 1), name_size(i)));
    w.stop();
    w.report();
    BOOST_TEST(w.io.fills > 10);
    BOOST_TEST(w.images == 3 * w.io.fills);
}

// A fill that fails costs nothing but the zeros: the next write extends the
// file, and every acknowledged write is recovered.
BOOST_AUTO_TEST_CASE(a_failed_fill_fails_no_write)
{
    writer w(page_size);
    w.io.fail_fill = 2;
    for (int i = 0; i < 12; ++i)
        BOOST_TEST_REQUIRE(w.put(static_cast<store::record_id>(i + 1), name_size(i)));
    BOOST_TEST(!w.log->poisoned());
    BOOST_TEST(w.io.fills > 2);
    BOOST_TEST((recovered_from(read_whole_file(w.files.journal())) == w.acknowledged));
}

// A record torn inside the grown region (its header written, a page of its
// payload not): cut at restart, and the next write lands where the torn
// one began.
BOOST_AUTO_TEST_CASE(a_record_torn_inside_the_grown_region_is_cut_and_written_over)
{
    test::temp_dir crashed;
    std::uint64_t torn_at = 0;
    model before_torn;
    {
        writer w(16 * page_size);
        for (int i = 0; i < 3; ++i)
            BOOST_TEST_REQUIRE(w.put(static_cast<store::record_id>(i + 1), 3000));
        torn_at = test::journal_end(w.files.journal());
        before_torn = w.acknowledged;
        BOOST_TEST_REQUIRE(w.put(4, 9000));
        auto image = read_whole_file(w.files.journal());
        BOOST_TEST_REQUIRE(image.size() > test::journal_end(w.files.journal()) + page_size);
        // Zeros from the first page boundary past the torn record's header.
        auto const from = (torn_at + header_size) / page_size * page_size + page_size;
        std::fill(image.begin() + static_cast<std::ptrdiff_t>(from),
                  image.begin() + static_cast<std::ptrdiff_t>(from + page_size), '\0');
        std::ofstream(crashed.path() / "journal", std::ios::binary) << image;
    }
    data_dir files(crashed.path());
    store::directory d;
    auto const r = recover(files, d, system_io());
    BOOST_TEST(r.journal_bytes == torn_at);
    BOOST_TEST(r.torn_bytes > 0u);
    BOOST_TEST(d.users().size() == before_torn.size());
    {
        committer log(d, &files, system_io(), {}, r);
        log.start();
        BOOST_TEST_REQUIRE((log.run_sync([&] {
            store::user u;
            u.id = 9;
            log.record(store::put_user{u});
            return true;
        }) == write_outcome::made));
        // No stop(): the journal as a crash leaves it.
        auto const after = recovered_from(read_whole_file(files.journal()));
        BOOST_TEST(after.size() == before_torn.size() + 1);
        BOOST_TEST(after.count(9) == 1u);
        BOOST_TEST(after.count(4) == 0u);
    }
}
