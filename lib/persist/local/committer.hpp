#pragma once
// The one path by which the directory changes, and the journal's group
// commit (Redis's fsync policies, leveldb's log):
//
//   strict   a change is answered only once its record is fdatasync'ed; the
//            committer takes every queued write, runs them in order under the
//            directory's write lock, then does one pwrite() and one fdatasync
//            for the whole batch (many concurrent writes share one sync).
//   relaxed  as strict, but answered after write(); fdatasync at most once a
//            second, so a crash loses at most about a second of writes.
//   memory   no files: work runs at once on the caller's thread.
//
// Answers are held, not the lock (PostgreSQL's commit, Redis's appendfsync
// always): a batch's work runs under the write lock, then the batch is
// taken back out of memory (pending_batch::hide) and the lock released
// while its records are written and synced; once they are durable the
// batch is applied again and its writers are answered. So nobody - no
// reader, no snapshot, no backup - ever sees a change that is not durable,
// no reader waits for the disk, and a read never has to be held back. A
// failed write() or fdatasync leaves memory as it is, the durable state:
// the batch is never shown. It is cut back off the file (truncate and
// sync); if that succeeds its writers are told not made, else a snapshot
// and a fresh journal are written at once, and only if that fails too are
// they told the outcome is unknown (the API answers 503 either way, saying
// which). Writers later in the batch than a failed change share its
// outcome: they saw it. A failed fdatasync also poisons the journal: every
// write is refused until a snapshot and a fresh journal succeed (retried
// every few seconds).
//
// The journal is grown ahead in zeroed steps and each batch overwritten
// into it with pwrite at its logical end (PostgreSQL's zero-filled WAL
// segments): the file's size changes once a step, not once a batch, so
// fdatasync has no metadata to commit (docs/performance.md measures the
// difference). Recovery takes the zeros after the last record as the end;
// `snapshot_after`, rotation and backup count the logical end.
//
// When the journal grows past `snapshot_after` bytes a snapshot is written
// on another thread (fuzzy: see snapshot.hpp), after which the journal is
// rewritten to hold only the records the snapshot does not cover, without
// stopping commits: the snapshot thread copies the journal's tail to
// journal.tmp and syncs it; the committer appends what it wrote since
// (milliseconds' worth) and from then on writes, and syncs, every batch to
// both files; the snapshot thread syncs journal.tmp, renames it to journal
// and syncs the directory; the committer then appends to the new file
// alone, while the snapshot thread takes the old one apart (remove_paced).
// Whichever name a crash leaves, its file holds every acknowledged record.
//
// Three files, one idea each: committer.cpp (group commit),
// committer_sync.cpp (writing, syncing, failing and poisoning),
// committer_rotation.cpp (the snapshot and the journal's rotation).
//
// Thread safety: submit(), async_run(), run_sync() from any thread; record()
// only from inside work. stop() once, after the last submit.

#include "persist/backend.hpp"
#include "persist/data_dir.hpp"
#include "persist/file_io.hpp"
#include "persist/local/recovery.hpp"
#include "store/directory.hpp"

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

namespace rosterd::persist {

enum class durability { strict, relaxed, memory };
inline std::string_view to_string(durability d)
{
    return d == durability::strict ? "strict" : d == durability::relaxed ? "relaxed" : "memory";
}

struct commit_settings {
    durability mode = durability::strict;
    std::uint64_t snapshot_after = 64ull * 1024 * 1024; // journal bytes
    std::chrono::milliseconds relaxed_sync{1000};
    std::chrono::milliseconds poison_retry{5000};
    // How far ahead the journal is zero-filled: the step it grows by.
    std::uint64_t grow_step = 256 * 1024;
};

// The local store (--store local): see backend.hpp for the contract.
class committer final : public backend {
public:
    // `files` may be null in memory mode. `start` is what recovery found.
    committer(store::directory& dir, data_dir const* files, file_io& io, commit_settings settings,
              recovered const& start);
    ~committer() override;
    committer(committer const&) = delete;
    committer& operator=(committer const&) = delete;

    void start() override;
    // Finishes queued work, then writes a final snapshot and starts a fresh
    // journal. False if that could not be done (the journal still holds
    // every acknowledged change unless it was poisoned).
    bool stop() override;

    void submit(work_fn work, done_fn done) override;

    // From inside work: applies `c` to the directory and journals it.
    void record(store::change c) override;

    // Online backup (Redis's rewrite buffer): from begin_capture() on, the
    // records of every durable batch are also kept, until end_capture()
    // hands them over. begin_capture() returns the sequence the directory
    // is durable up to at that moment (a fuzzy snapshot taken after it,
    // plus the captured records, is the directory at end_capture()); nullopt
    // in memory mode, or while another capture runs. Both take the
    // directory's write lock briefly; neither may be called from work.
    std::optional<std::uint64_t> begin_capture() override;
    std::string end_capture() override;

    bool in_memory() const override { return settings_.mode == durability::memory; }
    bool poisoned() const { return poisoned_.load(); }
    backend_status status() const override
    {
        backend_status s;
        s.writable = !poisoned();
        return s;
    }
    // Batches written and records in them, for the records-per-sync figure.
    std::uint64_t syncs() const { return syncs_.load(); }
    std::uint64_t records_written() const { return records_.load(); }

private:
    struct job {
        work_fn work;
        done_fn done;
    };
    struct snapshot_outcome {
        bool ok = false;
        int error = 0; // the snapshot thread's errno when !ok
        std::uint64_t seq = 0;
        std::uint64_t journal_offset = 0;
        std::chrono::milliseconds took{0};
        std::uint64_t snapshot_id = 0;
        // journal.tmp: a begin record continuing the snapshot (begin_bytes
        // long), then the journal's bytes [journal_offset, copied_to),
        // synced; closed if it could not be made.
        fd_guard tail;
        std::uint64_t begin_bytes = 0;
        std::uint64_t copied_to = 0;
    };
    struct install_outcome {
        bool renamed = false;    // journal.tmp is now the journal
        bool dir_synced = false; // and that is durable
        bool retired = false;    // the old journal waits under retired_of() for remove_paced()
        int error = 0;           // the snapshot thread's errno when either failed
    };

    void run();
    void process(std::vector<job>& jobs);
    write_outcome write_batch();
    // Truncates `fd` to `bytes` and syncs it: whether both succeeded.
    bool cut_back(int fd, std::uint64_t bytes);
    // The outcome of a batch that failed and could not be cut back for
    // certain (see write_batch).
    write_outcome settle_failed_batch();
    void periodic();
    void poison(std::string const& why);
    void log_failure(std::string const& what);
    bool snapshot_and_fresh_journal();
    // Replaces the journal with one that continues the snapshot `snapshot_id`
    // (or an empty start so named) and holds nothing else.
    bool replace_journal(std::uint64_t snapshot_id, bool empty_start = false);
    // Writes to the file now named journal, whose records end at `bytes`,
    // from now on.
    bool switch_journal(std::uint64_t bytes);
    // Zero-fills the journal a step past its logical end once less than
    // half a step is left.
    void grow_journal();
    bool open_journal();
    void maybe_start_snapshot();
    void finish_snapshot();
    void finish_install();
    // The snapshot thread's second half: journal.tmp (`tail`, mirrored by
    // the committer) synced and renamed into place.
    install_outcome install_tail(int tail);

    store::directory& dir_;
    data_dir const* files_;
    file_io& io_;
    commit_settings const settings_;

    // Guarded by the directory's write lock; pending_ is also the
    // committer thread's own between hide() and show().
    pending_batch pending_;
    std::uint64_t visible_seq_; // the newest change in the directory
    bool capturing_ = false;
    std::string capture_;

    // Only the committer thread (or stop(), after it ended).
    fd_guard journal_;
    // The snapshot the journal continues (snapshot.hpp): the predecessor of
    // the next snapshot.
    std::uint64_t journal_continues_;
    std::uint64_t journal_bytes_;     // where its records end: the logical end
    std::uint64_t journal_allocated_ = 0; // the file's size: zeros past the logical end
    std::uint64_t durable_seq_;
    bool unsynced_ = false;
    std::chrono::steady_clock::time_point last_sync_ = std::chrono::steady_clock::now();
    std::chrono::steady_clock::time_point last_retry_ = std::chrono::steady_clock::now();
    std::thread snapshot_thread_;
    bool snapshot_running_ = false;
    std::chrono::steady_clock::time_point next_snapshot_try_{};
    // A failing disk fails every batch: say so at most once a second.
    std::chrono::steady_clock::time_point last_failure_log_{};
    std::uint64_t unlogged_failures_ = 0;

    // While journal.tmp is being installed: every batch goes there too.
    fd_guard mirror_;
    std::uint64_t mirror_bytes_ = 0;
    std::uint64_t mirror_continues_ = 0; // the snapshot its begin record names

    std::mutex mutex_; // guards what follows, up to thread_
    std::condition_variable cv_;
    std::vector<job> queue_;
    bool stopping_ = false;
    bool snapshot_done_ = false;
    bool mirroring_ = false;  // the committer mirrors: the tail may be renamed
    bool tail_abandoned_ = false;
    bool install_done_ = false;
    install_outcome install_;
    snapshot_outcome snapshot_;

    std::thread thread_;
    std::atomic<bool> poisoned_{false};
    // journal_bytes_, for the snapshot thread: the journal is whole up to here.
    std::atomic<std::uint64_t> published_bytes_{0};
    std::atomic<std::uint64_t> syncs_{0};
    std::atomic<std::uint64_t> records_{0};
};

} // namespace rosterd::persist
