#pragma once
// The threads that serve connections: one io_context per thread, each run by
// exactly one thread (nginx's worker processes, as threads). A connection is
// given to one context for its whole life, so its session needs no strand
// and its state no lock; a busy connection never moves between cores.
//
// Thread safety: run() once; at() from any thread.

#include <boost/asio/io_context.hpp>

#include <cstddef>
#include <memory>
#include <vector>

namespace rosterd::http {

class workers {
public:
    explicit workers(unsigned count);

    std::size_t size() const { return contexts_.size(); }
    boost::asio::io_context& at(std::size_t i) { return *contexts_[i]; }

    // Runs every context, the first on the calling thread, until each has
    // run out of work.
    void run();

private:
    std::vector<std::unique_ptr<boost::asio::io_context>> contexts_;
};

} // namespace rosterd::http
