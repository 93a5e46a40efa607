#include "persist/committer.hpp"

#include "log/log.hpp"
#include "persist/codec.hpp"
#include "persist/journal_format.hpp"
#include "persist/snapshot.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <utility>

namespace rosterd::persist {

namespace {

// How often the committer wakes with nothing queued (relaxed syncs, retries).
constexpr std::chrono::milliseconds idle_tick{100};

std::string errno_text() { return std::strerror(errno); }

} // namespace

committer::committer(store::directory& dir, data_dir const* files, file_io& io, commit_settings settings,
                     recovered const& start)
    : dir_(dir), files_(files), io_(io), settings_(settings), next_seq_(start.last_seq + 1),
      journal_bytes_(start.journal_bytes), durable_seq_(start.last_seq)
{
    if (!in_memory() && !open_journal())
        throw std::runtime_error(files_->journal().string() + ": cannot open for writing: " + errno_text());
}

committer::~committer() { stop(); }

bool committer::open_journal()
{
    journal_ = fd_guard(::open(files_->journal().c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600));
    return journal_.get() >= 0;
}

void committer::start()
{
    if (!in_memory() && !thread_.joinable())
        thread_ = std::thread([this] { run(); });
}

bool committer::stop()
{
    {
        std::lock_guard lock(mutex_);
        if (stopping_ && !thread_.joinable())
            return true;
        stopping_ = true;
    }
    cv_.notify_all();
    if (thread_.joinable())
        thread_.join();
    if (in_memory())
        return true;
    if (snapshot_thread_.joinable()) {
        snapshot_thread_.join();
        snapshot_running_ = false;
    }
    bool const ok = snapshot_and_fresh_journal();
    if (!ok)
        log::error("could not write the final snapshot; the journal is kept");
    return ok;
}

void committer::submit(work_fn work, done_fn done)
{
    if (in_memory()) {
        bool ok;
        {
            auto lock = dir_.write_lock();
            ok = run_work(work);
            undo_.clear();
        }
        (void)ok;
        done(true);
        return;
    }
    {
        std::lock_guard lock(mutex_);
        queue_.push_back(job{std::move(work), std::move(done)});
    }
    cv_.notify_one();
}

void committer::record(store::change const& c)
{
    undo_.push_back(dir_.undo_of(c));
    if (!in_memory()) {
        std::string payload;
        encoder e(payload);
        e.u64(next_seq_);
        encode_change(e, c);
        append_record(batch_, record_type::change, payload);
        batch_last_seq_ = next_seq_++;
    }
    dir_.apply(c);
}

std::optional<std::uint64_t> committer::begin_capture()
{
    if (in_memory())
        return std::nullopt;
    // Batches are written and synced under the write lock: holding it, no
    // batch is half done, so everything up to next_seq_ - 1 is durable (or
    // was undone) and every later record will reach write_batch().
    auto lock = dir_.write_lock();
    if (capturing_)
        return std::nullopt;
    capturing_ = true;
    capture_.clear();
    return next_seq_ - 1;
}

std::string committer::end_capture()
{
    auto lock = dir_.write_lock();
    capturing_ = false;
    return std::exchange(capture_, {});
}

bool committer::run_work(work_fn const& work)
{
    auto const mark = undo_.size();
    auto const bytes = batch_.size();
    bool const ok = run_guarded(work);
    if (!ok) {
        undo_to(dir_, undo_, mark);
        batch_.resize(bytes);
    }
    return ok;
}

void committer::run()
{
    std::unique_lock lock(mutex_);
    for (;;) {
        cv_.wait_for(lock, idle_tick, [this] { return !queue_.empty() || stopping_ || snapshot_done_; });
        if (snapshot_done_) {
            lock.unlock();
            finish_snapshot();
            lock.lock();
        }
        auto jobs = std::move(queue_);
        queue_.clear();
        if (jobs.empty() && stopping_)
            return;
        lock.unlock();
        // Every turn, not only idle ones: a steady stream of writes must not
        // hold off the relaxed sync or the retry of a poisoned journal.
        periodic();
        if (!jobs.empty())
            process(jobs);
        lock.lock();
    }
}

void committer::process(std::vector<job>& jobs)
{
    if (poisoned_) {
        for (auto& j : jobs)
            j.done(false);
        return;
    }
    std::vector<char> changed(jobs.size(), 0);
    bool durable = true;
    {
        auto lock = dir_.write_lock();
        for (std::size_t i = 0; i < jobs.size(); ++i) {
            auto const before = undo_.size();
            run_work(jobs[i].work);
            changed[i] = undo_.size() != before;
        }
        if (!batch_.empty()) {
            durable = write_batch();
            if (!durable)
                undo_to(dir_, undo_, 0);
        }
        undo_.clear();
        batch_.clear();
    }
    for (std::size_t i = 0; i < jobs.size(); ++i)
        jobs[i].done(durable || !changed[i]);
    if (durable)
        maybe_start_snapshot();
}

bool committer::write_batch()
{
    auto const records = undo_.size();
    if (!write_all(io_, journal_.get(), batch_)) {
        auto const why = errno_text();
        // Cut whatever part of the batch reached the file, so the journal
        // ends on a whole record again.
        if (io_.ftruncate(journal_.get(), static_cast<off_t>(journal_bytes_)) != 0)
            poison("journal write failed (" + why + ") and could not be cut back: " + errno_text());
        else
            log_failure("journal write failed, " + std::to_string(records) + " change(s) undone: " + why);
        return false;
    }
    if (settings_.mode == durability::strict) {
        if (io_.fdatasync(journal_.get()) != 0) {
            poison("journal fdatasync failed: " + errno_text());
            // The batch is answered 503: try to take it off the file too, so
            // that a crash before the journal is replaced cannot replay it.
            if (io_.ftruncate(journal_.get(), static_cast<off_t>(journal_bytes_)) == 0)
                io_.fdatasync(journal_.get());
            return false;
        }
        last_sync_ = std::chrono::steady_clock::now();
    } else {
        unsynced_ = true;
    }
    journal_bytes_ += batch_.size();
    durable_seq_ = batch_last_seq_;
    if (capturing_)
        capture_.append(batch_);
    syncs_.fetch_add(1);
    records_.fetch_add(records);
    return true;
}

void committer::periodic()
{
    auto const now = std::chrono::steady_clock::now();
    if (unsynced_ && now - last_sync_ >= settings_.relaxed_sync) {
        unsynced_ = false;
        last_sync_ = now;
        if (io_.fdatasync(journal_.get()) != 0)
            poison("journal fdatasync failed: " + errno_text());
    }
    if (poisoned_ && !snapshot_running_ && now - last_retry_ >= settings_.poison_retry) {
        last_retry_ = now;
        if (snapshot_and_fresh_journal()) {
            poisoned_ = false;
            log::info("journal recovered: snapshot written and a fresh journal started; writes resume");
        }
    }
}

void committer::log_failure(std::string const& what)
{
    constexpr std::chrono::seconds log_interval{1};
    auto const now = std::chrono::steady_clock::now();
    if (now - last_failure_log_ < log_interval) {
        ++unlogged_failures_;
        return;
    }
    std::string line = what;
    if (unlogged_failures_)
        line += " (" + std::to_string(unlogged_failures_) + " more failures since the last report)";
    log::error(line);
    last_failure_log_ = now;
    unlogged_failures_ = 0;
}

void committer::poison(std::string const& why)
{
    if (!poisoned_.exchange(true))
        log::error(why + "; every write is refused until a snapshot and a fresh journal succeed");
    last_retry_ = std::chrono::steady_clock::now();
}

bool committer::snapshot_and_fresh_journal()
{
    // The newest sequence ever assigned: a poisoned journal may hold records
    // whose sync failed, and the snapshot must cover (skip) them too.
    if (!write_snapshot(dir_, next_seq_ - 1, files_->snapshot(), io_))
        return false;
    durable_seq_ = next_seq_ - 1;
    return replace_journal({});
}

bool committer::replace_journal(std::string_view contents)
{
    auto const path = files_->journal();
    auto const tmp = std::filesystem::path(path.string() + ".tmp");
    bool ok;
    {
        fd_guard fd(::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600));
        ok = fd.get() >= 0 && write_all(io_, fd.get(), contents) && io_.fdatasync(fd.get()) == 0;
    }
    ok = ok && io_.rename(tmp.c_str(), path.c_str()) == 0 && sync_directory(io_, files_->root());
    if (!ok) {
        ::unlink(tmp.c_str());
        return false;
    }
    if (!open_journal()) {
        poison("cannot reopen the journal: " + errno_text());
        return false;
    }
    journal_bytes_ = contents.size();
    unsynced_ = false;
    return true;
}

void committer::maybe_start_snapshot()
{
    if (snapshot_running_ || journal_bytes_ < settings_.snapshot_after
        || std::chrono::steady_clock::now() < next_snapshot_try_)
        return;
    if (settings_.mode == durability::relaxed && unsynced_) {
        // The snapshot's journal offset must point at synced records.
        if (io_.fdatasync(journal_.get()) != 0) {
            poison("journal fdatasync failed: " + errno_text());
            return;
        }
        unsynced_ = false;
    }
    snapshot_running_ = true;
    auto const seq = durable_seq_;
    auto const offset = journal_bytes_;
    snapshot_thread_ = std::thread([this, seq, offset] {
        auto const start = std::chrono::steady_clock::now();
        bool const ok = write_snapshot(dir_, seq, files_->snapshot(), io_);
        auto const took = std::chrono::steady_clock::now() - start;
        {
            std::lock_guard lock(mutex_);
            snapshot_ = snapshot_outcome{ok, seq, offset,
                                         std::chrono::duration_cast<std::chrono::milliseconds>(took)};
            snapshot_done_ = true;
        }
        cv_.notify_all();
    });
}

void committer::finish_snapshot()
{
    snapshot_outcome outcome;
    {
        std::lock_guard lock(mutex_);
        outcome = snapshot_;
        snapshot_done_ = false;
    }
    snapshot_thread_.join();
    snapshot_running_ = false;
    if (!outcome.ok) {
        next_snapshot_try_ = std::chrono::steady_clock::now() + settings_.poison_retry;
        log::warn("snapshot failed; the journal keeps growing and it will be tried again");
        return;
    }
    // Keep only the records after the snapshot's sequence.
    std::string tail;
    auto const size = journal_bytes_ - outcome.journal_offset;
    tail.resize(size);
    fd_guard in(::open(files_->journal().c_str(), O_RDONLY | O_CLOEXEC));
    bool ok = in.get() >= 0;
    for (std::size_t got = 0; ok && got < size;) {
        auto const n = ::pread(in.get(), tail.data() + got, size - got, static_cast<off_t>(outcome.journal_offset + got));
        ok = n > 0;
        got += ok ? static_cast<std::size_t>(n) : 0;
    }
    if (!ok || !replace_journal(tail))
        log::warn("could not shorten the journal after a snapshot; it is kept whole");
    else
        log::info("snapshot at sequence " + std::to_string(outcome.seq) + " written in " +
                  std::to_string(outcome.took.count()) + " ms; journal now " + std::to_string(size) + " bytes");
}

} // namespace rosterd::persist
