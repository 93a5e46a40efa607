#include "http/address_limit.hpp"

namespace rosterd::http {

bool address_limit::try_open(boost::asio::ip::address const& a)
{
    if (max_ == 0)
        return true;
    std::lock_guard lock(mutex_);
    auto& count = open_[a];
    if (count >= max_)
        return false;
    ++count;
    return true;
}

void address_limit::close(boost::asio::ip::address const& a)
{
    if (max_ == 0)
        return;
    std::lock_guard lock(mutex_);
    if (auto it = open_.find(a); it != open_.end() && --it->second == 0)
        open_.erase(it);
}

std::size_t address_limit::addresses() const
{
    std::lock_guard lock(mutex_);
    return open_.size();
}

} // namespace rosterd::http
