// The snapshot-and-rotation handshake: a snapshot written on another
// thread, then the journal rewritten to hold only what the snapshot does
// not cover, without stopping commits (committer.hpp tells the steps).
// Whichever name a crash leaves, its file holds every acknowledged record.
#include "persist/local/committer.hpp"

#include "log/log.hpp"
#include "persist/snapshot.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

namespace rosterd::persist {

namespace {

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
    if (snapshot_thread_.joinable())
        snapshot_thread_.join(); // the last one's removal of the old journal, long done
    snapshot_running_ = true;
    auto const seq = durable_seq_;
    auto const offset = journal_bytes_;
    snapshot_ids const ids{new_snapshot_id(), journal_continues_};
    // Relaxed: the walk sees batches written but not yet synced, which a
    // crash would take from the journal; the journal is synced (through a
    // descriptor of the snapshot thread's own) before the snapshot takes
    // its name, so that it never holds part of a batch the journal lost.
    fd_guard journal_copy(settings_.mode == durability::relaxed ? ::dup(journal_.get()) : -1);
    snapshot_thread_ = std::thread([this, seq, offset, ids, journal_copy = std::move(journal_copy)] {
        auto const start = std::chrono::steady_clock::now();
        snapshot_outcome outcome;
        std::function<bool()> sync_journal;
        if (settings_.mode == durability::relaxed)
            sync_journal = [&] { return journal_copy.get() >= 0 && io_.fdatasync(journal_copy.get()) == 0; };
        outcome.ok = write_snapshot(dir_, seq, ids, files_->snapshot(), io_, sync_journal);
        if (!outcome.ok)
            outcome.error = errno;
        outcome.seq = seq;
        outcome.snapshot_id = ids.id;
        outcome.journal_offset = offset;
        outcome.took = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - start);
        fd_guard tail;
        if (outcome.ok) {
            // The journal's new tail, while commits go on: a journal that
            // continues the snapshot, with the records after the snapshot's
            // offset, as far as they are written now.
            auto const tmp = tmp_of(files_->journal());
            fd_guard out(::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600));
            fd_guard in(::open(files_->journal().c_str(), O_RDONLY | O_CLOEXEC));
            auto const begin = journal_begin_record(ids.id);
            outcome.begin_bytes = begin.size();
            outcome.copied_to = published_bytes_.load();
            // Zero-filled a step past the copy, as the journal is, so that
            // mirroring a batch overwrites: its sync commits no metadata
            // (the rename's and the snapshot's own are in flight).
            auto const tail_bytes = outcome.begin_bytes + outcome.copied_to - offset;
            if (out.get() >= 0 && in.get() >= 0 && write_all(io_, out.get(), begin)
                && copy_range(io_, in.get(), out.get(), offset, outcome.copied_to)
                && pwrite_all(io_, out.get(), std::string(settings_.grow_step, '\0'), tail_bytes)
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
        // After the committer was told to switch: it must not go on writing
        // into the old file (and syncing its shrinking size) meanwhile.
        if (installed.retired)
            remove_paced(io_, retired_of(files_->journal()));
    });
}

committer::install_outcome committer::install_tail(int tail)
{
    install_outcome r;
    auto const path = files_->journal();
    auto const tmp = tmp_of(path);
    if (io_.fdatasync(tail) != 0) {
        r.error = errno;
        return r;
    }
    // The old journal, tens of megabytes, is given back in steps (by the
    // thread, once the committer is told to switch before its next batch),
    // as a replaced snapshot is (snapshot.hpp): freed by the rename at once,
    // it held the file system's journal while batches waited for their syncs.
    auto const retired = retired_of(path);
    bool const kept = ::link(path.c_str(), retired.c_str()) == 0;
    if (io_.rename(tmp.c_str(), path.c_str()) != 0) {
        r.error = errno;
        if (kept)
            ::unlink(retired.c_str());
        return r;
    }
    r.renamed = true;
    r.retired = kept;
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
    auto const size = outcome.begin_bytes + journal_bytes_ - outcome.journal_offset;
    fd_guard in(::open(files_->journal().c_str(), O_RDONLY | O_CLOEXEC));
    bool const ok = outcome.tail.get() >= 0 && in.get() >= 0
                    && copy_range(io_, in.get(), outcome.tail.get(), outcome.copied_to, journal_bytes_);
    if (ok) {
        mirror_ = std::move(outcome.tail);
        mirror_bytes_ = size;
        mirror_continues_ = outcome.snapshot_id;
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
    // The thread may still be removing the old journal: joined before the
    // next snapshot starts, or at stop().
    snapshot_running_ = false;
    mirror_ = fd_guard();
    if (!outcome.renamed) {
        ::unlink(tmp_of(files_->journal()).c_str());
        log::warn(std::string("could not shorten the journal after a snapshot (") + std::strerror(outcome.error) +
                  "); it is kept whole");
        return;
    }
    journal_continues_ = mirror_continues_;
    if (!switch_journal(mirror_bytes_))
        return;
    if (!outcome.dir_synced)
        poison(std::string("the new journal's rename could not be made durable: ") + std::strerror(outcome.error));
    else
        log::info("journal now " + std::to_string(journal_bytes_) + " bytes");
}

} // namespace rosterd::persist
