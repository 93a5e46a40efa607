#include "http/workers.hpp"

#include <thread>

namespace rosterd::http {

workers::workers(unsigned count)
{
    for (unsigned i = 0; i < std::max(count, 1u); ++i)
        contexts_.push_back(std::make_unique<boost::asio::io_context>(1)); // one thread each
}

void workers::run()
{
    std::vector<std::thread> threads;
    for (std::size_t i = 1; i < contexts_.size(); ++i)
        threads.emplace_back([&ioc = *contexts_[i]] { ioc.run(); });
    contexts_[0]->run();
    for (auto& t : threads)
        t.join();
}

} // namespace rosterd::http
