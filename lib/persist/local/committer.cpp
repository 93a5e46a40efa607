// The committer's group commit: the queue, the batch run under the write
// lock and hidden while it is made durable, and the answers. Writing and
// syncing it, and failing, are in committer_sync.cpp; the snapshot and the
// journal's rotation in committer_rotation.cpp.
#include "persist/local/committer.hpp"

#include "log/log.hpp"

#include <utility>

namespace rosterd::persist {

namespace {

// How often the committer wakes with nothing queued (relaxed syncs, retries).
constexpr std::chrono::milliseconds idle_tick{100};

} // namespace

committer::committer(store::directory& dir, data_dir const* files, file_io& io, commit_settings settings,
                     recovered const& start)
    : dir_(dir), files_(files), io_(io), settings_(settings), pending_(settings.mode != durability::memory),
      visible_seq_(start.last_seq), journal_continues_(start.journal_continues), journal_bytes_(start.journal_bytes),
      durable_seq_(start.last_seq)
{
    pending_.next_seq = start.last_seq + 1;
    published_bytes_ = journal_bytes_;
    if (in_memory())
        return;
    // An empty or missing journal starts as one that continues the snapshot
    // loaded, or names the empty start (durably, as any fresh journal).
    bool const ok = journal_bytes_ != 0 ? open_journal()
                    : start.snapshot ? replace_journal(start.snapshot->id)
                                     : replace_journal(new_snapshot_id(), true);
    if (!ok)
        throw std::runtime_error(files_->journal().string() + ": cannot open for writing: " + errno_text());
}

committer::~committer() { stop(); }

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

void committer::record(store::change c) { pending_.record(dir_, std::move(c)); }

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
    bool const wrote = !pending_.empty();
    if (wrote) {
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
    if (outcome == write_outcome::made) {
        if (wrote)
            grow_journal();
        maybe_start_snapshot();
    }
}

} // namespace rosterd::persist
