#pragma once
// Open connections per client address, for --max-connections-per-ip: one
// client must not take every one of --max-connections. A limit of 0 counts
// nothing and admits everyone (behind a proxy, every client has the
// proxy's address).
//
// Thread safety: every member may be called from any thread.

#include <boost/asio/ip/address.hpp>

#include <cstddef>
#include <map>
#include <mutex>

namespace rosterd::http {

class address_limit {
public:
    explicit address_limit(std::size_t per_address) : max_(per_address) {}

    // Counts a new connection from `a`; false (and nothing counted) when `a`
    // already has the most it may.
    bool try_open(boost::asio::ip::address const& a);
    // Uncounts a connection try_open() admitted.
    void close(boost::asio::ip::address const& a);
    // How many addresses have connections open.
    std::size_t addresses() const;

private:
    std::size_t const max_;
    mutable std::mutex mutex_;
    std::map<boost::asio::ip::address, std::size_t> open_;
};

} // namespace rosterd::http
