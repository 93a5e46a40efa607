#pragma once
// The store several nodes share (--store postgresql://...): every node holds
// the whole directory in memory, writes through PostgreSQL and follows the
// shared change log (shared_log.hpp).
//
// Writing (the committer thread): queued work runs under the write lock at
// the applied sequence S; its changes and the after-images of every record
// touched are collected, then undone, and the lock released, so that reads
// go on while PostgreSQL commits. rosterd_append(S, ...) then either
// commits - and the changes are applied again and the callers told - or
// finds the log moved on (another node wrote): the node catches up and
// runs the same work again, which re-validates it; after two such races it
// takes the head row's lock once the work has run (never while the work
// waits for the directory's lock), catches up and runs the work again if
// it had fallen behind, and appends, so that the others wait for it rather
// than it for ever; a race still lost at the
// commit timeout is answered "not made" (the batch is not in the log). A
// connection lost during the commit leaves its outcome unknown: the node
// reconnects, ends the old session (that very session: pid and start time,
// so never another server's after a failover) and looks for the batch in
// the log before answering.
//
// Following (the tailer thread): LISTEN, then read the log from the applied
// sequence on, waking on a notification or every poll interval and never
// trusting the notification's payload. A batch is applied whole under the
// write lock. A log with a new id, one shorter than what was applied, one
// whose batch at the applied sequence is another, or one trimmed past it
// means the node's memory cannot be continued: it loads the directory anew
// off to the side and swaps it in, refusing writes until it has (they would
// be built on the history the log no longer has).
//
// Fail closed: a write not confirmed within commit_timeout is answered 503
// (and, until PostgreSQL answers again, further writes at once); reads and
// token checks go on from memory until the node has not known itself
// current for max_staleness, then authenticated requests get 503.
//
// Two files: postgres_backend.cpp (the write path) and
// postgres_backend_follow.cpp (following, reloading, trimming, sharing the
// tokens' last uses, status).

#include "persist/backend.hpp"
#include "persist/pg/connection.hpp"
#include "persist/pg/shared_log.hpp"
#include "store/directory.hpp"

#include <atomic>
#include <condition_variable>
#include <mutex>
#include <thread>
#include <unordered_map>

namespace rosterd::persist::pg {

struct settings {
    std::string uri;
    std::chrono::milliseconds commit_timeout{2000};
    std::chrono::milliseconds max_staleness{30000}; // 0: serve on, however stale
    std::uint64_t keep_changes = 100000;
    std::chrono::seconds keep_age{86400};
    std::chrono::seconds trim_interval{3600};
    std::chrono::milliseconds poll_interval{1000};
    // How often a node sends its tokens' last uses and takes the others'.
    std::chrono::seconds token_use_interval{30};
    // How long a start waits for PostgreSQL, and a reload may take.
    std::chrono::seconds load_timeout{600};
};

class postgres_backend final : public backend {
public:
    // Connects, creates or checks the schema, and loads the store into the
    // empty `dir`. Throws std::runtime_error (pg::error) if it cannot.
    postgres_backend(store::directory& dir, settings s);
    ~postgres_backend() override;

    void start() override;
    bool stop() override;
    void submit(work_fn work, done_fn done) override;
    void record(store::change c) override;

    backend_status status() const override;
    std::optional<std::string> refuse_reads() const override;
    std::string_view write_failure(write_outcome o) const override
    {
        if (o == write_outcome::unknown)
            return "PostgreSQL's answer to the commit was lost and could not be learned in time: the change may "
                   "or may not have been made; retry with the same Idempotency-Key, or read it back first";
        return "PostgreSQL did not take the change; nothing was changed";
    }

private:
    static constexpr std::chrono::seconds connect_timeout{5};
    // How long a start keeps trying to connect.
    static constexpr std::chrono::seconds start_connect_patience{30};
    static std::chrono::milliseconds millis(clock::duration d)
    {
        return std::chrono::duration_cast<std::chrono::milliseconds>(d);
    }

    struct job {
        work_fn work;
        done_fn done;
    };
    enum class follow_outcome { current, behind, gap, reload };

    void write_loop();
    void process(std::vector<job>& jobs);
    bool writer_ready(deadline until);
    // Appends `w` (and commits the transaction lock_head() began, if
    // `locked`), settling a lost answer from the log.
    // unknown: the answer was lost and the log could not be read in time.
    enum class append_outcome { committed, conflict, failed, unknown };
    append_outcome try_append(batch_write const& w, deadline until, bool locked);
    // Begins a transaction holding the head row, and catches up under it.
    void lock_head(deadline until);
    // Adds the jobs queued since `jobs` were taken to them.
    void take_queued(std::vector<job>& jobs, std::vector<char>& changed);
    void rollback_quietly();

    void tail_loop();
    // Reads the log from the applied sequence and applies what follows on;
    // with `hold_head`, the first read also begins a transaction holding
    // the head row (lock_and_fetch()).
    follow_outcome follow(connection& c, deadline until, bool hold_head = false);
    // Loads the directory anew and swaps it in; writes are refused from the
    // start of it (or from when reload_needed_ was set) to its end.
    void reload(connection& c);
    void wake_tailer();
    // Sends the tokens' last uses newer than those sent before, and takes
    // the other nodes' (all of them after a load).
    void share_token_uses(connection& c, deadline until);
    void note_failure(std::string const& what);

    store::directory& dir_;
    settings const settings_;
    connection writer_;
    connection tail_;

    // Guarded by the directory's write lock.
    position applied_;
    // Also the committer thread's own between hide() and show().
    pending_batch pending_;

    // Only the committer thread.
    clock::time_point writer_retry_at_{};
    // Until when batches take the head row before they run: another node
    // was writing at the same time of late.
    clock::time_point contended_until_{};

    std::mutex mutex_; // guards queue_, stopping_
    std::condition_variable cv_;
    std::vector<job> queue_;
    bool stopping_ = false;
    int wake_fd_ = -1; // an eventfd that wakes the tailer
    std::thread writer_thread_;
    std::thread tail_thread_;

    // Only the tailer thread: the last use sent (or taken) of each token.
    std::unordered_map<store::record_id, store::unix_time> shared_uses_;
    bool take_all_uses_ = true;

    // For status(): written by the threads, read anywhere.
    std::atomic<std::uint64_t> applied_seq_{0};
    std::atomic<std::uint64_t> head_seq_{0};
    std::atomic<clock::rep> fresh_at_{0};  // when the node last knew itself current
    std::atomic<bool> following_{false};   // the tailer is connected and not reloading
    std::atomic<bool> reload_needed_{false}; // set: writes refused until the tailer reloads
    std::atomic<std::uint64_t> reloads_{0}; // since start
    std::atomic<std::uint64_t> lost_races_{0};
    std::atomic<std::uint64_t> locked_batches_{0};
    std::mutex log_mutex_;
    clock::time_point last_failure_log_{};
};

} // namespace rosterd::persist::pg
