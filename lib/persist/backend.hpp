#pragma once
// Where the directory's changes go: the one interface the handlers write
// through, whichever store the operator chose at start.
//
//   committer         (--store local) the data directory: journal, snapshots
//   postgres_backend  (--store postgresql://...) a change log in PostgreSQL
//                     that several nodes share (pg/postgres_backend.hpp)
//
// A write is work: a function run with the directory's write lock held that
// changes the directory only through record(). Its caller is told once the
// change is durable in the store (made), that it was not made (nothing
// changed), or that the store's answer was lost and could not be learned
// (unknown: it may have been made); until then no reader sees it. Work that
// changes nothing, or fails, is undone and told made (its own answer
// stands).
//
// Thread safety: submit(), async_run(), run_sync() and the status functions
// from any thread; record() only from inside work.

#include "store/audit.hpp"
#include "store/change.hpp"
#include "store/directory.hpp"

#include <boost/asio/associated_executor.hpp>
#include <boost/asio/async_result.hpp>
#include <boost/asio/execution/outstanding_work.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/prefer.hpp>

#include <chrono>
#include <cstdint>
#include <functional>
#include <future>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace rosterd::persist {

// What /healthz and /metrics say about the store.
struct backend_status {
    std::string_view store = "local";
    // False while the node may be behind the shared log (the store is
    // unreachable, or the node is reloading).
    bool current = true;
    // Authenticated requests are refused (503) until the node is current.
    bool refusing = false;
    // False while writes are refused: a local journal that failed to
    // sync, until a snapshot and a fresh journal succeed.
    bool writable = true;
    std::uint64_t applied_seq = 0;  // the last change in memory
    std::uint64_t head_seq = 0;     // the store's last change, as last seen
    // Since the node last knew it was current; nullopt for a local store.
    std::optional<std::chrono::milliseconds> staleness;
    std::uint64_t reloads = 0; // whole reloads from the store since start
    // Batches that found another node had written first and ran again, and
    // batches that took the log's head first (other nodes were writing).
    std::uint64_t lost_races = 0;
    std::uint64_t locked_batches = 0;
};

// What became of a write: an answer states only what is true.
enum class write_outcome { made, not_made, unknown };

class backend {
public:
    using work_fn = std::function<bool()>;
    using done_fn = std::function<void(write_outcome)>;

    virtual ~backend() = default;

    virtual void start() = 0;
    // Finishes queued work and flushes; false if that failed (nothing
    // acknowledged is lost either way).
    virtual bool stop() = 0;

    virtual void submit(work_fn work, done_fn done) = 0;
    // From inside work: applies `c` to the directory and records it.
    // By value: a change passed as an rvalue is moved into the directory.
    virtual void record(store::change c) = 0;
    // record(c), with the audit event saying that `who` made it before it
    // (store/audit.hpp), if it is a change worth one. `dir` is the
    // directory the work runs on.
    void record_audited(store::directory const& dir, store::change c, store::actor const& who,
                        store::unix_time at);

    // Work runs at once on the caller's thread, and nothing is kept.
    virtual bool in_memory() const { return false; }
    // Online backup (see committer.hpp); nullopt where the store does not
    // take one this way.
    virtual std::optional<std::uint64_t> begin_capture() { return std::nullopt; }
    virtual std::string end_capture() { return {}; }

    virtual backend_status status() const { return {}; }
    // Why authenticated requests cannot be answered from memory now (the
    // 503's detail), or nullopt.
    virtual std::optional<std::string> refuse_reads() const { return std::nullopt; }
    // The 503's detail for a write that was not made durable, or whose
    // outcome is unknown.
    virtual std::string_view write_failure(write_outcome o) const
    {
        if (o == write_outcome::unknown)
            return "the store's answer was lost: the change may or may not have been made; retry with the same "
                   "Idempotency-Key, or read it back first";
        return "the change could not be written to disk; nothing was changed";
    }

    // Runs the work and waits for its outcome.
    write_outcome run_sync(work_fn work)
    {
        std::promise<write_outcome> result;
        auto future = result.get_future();
        submit(std::move(work), [&result](write_outcome o) { result.set_value(o); });
        return future.get();
    }

    // Completes with the write_outcome on the handler's associated executor.
    template <class Token>
    auto async_run(work_fn work, Token&& token)
    {
        return boost::asio::async_initiate<Token, void(write_outcome)>(
            [this](auto handler, work_fn w) {
                namespace asio = boost::asio;
                // Keeps the handler's io_context running until the answer comes.
                auto ex = asio::prefer(asio::get_associated_executor(handler),
                                       asio::execution::outstanding_work.tracked);
                auto h = std::make_shared<decltype(handler)>(std::move(handler));
                submit(std::move(w), [ex, h](write_outcome o) {
                    asio::post(ex, [h, o] { std::move(*h)(o); });
                });
            },
            token, std::move(work));
    }
};

// Tells each job of a batch its outcome: `batch` from the first job that
// changed something on (a later job saw those changes, so its answer
// stands or falls with them), made before it (those saw only the durable
// state).
template <class Jobs>
void answer_batch(Jobs& jobs, std::vector<char> const& changed, write_outcome batch)
{
    bool seen = false;
    for (std::size_t i = 0; i < jobs.size(); ++i) {
        seen = seen || changed[i];
        jobs[i].done(seen ? batch : write_outcome::made);
    }
}

// A batch of writes on its way to a store: what both stores do with work.
//
// Work runs under the directory's write lock and changes it through
// record(): each change is applied at once (later work in the batch sees
// it), encoded as a journal record, and kept as an after-image beside its
// before-images. hide() then takes the whole batch back out of the
// directory, so that the lock can be released while the store makes the
// batch durable: readers go on seeing the state before it and never wait
// for the disk or the network. show() applies it again once it is durable;
// a batch that fails is simply never shown.
//
// Not synchronized: used under the directory's write lock (hide() and
// show() included), by one thread at a time.
class pending_batch {
public:
    // `journaled`: keep records and after-images (false in memory mode,
    // where only the undo is needed).
    explicit pending_batch(bool journaled = true) : journaled_(journaled) {}

    // Runs `work`: false if it returned false or threw (what it threw is
    // logged), and then whatever it recorded is undone and dropped. What
    // it recorded is framed as one unit (journal_format.hpp): replayed
    // whole or not at all.
    bool run(store::directory& dir, backend::work_fn const& work);
    // From inside work: applies `c` and keeps it, with sequence next_seq.
    void record(store::directory& dir, store::change c);

    // Undoes every change, newest first; records and after-images stay.
    void hide(store::directory& dir);
    // Applies the after-images again (once the batch is durable).
    void show(store::directory& dir);
    void clear();

    // Changes recorded (and not undone by failing work).
    std::size_t size() const { return undo_.size(); }
    bool empty() const { return undo_.empty(); }
    // The batch's records, framed as in the journal.
    std::string const& records() const { return records_; }
    std::string take_records() { return std::exchange(records_, {}); }
    std::vector<store::change> const& changes() const { return changes_; }
    // Before-images, one entry per change.
    std::vector<std::vector<store::change>> const& undo() const { return undo_; }

    // The sequence the next record gets.
    std::uint64_t next_seq = 1;

private:
    void apply_undo(store::directory& dir, std::size_t mark) const;
    void undo_to(store::directory& dir, std::size_t mark);

    // Frames the running work's payloads as one unit onto records_.
    void close_unit();

    bool journaled_;
    std::string records_;
    // The running work's payloads, back to back, and where each ends.
    bool in_unit_ = false;
    std::string unit_;
    std::vector<std::size_t> unit_ends_;
    std::vector<store::change> changes_;
    std::vector<std::vector<store::change>> undo_;
};

} // namespace rosterd::persist
