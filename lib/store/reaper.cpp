#include "store/reaper.hpp"

#include "auth/rights.hpp"
#include "log/log.hpp"
#include "store/audit.hpp"
#include "store/operator_access.hpp"

namespace rosterd::store {

namespace {
constexpr record_id first_user = 1;

// A scheduler who is gone since may remove no one.
bool removal_stands(directory const& dir, user const& u)
{
    if (!u.removal_by)
        return auth::removal_stands(nullptr, u);
    auto const* by = dir.find_user(u.removal_by);
    return by && auth::removal_stands(by, u);
}
} // namespace

std::size_t reap(directory& dir, unix_time now, change_sink const& apply)
{
    std::size_t removed = 0;
    for (record_id id : dir.due_for_removal(now)) {
        auto const* u = dir.find_user(id);
        if (id == first_user || (u->super_user && dir.super_user_count() == 1))
            continue;
        if (!removal_stands(dir, *u)) {
            // Whoever scheduled it may not retire this user now (the user
            // was promoted since, or the scheduler lost the right): the
            // schedule goes, as an audited change of rosterd's own.
            log::warn("user " + std::to_string(id) + " was due for removal, but whoever scheduled it may no "
                      "longer remove them; the removal is cancelled");
            user kept = *u;
            kept.auto_remove_after = remove_period::none;
            kept.remove_at.reset();
            kept.removal_by = 0;
            kept.updated = now;
            if (!apply(put_user{std::move(kept)}))
                break;
            continue;
        }
        if (u->super_user && would_lock_out(dir, now, leaving_out{.user = id})) {
            log::warn("user " + std::to_string(id) + " is due for removal but holds the last superuser token "
                      "that works; kept");
            continue;
        }
        if (!apply(remove_user{id}))
            break;
        ++removed;
    }
    return removed;
}

std::size_t trim_audit(directory& dir, unix_time now, audit_limits const& limits, change_sink const& apply)
{
    std::size_t removed = 0;
    for (record_id id : expired_audit(dir, now, limits.retention, limits.max_events, max_trim)) {
        if (!apply(remove_audit{id}))
            break;
        ++removed;
    }
    return removed;
}

std::size_t trim_answers(directory& dir, unix_time now, change_sink const& apply)
{
    // Collected first: apply() changes the map being walked.
    std::vector<record_id> expired;
    for (auto const& [id, a] : dir.answers()) {
        if (!still_kept(a, now))
            expired.push_back(id);
        if (expired.size() == max_trim)
            break;
    }
    std::size_t removed = 0;
    for (record_id id : expired) {
        if (!apply(remove_answer{id}))
            break;
        ++removed;
    }
    return removed;
}

reaper::reaper(boost::asio::any_io_executor executor, directory& dir, clock_fn now, write_runner run,
               std::chrono::seconds interval, audit_limits audit)
    : timer_(std::move(executor)), dir_(dir), now_(std::move(now)), run_(std::move(run)), interval_(interval),
      audit_(audit)
{
}

void reaper::start()
{
    // At once, then every interval: a server that was down when users or
    // events fell due catches up when it starts.
    run();
    arm();
}

void reaper::stop() { timer_.cancel(); }

void reaper::arm()
{
    timer_.expires_after(interval_);
    timer_.async_wait([this](boost::system::error_code ec) {
        if (ec)
            return;
        run();
        arm();
    });
}

void reaper::run()
{
    run_([this, now = now_()](change_sink const& sink) {
        if (auto const n = reap(dir_, now, sink))
            log::info("removed " + std::to_string(n) + " user(s) whose autoRemoveAfter had passed");
        if (auto const n = trim_audit(dir_, now, audit_, sink))
            log::debug("removed " + std::to_string(n) + " audit event(s) past their retention");
        if (auto const n = trim_answers(dir_, now, sink))
            log::debug("forgot " + std::to_string(n) + " answer(s) kept under an Idempotency-Key for a day");
    });
}

} // namespace rosterd::store
