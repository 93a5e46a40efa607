#include "persist/committer.hpp"

#include "log/log.hpp"
#include "persist/codec.hpp"
#include "persist/journal_format.hpp"
#include "persist/snapshot.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <utility>

namespace rosterd::persist {

namespace {

// How often the committer wakes with nothing queued (relaxed syncs, retries).
constexpr std::chrono::milliseconds idle_tick{100};

std::string errno_text() { return std::strerror(errno); }

std::filesystem::path tmp_of(std::filesystem::path const& path) { return path.string() + ".tmp"; }

// Appends bytes [from, to) of the file `in` to `out`.
bool copy_range(file_io& io, int in, int out, std::uint64_t from, std::uint64_t to)
{
    std::string buffer(std::min<std::uint64_t>(to - from, 1 << 20), '\0');
    while (from < to) {
        auto const n = ::pread(in, buffer.data(), std::min<std::uint64_t>(to - from, buffer.size()),
                               static_cast<off_t>(from));
        if (n <= 0 || !write_all(io, out, std::string_view(buffer.data(), static_cast<std::size_t>(n))))
            return false;
        from += static_cast<std::uint64_t>(n);
    }
    return true;
}

} // namespace

committer::committer(store::directory& dir, data_dir const* files, file_io& io, commit_settings settings,
                     recovered const& start)
    : dir_(dir), files_(files), io_(io), settings_(settings), pending_(settings.mode != durability::memory),
      visible_seq_(start.last_seq), journal_bytes_(start.journal_bytes), durable_seq_(start.last_seq)
{
    pending_.next_seq = start.last_seq + 1;
    published_bytes_ = journal_bytes_;
    if (!in_memory() && !open_journal())
        throw std::runtime_error(files_->journal().string() + ": cannot open for writing: " + errno_text());
    // The journal may have just been made: its name must outlive a crash
    // as surely as the records acknowledged into it.
    if (!in_memory() && !sync_directory(io_, files_->root()))
        throw std::runtime_error(files_->root().string() + ": cannot sync the data directory: " + errno_text());
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
    // A journal half installed is replaced whole below.
    mirror_ = fd_guard();
    bool const ok = snapshot_and_fresh_journal();
    if (!ok)
        log::error("could not write the final snapshot; the journal is kept");
    return ok;
}

void committer::submit(work_fn work, done_fn done)
{
    if (in_memory()) {
        {
            auto lock = dir_.write_lock();
            pending_.run(dir_, work);
            pending_.clear();
        }
        done(write_outcome::made);
        return;
    }
    {
        std::lock_guard lock(mutex_);
        queue_.push_back(job{std::move(work), std::move(done)});
    }
    cv_.notify_one();
}

void committer::record(store::change const& c) { pending_.record(dir_, c); }

std::optional<std::uint64_t> committer::begin_capture()
{
    if (in_memory())
        return std::nullopt;
    // Batches are shown, and captured, under the write lock: holding it,
    // every change up to visible_seq_ is in the directory, and every later
    // one will be captured when it is shown.
    auto lock = dir_.write_lock();
    if (capturing_)
        return std::nullopt;
    capturing_ = true;
    capture_.clear();
    return visible_seq_;
}

std::string committer::end_capture()
{
    auto lock = dir_.write_lock();
    capturing_ = false;
    return std::exchange(capture_, {});
}

void committer::run()
{
    std::unique_lock lock(mutex_);
    for (;;) {
        cv_.wait_for(lock, idle_tick,
                     [this] { return !queue_.empty() || stopping_ || snapshot_done_ || install_done_; });
        if (snapshot_done_) {
            lock.unlock();
            finish_snapshot();
            lock.lock();
        }
        if (install_done_) {
            lock.unlock();
            finish_install();
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
            j.done(write_outcome::not_made);
        return;
    }
    std::vector<char> changed(jobs.size(), 0);
    {
        auto lock = dir_.write_lock();
        for (std::size_t i = 0; i < jobs.size(); ++i) {
            auto const before = pending_.size();
            pending_.run(dir_, jobs[i].work);
            changed[i] = pending_.size() != before;
        }
        // Hold the answers, not the lock: readers see the state before the
        // batch while it is written and synced, and never wait for the disk.
        pending_.hide(dir_);
    }
    auto outcome = write_outcome::made;
    if (!pending_.empty()) {
        outcome = write_batch();
        if (outcome == write_outcome::made) {
            auto lock = dir_.write_lock();
            pending_.show(dir_);
            visible_seq_ = durable_seq_;
            if (capturing_)
                capture_.append(pending_.records());
        }
        // A batch that failed is never shown: memory already is the
        // durable state.
    }
    pending_.clear();
    answer_batch(jobs, changed, outcome);
    if (outcome == write_outcome::made)
        maybe_start_snapshot();
}

write_outcome committer::write_batch()
{
    auto const& batch = pending_.records();
    auto const records = pending_.size();
    if (!write_all(io_, journal_.get(), batch)) {
        auto const why = errno_text();
        // Cut whatever part of the batch reached the file, durably, so the
        // journal ends on a whole record again and a crash cannot replay it.
        if (cut_back(journal_.get(), journal_bytes_)) {
            log_failure("journal write failed, " + std::to_string(records) + " change(s) undone: " + why);
            return write_outcome::not_made;
        }
        poison("journal write failed (" + why + ") and could not be cut back: " + errno_text());
        return settle_failed_batch();
    }
    if (settings_.mode == durability::strict) {
        if (io_.fdatasync(journal_.get()) != 0) {
            poison("journal fdatasync failed: " + errno_text());
            // The batch is answered 503: take it off the file too, so that a
            // crash before the journal is replaced cannot replay it.
            return cut_back(journal_.get(), journal_bytes_) ? write_outcome::not_made : settle_failed_batch();
        }
        last_sync_ = std::chrono::steady_clock::now();
    } else {
        unsynced_ = true;
    }
    if (mirror_.get() >= 0
        && (!write_all(io_, mirror_.get(), batch)
            || (settings_.mode == durability::strict && io_.fdatasync(mirror_.get()) != 0))) {
        poison("writing the journal's new file failed: " + errno_text());
        // Take the batch back off both files, as for a failed sync: either
        // may become the journal.
        bool const cut = cut_back(journal_.get(), journal_bytes_);
        return cut_back(mirror_.get(), mirror_bytes_) && cut ? write_outcome::not_made : settle_failed_batch();
    }
    journal_bytes_ += batch.size();
    if (mirror_.get() >= 0)
        mirror_bytes_ += batch.size();
    published_bytes_ = journal_bytes_;
    durable_seq_ = pending_.next_seq - 1;
    syncs_.fetch_add(1);
    records_.fetch_add(records);
    return write_outcome::made;
}

bool committer::cut_back(int fd, std::uint64_t bytes)
{
    return io_.ftruncate(fd, static_cast<off_t>(bytes)) == 0 && io_.fdatasync(fd) == 0;
}

write_outcome committer::settle_failed_batch()
{
    // The batch may still be on disk. A snapshot of memory (which never
    // held it) and a fresh journal take it out of the durable state for
    // certain; until they succeed its outcome is unknown. Not while the
    // snapshot thread runs: it may yet rename its copy of the journal.
    if (!snapshot_running_ && snapshot_and_fresh_journal()) {
        poisoned_ = false;
        log::info("journal replaced by a snapshot and a fresh journal: the failed batch is not in it");
        return write_outcome::not_made;
    }
    return write_outcome::unknown;
}

void committer::periodic()
{
    auto const now = std::chrono::steady_clock::now();
    if (unsynced_ && now - last_sync_ >= settings_.relaxed_sync) {
        unsynced_ = false;
        last_sync_ = now;
        if (io_.fdatasync(journal_.get()) != 0 || (mirror_.get() >= 0 && io_.fdatasync(mirror_.get()) != 0))
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
    auto const last = pending_.next_seq - 1;
    if (!write_snapshot(dir_, last, files_->snapshot(), io_))
        return false;
    durable_seq_ = last;
    return replace_journal({});
}

bool committer::replace_journal(std::string_view contents)
{
    auto const path = files_->journal();
    auto const tmp = tmp_of(path);
    {
        fd_guard fd(::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600));
        if (fd.get() < 0 || !write_all(io_, fd.get(), contents) || io_.fdatasync(fd.get()) != 0
            || io_.rename(tmp.c_str(), path.c_str()) != 0) {
            ::unlink(tmp.c_str());
            return false;
        }
    }
    // Renamed: from here on the journal is the new file, whatever else fails.
    bool const dir_synced = sync_directory(io_, files_->root());
    if (!switch_journal(contents.size()))
        return false;
    unsynced_ = false;
    if (!dir_synced) {
        poison("the new journal's rename could not be made durable: " + errno_text());
        return false;
    }
    return true;
}

bool committer::switch_journal(std::uint64_t bytes)
{
    if (!open_journal()) {
        poison("cannot reopen the journal: " + errno_text());
        return false;
    }
    journal_bytes_ = bytes;
    published_bytes_ = bytes;
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
    // Relaxed: the walk sees batches written but not yet synced, which a
    // crash would take from the journal; the journal is synced (through a
    // descriptor of the snapshot thread's own) before the snapshot takes
    // its name, so that it never holds part of a batch the journal lost.
    fd_guard journal_copy(settings_.mode == durability::relaxed ? ::dup(journal_.get()) : -1);
    snapshot_thread_ = std::thread([this, seq, offset, journal_copy = std::move(journal_copy)] {
        auto const start = std::chrono::steady_clock::now();
        snapshot_outcome outcome;
        std::function<bool()> sync_journal;
        if (settings_.mode == durability::relaxed)
            sync_journal = [&] { return journal_copy.get() >= 0 && io_.fdatasync(journal_copy.get()) == 0; };
        outcome.ok = write_snapshot(dir_, seq, files_->snapshot(), io_, sync_journal);
        if (!outcome.ok)
            outcome.error = errno;
        outcome.seq = seq;
        outcome.journal_offset = offset;
        outcome.took = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - start);
        fd_guard tail;
        if (outcome.ok) {
            // The journal's new tail, while commits go on: the records
            // after the snapshot's offset, as far as they are written now.
            auto const tmp = tmp_of(files_->journal());
            fd_guard out(::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600));
            fd_guard in(::open(files_->journal().c_str(), O_RDONLY | O_CLOEXEC));
            outcome.copied_to = published_bytes_.load();
            if (out.get() >= 0 && in.get() >= 0 && copy_range(io_, in.get(), out.get(), offset, outcome.copied_to)
                && io_.fdatasync(out.get()) == 0) {
                tail = fd_guard(::dup(out.get()));
                outcome.tail = std::move(out);
            }
        }
        {
            std::lock_guard lock(mutex_);
            snapshot_ = std::move(outcome);
            snapshot_done_ = true;
        }
        cv_.notify_all();
        if (tail.get() < 0)
            return;
        // The committer appends the rest and mirrors every batch; then the
        // file can take the journal's place.
        {
            std::unique_lock lock(mutex_);
            cv_.wait(lock, [this] { return mirroring_ || tail_abandoned_ || stopping_; });
            if (!mirroring_)
                return;
        }
        auto const installed = install_tail(tail.get());
        {
            std::lock_guard lock(mutex_);
            install_ = installed;
            install_done_ = true;
        }
        cv_.notify_all();
    });
}

committer::install_outcome committer::install_tail(int tail)
{
    install_outcome r;
    auto const path = files_->journal();
    auto const tmp = tmp_of(path);
    if (io_.fdatasync(tail) != 0 || io_.rename(tmp.c_str(), path.c_str()) != 0) {
        r.error = errno;
        return r;
    }
    r.renamed = true;
    r.dir_synced = sync_directory(io_, files_->root());
    if (!r.dir_synced)
        r.error = errno;
    return r;
}

void committer::finish_snapshot()
{
    snapshot_outcome outcome;
    {
        std::lock_guard lock(mutex_);
        outcome = std::move(snapshot_);
        snapshot_done_ = false;
    }
    if (!outcome.ok) {
        snapshot_thread_.join();
        snapshot_running_ = false;
        next_snapshot_try_ = std::chrono::steady_clock::now() + settings_.poison_retry;
        log::warn(std::string("snapshot failed (") + std::strerror(outcome.error) +
                  "); the journal keeps growing and it will be tried again");
        return;
    }
    log::info("snapshot at sequence " + std::to_string(outcome.seq) + " written in " +
              std::to_string(outcome.took.count()) + " ms");
    // Keep only the records after the snapshot's sequence: the snapshot
    // thread copied most of them; append what was committed since, a few
    // milliseconds' worth, and mirror every batch until the file has taken
    // the journal's place.
    auto const size = journal_bytes_ - outcome.journal_offset;
    fd_guard in(::open(files_->journal().c_str(), O_RDONLY | O_CLOEXEC));
    bool const ok = outcome.tail.get() >= 0 && in.get() >= 0
                    && copy_range(io_, in.get(), outcome.tail.get(), outcome.copied_to, journal_bytes_);
    if (ok) {
        mirror_ = std::move(outcome.tail);
        mirror_bytes_ = size;
    }
    {
        std::lock_guard lock(mutex_);
        (ok ? mirroring_ : tail_abandoned_) = true;
    }
    cv_.notify_all();
    if (!ok) {
        snapshot_thread_.join();
        snapshot_running_ = false;
        {
            std::lock_guard lock(mutex_); // the snapshot thread is gone, but the flag is the mutex's
            tail_abandoned_ = false;
        }
        ::unlink(tmp_of(files_->journal()).c_str());
        log::warn("could not shorten the journal after a snapshot; it is kept whole");
    }
}

void committer::finish_install()
{
    install_outcome outcome;
    {
        std::lock_guard lock(mutex_);
        outcome = install_;
        install_done_ = false;
        mirroring_ = false;
    }
    snapshot_thread_.join();
    snapshot_running_ = false;
    mirror_ = fd_guard();
    if (!outcome.renamed) {
        ::unlink(tmp_of(files_->journal()).c_str());
        log::warn(std::string("could not shorten the journal after a snapshot (") + std::strerror(outcome.error) +
                  "); it is kept whole");
        return;
    }
    if (!switch_journal(mirror_bytes_))
        return;
    if (!outcome.dir_synced)
        poison(std::string("the new journal's rename could not be made durable: ") + std::strerror(outcome.error));
    else
        log::info("journal now " + std::to_string(journal_bytes_) + " bytes");
}

} // namespace rosterd::persist
