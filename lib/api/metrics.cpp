#include "api/metrics.hpp"

#include <algorithm>
#include <charconv>
#include <cstdio>

namespace rosterd::api {

namespace {

constexpr auto relaxed = std::memory_order_relaxed;

std::size_t status_slot(unsigned status)
{
    auto it = std::find(metrics::statuses.begin(), metrics::statuses.end() - 1, status);
    return static_cast<std::size_t>(it - metrics::statuses.begin());
}

void append_number(std::string& out, double v)
{
    char buf[32];
    auto const n = std::snprintf(buf, sizeof buf, "%.9g", v);
    out.append(buf, static_cast<std::size_t>(n));
}

void gauge(std::string& out, std::string_view name, std::string_view help, std::size_t value)
{
    out.append("# HELP ").append(name).append(" ").append(help).append("\n");
    out.append("# TYPE ").append(name).append(" gauge\n");
    out.append(name).append(" ").append(std::to_string(value)).append("\n");
}

} // namespace

metrics::metrics(std::span<route const> routes)
    : routes_(routes), requests_(std::make_unique<row[]>(routes.size() + 1))
{
}

void metrics::record(std::size_t route, unsigned status, std::chrono::nanoseconds took)
{
    requests_[std::min(route, routes_.size())][status_slot(status)].fetch_add(1, relaxed);
    double const seconds = std::chrono::duration<double>(took).count();
    auto const bucket = std::lower_bound(buckets.begin(), buckets.end(), seconds) - buckets.begin();
    histogram_[static_cast<std::size_t>(bucket)].fetch_add(1, relaxed);
    duration_ns_.fetch_add(static_cast<std::uint64_t>(took.count()), relaxed);
}

void metrics::set_connection_gauge(std::function<std::size_t()> open_connections)
{
    open_connections_ = std::move(open_connections);
}

void metrics::set_journal_counters(std::function<std::pair<std::uint64_t, std::uint64_t>()> syncs_and_records)
{
    journal_ = std::move(syncs_and_records);
}

std::string metrics::render(store::directory const& dir) const
{
    std::string out;
    out.append("# HELP rosterd_requests_total Requests answered by the API, by route and status.\n");
    out.append("# TYPE rosterd_requests_total counter\n");
    for (std::size_t r = 0; r <= routes_.size(); ++r) {
        for (std::size_t s = 0; s < statuses.size(); ++s) {
            auto const n = requests_[r][s].load(relaxed);
            if (n == 0)
                continue;
            out.append("rosterd_requests_total{method=\"");
            out.append(r < routes_.size() ? boost::beast::http::to_string(routes_[r].method) : "-");
            out.append("\",route=\"").append(r < routes_.size() ? routes_[r].pattern : "-");
            out.append("\",status=\"");
            out.append(statuses[s] ? std::to_string(statuses[s]) : "other");
            out.append("\"} ").append(std::to_string(n)).append("\n");
        }
    }

    out.append("# HELP rosterd_request_duration_seconds Time from parsed request to response.\n");
    out.append("# TYPE rosterd_request_duration_seconds histogram\n");
    std::uint64_t cumulative = 0;
    for (std::size_t b = 0; b <= buckets.size(); ++b) {
        cumulative += histogram_[b].load(relaxed);
        out.append("rosterd_request_duration_seconds_bucket{le=\"");
        if (b < buckets.size())
            append_number(out, buckets[b]);
        else
            out.append("+Inf");
        out.append("\"} ").append(std::to_string(cumulative)).append("\n");
    }
    out.append("rosterd_request_duration_seconds_sum ");
    append_number(out, static_cast<double>(duration_ns_.load(relaxed)) / 1e9);
    out.append("\nrosterd_request_duration_seconds_count ").append(std::to_string(cumulative)).append("\n");

    gauge(out, "rosterd_users", "Users in the directory.", dir.users().size());
    gauge(out, "rosterd_groups", "User groups in the directory.", dir.groups().size());
    gauge(out, "rosterd_tokens", "API tokens in the directory.", dir.token_count());
    gauge(out, "rosterd_audit_events", "Events the audit trail holds (see --audit-max-events).", dir.audit().size());
    gauge(out, "rosterd_open_connections", "Open client connections.",
          open_connections_ ? open_connections_() : 0);
    auto const [syncs, records] = journal_ ? journal_() : std::pair<std::uint64_t, std::uint64_t>{};
    out.append("# HELP rosterd_journal_batches_total Journal batches written (one write, one sync each in strict mode).\n");
    out.append("# TYPE rosterd_journal_batches_total counter\n");
    out.append("rosterd_journal_batches_total ").append(std::to_string(syncs)).append("\n");
    out.append("# HELP rosterd_journal_records_total Change records written to the journal.\n");
    out.append("# TYPE rosterd_journal_records_total counter\n");
    out.append("rosterd_journal_records_total ").append(std::to_string(records)).append("\n");
    return out;
}

std::string render_store(persist::backend_status const& s)
{
    if (!s.staleness)
        return {};
    std::string out;
    auto metric = [&out](std::string_view type, std::string_view name, std::string_view help, auto value) {
        out.append("# HELP ").append(name).append(" ").append(help).append("\n");
        out.append("# TYPE ").append(name).append(" ").append(type).append("\n");
        out.append(name).append(" ").append(std::to_string(value)).append("\n");
    };
    auto gauge = [&](std::string_view name, std::string_view help, auto value) { metric("gauge", name, help, value); };
    auto counter = [&](std::string_view name, std::string_view help, std::uint64_t value) {
        metric("counter", name, help, value);
    };
    gauge("rosterd_store_applied_seq", "The last change of the shared log this node applied.", s.applied_seq);
    gauge("rosterd_store_head_seq", "The shared log's last change, as this node last read it.", s.head_seq);
    gauge("rosterd_store_lag_changes", "Changes of the shared log this node has not applied yet.",
          s.head_seq - s.applied_seq);
    gauge("rosterd_store_staleness_seconds", "Seconds since this node last knew itself current.",
          static_cast<double>(s.staleness->count()) / 1000.0);
    gauge("rosterd_store_current", "1 if this node is current with the shared log, else 0.", s.current ? 1 : 0);
    counter("rosterd_store_reloads_total", "Whole reloads of the directory from the store since start.", s.reloads);
    counter("rosterd_store_lost_races_total",
            "Write batches that found another node had written first, and ran again.", s.lost_races);
    counter("rosterd_store_locked_batches_total",
            "Write batches that took the shared log's head before they ran, as other nodes were writing too.",
            s.locked_batches);
    return out;
}

} // namespace rosterd::api
