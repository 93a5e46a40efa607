// The PostgreSQL store's write path: the queue, a batch run against memory
// and appended to the shared log, the race with other nodes, and a lost
// commit settled from the log. Following the log, reloading and the status
// they yield are in postgres_backend_follow.cpp.
#include "persist/pg/postgres_backend.hpp"

#include "auth/token.hpp"
#include "log/log.hpp"
#include "persist/codec.hpp"
#include "persist/journal_format.hpp"

#include <sys/eventfd.h>
#include <unistd.h>

namespace rosterd::persist::pg {

namespace {

// After a failed connection, writes are refused at once for this long
// before the next attempt: a dead server costs one timeout, not one per write.
constexpr std::chrono::seconds writer_retry{1};
// How long a node takes the head row before each batch after it last saw
// another node write at the same time.
constexpr std::chrono::seconds contention_memory{1};
// How often a node tries again to learn a lost commit's outcome.
constexpr std::chrono::milliseconds settle_retry{100};

} // namespace

postgres_backend::postgres_backend(store::directory& dir, settings s)
    : dir_(dir), settings_(std::move(s)), writer_(settings_.uri), tail_(settings_.uri)
{
    wake_fd_ = ::eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
    if (wake_fd_ < 0)
        throw std::runtime_error("cannot make an eventfd");
    auto const started = clock::now();
    auto const until = started + settings_.load_timeout;
    // PostgreSQL may be starting too (a machine's boot), or slow for a
    // moment: a start tries for a while before it gives up.
    auto const connect_until = std::min(until, started + start_connect_patience);
    for (;;) {
        try {
            writer_.connect(std::min(connect_until, clock::now() + connect_timeout));
            break;
        } catch (error const& e) {
            if (clock::now() + writer_retry >= connect_until)
                throw;
            log::warn(std::string("cannot connect to PostgreSQL yet (") + e.what() + "); trying again");
            std::this_thread::sleep_for(writer_retry);
        }
    }
    ensure_schema(writer_, until);
    applied_ = load_directory(writer_, dir_, until);
    applied_seq_ = applied_.seq;
    head_seq_ = applied_.seq;
    fresh_at_ = started.time_since_epoch().count();
}

postgres_backend::~postgres_backend()
{
    stop();
    ::close(wake_fd_);
}

void postgres_backend::start()
{
    if (writer_thread_.joinable())
        return;
    writer_thread_ = std::thread([this] { write_loop(); });
    tail_thread_ = std::thread([this] { tail_loop(); });
}

bool postgres_backend::stop()
{
    {
        std::lock_guard lock(mutex_);
        stopping_ = true;
    }
    cv_.notify_all();
    wake_tailer();
    if (writer_thread_.joinable())
        writer_thread_.join();
    if (tail_thread_.joinable())
        tail_thread_.join();
    return true;
}

void postgres_backend::wake_tailer()
{
    std::uint64_t const one = 1;
    [[maybe_unused]] auto n = ::write(wake_fd_, &one, sizeof one);
}

void postgres_backend::submit(work_fn work, done_fn done)
{
    {
        std::lock_guard lock(mutex_);
        queue_.push_back(job{std::move(work), std::move(done)});
    }
    cv_.notify_one();
}

void postgres_backend::record(store::change c) { pending_.record(dir_, std::move(c)); }

void postgres_backend::write_loop()
{
    std::unique_lock lock(mutex_);
    for (;;) {
        cv_.wait(lock, [this] { return !queue_.empty() || stopping_; });
        auto jobs = std::move(queue_);
        queue_.clear();
        if (jobs.empty() && stopping_)
            return;
        lock.unlock();
        process(jobs);
        lock.lock();
    }
}

void postgres_backend::process(std::vector<job>& jobs)
{
    auto const until = clock::now() + settings_.commit_timeout;
    std::vector<char> changed(jobs.size(), 0);
    auto finish = [&](write_outcome o) {
        pending_.clear();
        answer_batch(jobs, changed, o);
    };
    // A node that must reload holds a history the log may no longer have:
    // its work would be built on it. Refused until the tailer has reloaded.
    bool const ready = !reload_needed_ && writer_ready(until);
    // Whether this node holds the head row (a transaction lock_head() began).
    bool locked = false;
    for (int conflicts = 0;; ++conflicts) {
        // Once a batch has lost a race, and for a while after this node last
        // saw another node write meanwhile, take the head row first
        // (pessimistic; after two lost races in any case): the other nodes
        // then wait for this batch instead of this node losing the race
        // again and again, and the lock, the catching up and the commit
        // cost two round trips. The work runs under the lock, once (its
        // wait for the directory's lock is a reader's, short). The jobs
        // queued meanwhile join the batch.
        if (ready && !locked && (conflicts >= 2 || clock::now() < contended_until_)) {
            try {
                auto const before = applied_seq_.load();
                lock_head(until);
                locked = true;
                locked_batches_.fetch_add(1);
                if (applied_seq_.load() != before) // another node wrote meanwhile
                    contended_until_ = clock::now() + contention_memory;
            } catch (std::exception const& e) {
                rollback_quietly();
                note_failure(std::string("locking the change log's head: ") + e.what());
                finish(write_outcome::not_made);
                return;
            }
        }
        if (locked || conflicts > 0)
            take_queued(jobs, changed);
        batch_write w;
        pending_.clear();
        {
            auto lock = dir_.write_lock();
            pending_.next_seq = applied_.seq + 1;
            for (std::size_t i = 0; i < jobs.size(); ++i) {
                auto const before = pending_.size();
                pending_.run(dir_, jobs[i].work);
                changed[i] = pending_.size() != before;
            }
            if (!pending_.empty() && ready) {
                w.log_id = applied_.log_id;
                w.expected = applied_.seq;
                w.expected_batch = applied_.batch;
                w.nonce = auth::generate_token(); // 128 random bits in the uuid form
                w.count = pending_.size();
                w.payload = pending_.take_records();
                // Every record the batch touched, cascades included: the
                // before-images name them all.
                std::vector<std::pair<record_kind, store::record_id>> touched;
                for (auto const& undo : pending_.undo())
                    for (auto const& c : undo)
                        touched.push_back(key_of(c));
                add_record_images(w, dir_, std::move(touched));
            }
            // Nobody sees the batch before PostgreSQL has it.
            pending_.hide(dir_);
        }
        if (pending_.empty()) {
            if (locked)
                rollback_quietly();
            finish(write_outcome::made);
            return;
        }
        if (!ready) {
            finish(write_outcome::not_made);
            return;
        }
        auto const appended = try_append(w, until, locked);
        locked = false; // committed or rolled back
        switch (appended) {
        case append_outcome::committed: {
            {
                auto lock = dir_.write_lock();
                // Unless the tailer got there first.
                if (applied_.seq == w.expected && applied_.log_id == w.log_id) {
                    pending_.show(dir_);
                    applied_.seq = w.expected + w.count;
                    applied_.batch = w.nonce;
                    applied_seq_ = applied_.seq;
                }
            }
            finish(write_outcome::made);
            return;
        }
        case append_outcome::conflict:
            contended_until_ = clock::now() + contention_memory;
            lost_races_.fetch_add(1);
            // Another node wrote first: catch up and run the work again,
            // while time remains. Past the deadline the batch is simply not
            // made; the tailer catches up. Only a log this node cannot
            // follow calls for a reload.
            try {
                if (clock::now() >= until)
                    note_failure("a batch lost the race for the change log's head until the commit timeout");
                else if (follow(writer_, until) != follow_outcome::reload)
                    continue;
                else {
                    reload_needed_ = true;
                    wake_tailer();
                }
            } catch (std::exception const& e) {
                note_failure(std::string("catching up before a retry: ") + e.what());
            }
            finish(write_outcome::not_made);
            return;
        case append_outcome::failed:
            finish(write_outcome::not_made);
            return;
        case append_outcome::unknown:
            finish(write_outcome::unknown);
            return;
        }
    }
}

bool postgres_backend::writer_ready(deadline until)
{
    if (writer_.connected())
        return true;
    if (clock::now() < writer_retry_at_)
        return false;
    try {
        writer_.connect(until);
        return true;
    } catch (std::exception const& e) {
        writer_retry_at_ = clock::now() + writer_retry;
        note_failure(std::string("writes refused: ") + e.what());
        return false;
    }
}

void postgres_backend::lock_head(deadline until)
{
    if (follow(writer_, until, true) == follow_outcome::reload) {
        reload_needed_ = true;
        wake_tailer();
        throw std::runtime_error("the node reloads first");
    }
}

void postgres_backend::take_queued(std::vector<job>& jobs, std::vector<char>& changed)
{
    std::lock_guard lock(mutex_);
    for (auto& j : queue_)
        jobs.push_back(std::move(j));
    queue_.clear();
    changed.resize(jobs.size(), 0);
}

void postgres_backend::rollback_quietly()
{
    if (!writer_.connected())
        return;
    try {
        writer_.exec("ROLLBACK", clock::now() + std::chrono::seconds(1));
    } catch (error const&) {
        writer_.close();
    }
}

postgres_backend::append_outcome postgres_backend::try_append(batch_write const& w, deadline until, bool locked)
{
    auto const session = writer_.session();
    try {
        append(writer_, w, until, locked);
        return append_outcome::committed;
    } catch (error const& e) {
        if (!e.lost && locked)
            rollback_quietly();
        if (e.sqlstate == "40001")
            return append_outcome::conflict;
        if (!e.lost) {
            note_failure(std::string("a batch was refused by PostgreSQL: ") + e.what());
            return append_outcome::failed;
        }
        note_failure(std::string("the connection was lost while a batch committed: ") + e.what());
    }
    // The outcome is unknown: end the old session, wait out any transaction
    // holding the head, and look for the batch in the log; reconnecting
    // again and again until the commit timeout, since PostgreSQL may be
    // restarting or the network back in a moment.
    auto const settle_until = clock::now() + settings_.commit_timeout;
    for (int attempt = 1;; ++attempt) {
        try {
            writer_.connect(settle_until);
            if (!end_session(writer_, session, settle_until))
                throw std::runtime_error("the session that sent the batch still runs");
            if (batch_committed(writer_, w.expected, w.nonce, settle_until)) {
                log::info("a batch whose commit was not confirmed is in the log: it is answered as made");
                return append_outcome::committed;
            }
            // Not applied: the batch may be tried again while time remains.
            return append_outcome::conflict;
        } catch (std::exception const& e) {
            writer_.close();
            if (clock::now() + settle_retry < settle_until) {
                std::this_thread::sleep_for(settle_retry);
                continue;
            }
            writer_retry_at_ = clock::now() + writer_retry;
            log::error("a batch's outcome is unknown after " + std::to_string(attempt) + " attempt(s) to learn it, "
                       "and is answered 503 saying so; PostgreSQL: " + e.what() +
                       " (if it did commit, every node applies it from the log)");
            return append_outcome::unknown;
        }
    }
}

} // namespace rosterd::persist::pg
