// The PostgreSQL store's follower: the tailer that applies other nodes'
// batches from the shared log (LISTEN/NOTIFY, else polling), reloads when
// the log cannot be followed, trims it, and the status all that yields.
#include "persist/pg/postgres_backend.hpp"

#include "log/log.hpp"

#include <poll.h>
#include <unistd.h>

namespace rosterd::persist::pg {

namespace {

// A tailer that lost PostgreSQL tries again this often.
constexpr std::chrono::milliseconds tail_retry{500};
// A gap in the log (which the head row rules out) is re-read this soon.
constexpr std::chrono::milliseconds gap_retry{10};
// One read of the log may take this long.
constexpr std::chrono::seconds fetch_timeout{10};

} // namespace

postgres_backend::follow_outcome postgres_backend::follow(connection& c, deadline until, bool hold_head)
{
    for (bool first = true;; first = false) {
        bool const locking = hold_head && first;
        auto const started = clock::now();
        // The locking read runs whatever the time: it fails by itself at
        // the deadline, and the caller must know whether it holds the head.
        if (started >= until && !locking)
            return follow_outcome::behind;
        std::uint64_t from;
        {
            auto lock = dir_.read_lock();
            from = applied_.seq;
        }
        auto f = locking ? lock_and_fetch(c, from, until) : fetch_changes(c, from, until);
        head_seq_ = f.head_seq;
        bool current;
        {
            auto lock = dir_.write_lock();
            // The other thread (tailer or committer) may have moved the
            // node on while this one read: then what was read is used only
            // to go further, and the log is checked on the next read (a
            // busy node must not re-read for ever, or it would never learn
            // that it is current).
            bool const moved = applied_.seq != from;
            auto why_reload = [&]() -> std::optional<std::string> {
                if (f.log_id != applied_.log_id)
                    return "the change log was replaced (an import or a new store)";
                if (moved)
                    return std::nullopt;
                if (f.head_seq < applied_.seq)
                    return "the change log ends before this node's change " + std::to_string(applied_.seq) +
                           " (PostgreSQL restored from a backup, or failed over to a standby that lags)";
                // At change 0 too: a store imported and never written.
                if (applied_.seq < f.min_seq)
                    return "the change log was trimmed past this node's change " + std::to_string(applied_.seq);
                if (!applied_.batch.empty() &&
                    (f.rows.empty() || f.rows.front().seq != applied_.seq || f.rows.front().batch != applied_.batch))
                    return "the change log's batch " + std::to_string(applied_.seq) + " is not the one applied";
                return std::nullopt;
            }();
            if (why_reload) {
                log::error("reloading the directory: " + *why_reload);
                return follow_outcome::reload;
            }
            for (auto& row : f.rows) {
                if (row.seq <= applied_.seq)
                    continue;
                if (row.first_seq != applied_.seq + 1) {
                    if (moved)
                        break;
                    return follow_outcome::gap;
                }
                for (auto& ch : row.changes)
                    dir_.apply(std::move(ch));
                applied_.seq = row.seq;
                applied_.batch = row.batch;
            }
            applied_seq_ = applied_.seq;
            current = applied_.seq >= f.head_seq;
        }
        if (current) {
            fresh_at_ = started.time_since_epoch().count();
            return follow_outcome::current;
        }
        if (f.rows.size() < static_cast<std::size_t>(fetch_limit))
            return follow_outcome::behind;
    }
}

void postgres_backend::reload(connection& c)
{
    // Writes are refused until it is done (process()), even if it fails.
    reload_needed_ = true;
    following_ = false;
    auto const started = clock::now();
    {
        store::directory fresh;
        auto const at = load_directory(c, fresh, started + settings_.load_timeout);
        auto lock = dir_.write_lock();
        dir_.swap_contents(fresh);
        applied_ = at;
        applied_seq_ = at.seq;
        // The old directory goes with `fresh`, after the lock is released.
    }
    fresh_at_ = started.time_since_epoch().count();
    take_all_uses_ = true;
    reloads_.fetch_add(1);
    reload_needed_ = false;
    log::info("reloaded the directory from PostgreSQL at change " + std::to_string(applied_seq_.load()) + " in " +
              std::to_string(millis(clock::now() - started).count()) + " ms");
}

void postgres_backend::share_token_uses(connection& c, deadline until)
{
    std::vector<token_use> ours;
    {
        auto lock = dir_.read_lock();
        // Tokens removed since: their entries go (the map is this thread's
        // own; only reading the directory needs the lock).
        std::erase_if(shared_uses_, [&](auto const& entry) { return !dir_.find_token(entry.first); });
        for (auto const& t : dir_.tokens()) {
            auto const sent = shared_uses_.find(t.id);
            if (t.last_used && (sent == shared_uses_.end() || sent->second < *t.last_used))
                ours.push_back({t.id, *t.last_used});
        }
    }
    // A use reaches the store within an interval of its node's clock, so
    // reading three intervals back sees each one at least once.
    auto const now = std::chrono::duration_cast<std::chrono::seconds>(
                         std::chrono::system_clock::now().time_since_epoch()).count();
    auto const since = take_all_uses_ ? 0 : now - 3 * settings_.token_use_interval.count();
    auto const theirs = exchange_token_uses(c, ours, since, until);
    for (auto const& u : ours)
        shared_uses_[u.token] = u.at;
    {
        auto lock = dir_.write_lock();
        for (auto const& u : theirs) {
            auto& known = shared_uses_[u.token];
            known = std::max(known, u.at);
            if (auto const* t = dir_.find_token(u.token); t && (!t->last_used || *t->last_used < u.at))
                dir_.apply(store::touch_token{u.token, u.at});
        }
    }
    take_all_uses_ = false;
}

void postgres_backend::tail_loop()
{
    auto stopping = [this] {
        std::lock_guard lock(mutex_);
        return stopping_;
    };
    auto drain_wake = [this] {
        std::uint64_t n;
        [[maybe_unused]] auto r = ::read(wake_fd_, &n, sizeof n);
    };
    auto next_trim = clock::now() + settings_.trim_interval;
    auto next_share = clock::now();
    while (!stopping()) {
        try {
            if (!tail_.connected()) {
                tail_.connect(clock::now() + connect_timeout);
                tail_.exec(std::string("LISTEN ") + notify_channel, clock::now() + fetch_timeout);
                log::info("following the PostgreSQL change log");
            }
            if (reload_needed_) {
                reload(tail_);
                next_share = clock::now(); // every use, at once
            }
            auto outcome = follow(tail_, clock::now() + fetch_timeout);
            if (outcome == follow_outcome::reload) {
                reload(tail_);
                next_share = clock::now();
                continue;
            }
            following_ = true;
            if (clock::now() >= next_trim) {
                auto const kept = trim(tail_, settings_.keep_changes, settings_.keep_age, clock::now() + fetch_timeout);
                next_trim = clock::now() + settings_.trim_interval;
                forget_removed_token_uses(tail_, clock::now() + fetch_timeout);
                log::debug("change log kept from change " + std::to_string(kept));
            }
            if (clock::now() >= next_share) {
                next_share = clock::now() + settings_.token_use_interval;
                // Best-effort, as lastUsed is: a failure here must not stop
                // the node from following (a lost connection is made again
                // on the next turn).
                try {
                    share_token_uses(tail_, clock::now() + fetch_timeout);
                } catch (std::exception const& e) {
                    note_failure(std::string("sharing the tokens' lastUsed: ") + e.what());
                }
            }
            if (outcome == follow_outcome::current || outcome == follow_outcome::gap) {
                auto const poll_at = clock::now() + (outcome == follow_outcome::gap
                                                         ? std::chrono::milliseconds(gap_retry)
                                                         : settings_.poll_interval);
                // A notification only wakes the node; its payload (the
                // commit's last sequence) is used for nothing but to skip
                // reading the log for a commit the node already applied -
                // its own writes. The poll reads the log regardless.
                for (;;) {
                    auto const seen = tail_.wait_for_notification(poll_at, wake_fd_);
                    if (!seen || *seen == 0 || *seen > applied_seq_.load())
                        break;
                }
                drain_wake();
            }
        } catch (std::exception const& e) {
            following_ = false;
            note_failure(std::string("following the PostgreSQL change log: ") + e.what());
            if (stopping())
                break;
            pollfd fd{wake_fd_, POLLIN, 0};
            ::poll(&fd, 1, static_cast<int>(tail_retry.count()));
            drain_wake();
        }
    }
}

void postgres_backend::note_failure(std::string const& what)
{
    std::lock_guard lock(log_mutex_);
    auto const now = clock::now();
    if (now - last_failure_log_ < std::chrono::seconds(1))
        return;
    last_failure_log_ = now;
    log::error(what);
}

backend_status postgres_backend::status() const
{
    backend_status s;
    s.store = "postgresql";
    s.applied_seq = applied_seq_.load();
    s.head_seq = std::max(head_seq_.load(), s.applied_seq);
    auto const fresh = clock::time_point(clock::duration(fresh_at_.load()));
    s.staleness = millis(clock::now() - fresh);
    auto const current_within = std::max(2 * settings_.poll_interval, std::chrono::milliseconds(2000));
    s.current = following_.load() && *s.staleness <= current_within;
    s.refusing = settings_.max_staleness.count() > 0 && *s.staleness > settings_.max_staleness;
    s.reloads = reloads_.load();
    s.lost_races = lost_races_.load();
    s.locked_batches = locked_batches_.load();
    return s;
}

std::optional<std::string> postgres_backend::refuse_reads() const
{
    auto const s = status();
    if (!s.refusing)
        return std::nullopt;
    return "this node has not been able to confirm it is current for " + std::to_string(s.staleness->count() / 1000) +
           " s (more than --max-staleness): PostgreSQL is unreachable or the node is reloading";
}

} // namespace rosterd::persist::pg
