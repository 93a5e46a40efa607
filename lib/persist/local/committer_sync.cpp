// The committer's sync policy and failures: writing a batch (and syncing
// it, strict), the relaxed sync, cutting a failed batch back off the file,
// poisoning the journal and replacing it with a snapshot and a fresh one.
#include "persist/local/committer.hpp"

#include "log/log.hpp"
#include "persist/snapshot.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>

namespace rosterd::persist {

write_outcome committer::write_batch()
{
    auto const& batch = pending_.records();
    auto const records = pending_.size();
    if (!pwrite_all(io_, journal_.get(), batch, journal_bytes_)) {
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
    if (fd == journal_.get())
        journal_allocated_ = bytes; // grown again by the next batch
    return io_.ftruncate(fd, static_cast<off_t>(bytes)) == 0 && io_.fdatasync(fd) == 0;
}

void committer::grow_journal()
{
    journal_allocated_ = std::max(journal_allocated_, journal_bytes_); // a batch may have run past it
    if (journal_allocated_ - journal_bytes_ >= settings_.grow_step / 2)
        return;
    // Not synced here: the next batch's fdatasync takes the zeros with it.
    // A fill that fails costs nothing but speed: a batch past the zeros
    // extends the file, as an append would.
    std::string const zeros(journal_bytes_ + settings_.grow_step - journal_allocated_, '\0');
    if (pwrite_all(io_, journal_.get(), zeros, journal_allocated_))
        journal_allocated_ += zeros.size();
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
    auto const id = new_snapshot_id();
    if (!write_snapshot(dir_, last, {id, journal_continues_}, files_->snapshot(), io_))
        return false;
    durable_seq_ = last;
    return replace_journal(id);
}

bool committer::replace_journal(std::uint64_t snapshot_id, bool empty_start)
{
    auto const path = files_->journal();
    auto const tmp = tmp_of(path);
    auto const contents = journal_begin_record(snapshot_id, empty_start);
    {
        fd_guard fd(::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600));
        if (fd.get() < 0 || !write_all(io_, fd.get(), contents) || io_.fdatasync(fd.get()) != 0
            || io_.rename(tmp.c_str(), path.c_str()) != 0) {
            ::unlink(tmp.c_str());
            return false;
        }
    }
    // Renamed: from here on the journal is the new file, whatever else fails.
    journal_continues_ = snapshot_id;
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

bool committer::open_journal()
{
    journal_ = fd_guard(::open(files_->journal().c_str(), O_WRONLY | O_CREAT | O_CLOEXEC, 0600));
    struct stat st{};
    if (journal_.get() < 0 || ::fstat(journal_.get(), &st) != 0)
        return false;
    journal_allocated_ = static_cast<std::uint64_t>(st.st_size);
    return true;
}

} // namespace rosterd::persist
