#pragma once
// Deletes users whose removeAt has passed (autoRemoveAfter), with their
// tokens and memberships, as ordinary remove_user changes; and audit events
// past their retention, as remove_audit changes (so that snapshots, and
// every node of a shared store, drop them too); and answers kept under
// Idempotency-Keys once a day old.
//
// reap() is the whole rule and takes the time as an argument, so tests drive
// it with any clock; reaper only calls it from an Asio timer.
// Thread safety: reap()'s caller holds the directory's write lock; reaper
// hands its work to a write_runner (the committer) which takes it.

#include "store/directory.hpp"
#include "store/time.hpp"

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/steady_timer.hpp>

#include <chrono>
#include <functional>

namespace rosterd::store {

// Applies one change through whatever keeps the directory (so that a
// journal records it); returns false if the change could not be made.
using change_sink = std::function<bool(change const&)>;
// Runs write work under the directory's write lock, giving it the sink to
// change the directory through.
using write_runner = std::function<void(std::function<void(change_sink const&)>)>;

// Removes every user due at `now`, except user 1, the last superuser, and a
// superuser whose removal would lock the operators out (operator_access.hpp):
// they keep the directory administrable. A removal whose scheduler may not
// retire the user now (auth::removal_stands) is cancelled instead: removeAt
// and autoRemoveAfter are cleared, and the audit trail says rosterd did it.
// Returns how many were removed.
std::size_t reap(directory& dir, unix_time now, change_sink const& apply);

// How long the audit trail keeps an event, and how many it keeps at most
// (a bound on its memory whatever the write rate).
struct audit_limits {
    static constexpr unix_time default_retention = 90 * seconds_per_day;
    static constexpr std::size_t default_max_events = 1'000'000;
    unix_time retention = default_retention;
    std::size_t max_events = default_max_events;
};

// Removes up to max_trim of the audit events that `limits` no longer
// keep, oldest first; returns how many.
inline constexpr std::size_t max_trim = 10'000;
std::size_t trim_audit(directory& dir, unix_time now, audit_limits const& limits, change_sink const& apply);

// Removes up to max_trim of the answers kept under Idempotency-Keys that
// are past answer_kept_for; returns how many.
std::size_t trim_answers(directory& dir, unix_time now, change_sink const& apply);

class reaper {
public:
    reaper(boost::asio::any_io_executor executor, directory& dir, clock_fn now, write_runner run,
           std::chrono::seconds interval, audit_limits audit = {});
    void start();
    void stop();

private:
    void arm();
    void run();

    boost::asio::steady_timer timer_;
    directory& dir_;
    clock_fn now_;
    write_runner run_;
    std::chrono::seconds interval_;
    audit_limits audit_;
};

} // namespace rosterd::store
