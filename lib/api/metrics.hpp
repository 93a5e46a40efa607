#pragma once
// Counters for GET /metrics (Prometheus text format): requests by route and
// status, a latency histogram, the directory's sizes, open connections.
//
// Thread safety: record() and render() may run on any thread at once;
// counters are relaxed atomics, so a scrape is a near-instant, not a
// transaction.

#include "api/context.hpp"

#include <array>
#include <atomic>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <span>
#include <string>
#include <utility>

namespace rosterd::api {

class metrics {
public:
    // Statuses counted one by one; any other is counted as "other".
    static constexpr std::array<unsigned, 16> statuses{200, 201, 204, 400, 401, 403, 404, 405,
                                                       409, 413, 415, 431, 500, 503, 100, 0};
    static constexpr std::array<double, 11> buckets{0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005,
                                                    0.01, 0.025, 0.1, 0.5, 1.0};

    // `routes` is the service's table; requests no route took count as route "-".
    explicit metrics(std::span<route const> routes);

    void record(std::size_t route, unsigned status, std::chrono::nanoseconds took);
    void set_connection_gauge(std::function<std::size_t()> open_connections);
    // Journal batches written and records in them (records per sync).
    void set_journal_counters(std::function<std::pair<std::uint64_t, std::uint64_t>()> syncs_and_records);
    // The caller holds the directory's read lock.
    std::string render(store::directory const& dir) const;
    std::size_t unrouted() const { return routes_.size(); }

private:
    using row = std::array<std::atomic<std::uint64_t>, statuses.size()>;
    std::span<route const> routes_;
    std::unique_ptr<row[]> requests_; // routes_.size() + 1 rows
    std::array<std::atomic<std::uint64_t>, buckets.size() + 1> histogram_{};
    std::atomic<std::uint64_t> duration_ns_{0};
    std::function<std::size_t()> open_connections_;
    std::function<std::pair<std::uint64_t, std::uint64_t>()> journal_;
};

// The store's gauges: applied change, the store's last change and the lag
// between them, and staleness (a shared store only).
std::string render_store(persist::backend_status const& s);

} // namespace rosterd::api
