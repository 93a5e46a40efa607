#pragma once
// Deletes users whose removeAt has passed (autoRemoveAfter), with their
// tokens and memberships, as ordinary remove_user changes.
//
// reap() is the whole rule and takes the time as an argument, so tests drive
// it with any clock; reaper only calls it from an Asio timer.
// Thread safety: reap() takes the directory's write lock itself.

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

// Removes every user due at `now`, except user 1 and the last superuser,
// which keep the directory administrable. Returns how many were removed.
std::size_t reap(directory& dir, unix_time now, change_sink const& apply);

class reaper {
public:
    reaper(boost::asio::any_io_executor executor, directory& dir, clock_fn now, change_sink apply,
           std::chrono::seconds interval);
    void start();
    void stop();

private:
    void arm();

    boost::asio::steady_timer timer_;
    directory& dir_;
    clock_fn now_;
    change_sink apply_;
    std::chrono::seconds interval_;
};

} // namespace rosterd::store
