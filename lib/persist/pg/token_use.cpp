// Tokens' last uses, shared by the nodes of a PostgreSQL store outside the
// change log (shared/design: each node sends its own every interval and
// the store keeps the later time): a use is no change, and logging one
// per token per second would cost every node a write.
#include "persist/pg/shared_log.hpp"

namespace rosterd::persist::pg {

std::vector<token_use> exchange_token_uses(connection& c, std::vector<token_use> const& ours,
                                           store::unix_time since, deadline until)
{
    std::vector<store::record_id> ids;
    std::vector<store::unix_time> times;
    for (auto const& u : ours) {
        ids.push_back(u.token);
        times.push_back(u.at);
    }
    auto const id_text = array_text(ids), time_text = array_text(times), since_text = std::to_string(since);
    param const params[] = {{id_text}, {time_text}, {since_text}};
    // One round trip: the statement's read does not see its own upsert,
    // which holds only what this node knows already.
    auto const r = c.exec_prepared("rosterd_token_use",
                                   "WITH sent AS (INSERT INTO roster_token_use (token_id, last_used) "
                                   "SELECT * FROM unnest($1::bigint[], $2::bigint[]) "
                                   "ON CONFLICT (token_id) DO UPDATE "
                                   "SET last_used = greatest(roster_token_use.last_used, EXCLUDED.last_used)) "
                                   "SELECT token_id, last_used FROM roster_token_use WHERE last_used >= $3::bigint",
                                   params, until);
    std::vector<token_use> theirs;
    theirs.reserve(static_cast<std::size_t>(r.rows()));
    for (int row = 0; row < r.rows(); ++row) {
        auto const id = r.number(row, 0);
        if (id > 0)
            theirs.push_back({static_cast<store::record_id>(id), r.number(row, 1)});
    }
    return theirs;
}

void forget_removed_token_uses(connection& c, deadline until)
{
    auto const kind = std::to_string(static_cast<int>(record_kind::token));
    param const params[] = {{kind}};
    c.exec("DELETE FROM roster_token_use u WHERE NOT EXISTS "
           "(SELECT 1 FROM roster_record r WHERE r.kind = $1::smallint AND r.id = u.token_id)",
           params, until);
}

} // namespace rosterd::persist::pg
