// The shared log's reads and writes: loading, following, appending,
// settling, trimming and importing; its schema is in shared_log_schema.cpp.
#include "persist/pg/shared_log.hpp"

#include "persist/codec.hpp"
#include "persist/decoded_chunks.hpp"
#include "persist/journal_format.hpp"
#include "persist/journal_reader.hpp"

#include <set>

namespace rosterd::persist::pg {

namespace {

std::uint64_t unsigned_of(result const& r, int row, int col, bool binary)
{
    auto const v = binary ? r.binary_int8(row, col) : r.number(row, col);
    if (v < 0)
        throw error("PostgreSQL returned a negative sequence", {}, false);
    return static_cast<std::uint64_t>(v);
}

} // namespace

std::vector<store::change> decode_batch(std::string_view payload, std::uint64_t first, std::uint64_t last)
{
    std::vector<store::change> changes;
    auto expected = first;
    bool unit_open = false; // a change_part not yet followed by its unit's change
    auto const scan = scan_records(payload, "roster_change", [&](record_type type, std::string_view p, std::uint64_t) {
        decoder d(p);
        if ((type != record_type::change && type != record_type::change_part) || d.u64() != expected)
            throw decode_error("batch " + std::to_string(last) + ": records out of order");
        changes.push_back(decode_change(d));
        unit_open = type == record_type::change_part;
        ++expected;
    });
    if (scan.torn() || unit_open || expected != last + 1)
        throw decode_error("batch " + std::to_string(last) + ": not whole");
    return changes;
}

store::change decode_record(std::string_view payload)
{
    decoder d(payload);
    auto change = decode_change(d);
    if (!d.done() || !is_record_image(change))
        throw decode_error("a roster_record row is not a record");
    return change;
}

position load_directory(connection& c, store::directory& dir, deadline until)
{
    position at;
    std::uint64_t next[4] = {1, 1, 1, 1};
    in_transaction(c, "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY", until, [&] {
        // next_ids[4], the audit trail's, is absent in a store written before it.
        auto const h = c.exec("SELECT log_id::text, seq, next_ids[1], next_ids[2], next_ids[3], "
                              "(SELECT batch::text FROM roster_change WHERE seq = h.seq), "
                              "coalesce(next_ids[4], 1) "
                              "FROM roster_head h WHERE id = 1", until);
        if (h.rows() != 1)
            throw std::runtime_error("the PostgreSQL store has no head row");
        at.log_id = h.text(0, 0);
        at.seq = unsigned_of(h, 0, 1, false);
        for (int i = 0; i < 3; ++i)
            next[i] = unsigned_of(h, 0, 2 + i, false);
        next[3] = unsigned_of(h, 0, 6, false);
        if (!h.null(0, 5))
            at.batch = h.text(0, 5);
        // Reading and decoding on a second thread, inserting on this one,
        // as a snapshot loads.
        load_beside(dir, [&](auto push) {
            decoded_chunks::chunk chunk;
            bool abandoned = false;
            c.exec_rows("SELECT payload FROM roster_record ORDER BY kind, id", {}, until,
                        connection::format::binary, [&](result const& row) {
                            if (abandoned)
                                return;
                            chunk.push_back(decode_record(row.text(0, 0)));
                            if (chunk.size() == decoded_chunks::chunk_size)
                                abandoned = !push(chunk);
                        });
            if (!abandoned && !chunk.empty())
                push(chunk);
        });
    });
    dir.raise_sequences(next[0], next[1], next[2], next[3]);
    return at;
}

namespace {

// The head row and the batches from `from` on (the one ending at `from`
// included).
std::string const& fetch_sql()
{
    static std::string const sql =
        "SELECT h.log_id::text, h.seq, h.min_seq, c.seq, c.first_seq, c.batch::text, c.payload "
        "FROM roster_head h LEFT JOIN LATERAL ("
        "  SELECT seq, first_seq, batch, payload FROM roster_change"
        "  WHERE seq >= $1::bigint ORDER BY seq LIMIT " + std::to_string(fetch_limit) +
        ") c ON true WHERE h.id = 1";
    return sql;
}

fetched fetched_of(result const& r)
{
    if (r.rows() < 1)
        throw std::runtime_error("the PostgreSQL store has no head row");
    fetched f;
    f.log_id = r.text(0, 0);
    f.head_seq = unsigned_of(r, 0, 1, true);
    f.min_seq = unsigned_of(r, 0, 2, true);
    for (int i = 0; i < r.rows(); ++i) {
        if (r.null(i, 3))
            continue;
        batch_row row;
        row.seq = unsigned_of(r, i, 3, true);
        row.first_seq = unsigned_of(r, i, 4, true);
        row.batch = r.text(i, 5);
        if (row.first_seq == 0 || row.first_seq > row.seq)
            throw decode_error("batch " + std::to_string(row.seq) + ": bad sequence range");
        row.changes = decode_batch(r.text(i, 6), row.first_seq, row.seq);
        f.rows.push_back(std::move(row));
    }
    return f;
}

} // namespace

fetched fetch_changes(connection& c, std::uint64_t from_seq, deadline until)
{
    auto const from = std::to_string(from_seq);
    param const params[] = {{from}};
    return fetched_of(c.exec_prepared("rosterd_fetch", fetch_sql(), params, until, connection::format::binary));
}

fetched lock_and_fetch(connection& c, std::uint64_t from_seq, deadline until)
{
    auto const from = std::to_string(from_seq);
    param const params[] = {{from}};
    // The lock and the read are two statements. A statement that waits for
    // a row lock reads that row again once it is granted, but every other
    // row as its snapshot from before the wait had it (READ COMMITTED's
    // recheck): one locking read would see the new head without the batch
    // that moved it, and the node's append would fail at a head it holds.
    // The read's snapshot is taken after the lock.
    connection::statement const steps[] = {
        {"BEGIN"},
        {"SELECT 1 FROM roster_head WHERE id = 1 FOR UPDATE", {}, connection::format::text, "rosterd_lock_head"},
        {fetch_sql(), params, connection::format::binary, "rosterd_fetch"},
    };
    return fetched_of(c.pipeline(steps, until).back());
}

std::pair<record_kind, store::record_id> key_of(store::change const& c)
{
    return std::visit([](auto const& ch) -> std::pair<record_kind, store::record_id> {
        using T = std::decay_t<decltype(ch)>;
        if constexpr (std::is_same_v<T, store::put_user>) return {record_kind::user, ch.after.id};
        else if constexpr (std::is_same_v<T, store::remove_user>) return {record_kind::user, ch.id};
        else if constexpr (std::is_same_v<T, store::put_group>) return {record_kind::group, ch.after.id};
        else if constexpr (std::is_same_v<T, store::remove_group>) return {record_kind::group, ch.id};
        else if constexpr (std::is_same_v<T, store::put_token>) return {record_kind::token, ch.after.id};
        else if constexpr (std::is_same_v<T, store::put_audit>) return {record_kind::audit, ch.event.id};
        else if constexpr (std::is_same_v<T, store::remove_audit>) return {record_kind::audit, ch.id};
        else if constexpr (std::is_same_v<T, store::put_answer>) return {record_kind::answer, ch.answer.id};
        else if constexpr (std::is_same_v<T, store::remove_answer>) return {record_kind::answer, ch.id};
        else return {record_kind::token, ch.id};
    }, c);
}

void add_record_images(batch_write& w, store::directory const& dir,
                       std::vector<std::pair<record_kind, store::record_id>> touched)
{
    std::sort(touched.begin(), touched.end());
    touched.erase(std::unique(touched.begin(), touched.end()), touched.end());
    for (auto const& [kind, id] : touched) {
        std::optional<store::change> image;
        switch (kind) {
        case record_kind::user:
            if (auto const* u = dir.find_user(id)) image = store::put_user{*u};
            break;
        case record_kind::group:
            if (auto const* g = dir.find_group(id)) image = store::put_group{*g};
            break;
        case record_kind::token:
            if (auto const* t = dir.find_token(id)) image = store::put_token{*t};
            break;
        case record_kind::audit:
            if (auto const* e = dir.find_audit(id)) image = store::put_audit{*e};
            break;
        case record_kind::answer:
            if (auto const* a = dir.find_answer(id)) image = store::put_answer{*a};
            break;
        }
        if (!image) {
            w.removed_kinds.push_back(static_cast<std::int16_t>(kind));
            w.removed_ids.push_back(id);
            continue;
        }
        auto const before = w.puts.size();
        encoder e(w.puts);
        encode_change(e, *image);
        w.put_kinds.push_back(static_cast<std::int16_t>(kind));
        w.put_ids.push_back(id);
        w.put_sizes.push_back(w.puts.size() - before);
    }
    w.next_ids[0] = dir.next_user_id();
    w.next_ids[1] = dir.next_group_id();
    w.next_ids[2] = dir.next_token_id();
    w.next_ids[3] = dir.next_audit_id();
}

void append(connection& c, batch_write const& w, deadline until, bool commit)
{
    std::vector<std::size_t> offsets;
    std::size_t at = 1; // substr() counts from 1
    for (auto size : w.put_sizes) {
        offsets.push_back(at);
        at += size;
    }
    auto const expected = std::to_string(w.expected);
    auto const count = std::to_string(w.count);
    auto const kinds = array_text(w.put_kinds), ids = array_text(w.put_ids), offs = array_text(offsets),
               sizes = array_text(w.put_sizes), removed_kinds = array_text(w.removed_kinds),
               removed_ids = array_text(w.removed_ids);
    auto const next = array_text(std::vector<std::uint64_t>(std::begin(w.next_ids), std::end(w.next_ids)));
    param const params[] = {{w.log_id}, {expected}, {w.nonce}, {count}, {w.payload, true}, {w.puts, true},
                            {kinds}, {ids}, {offs}, {sizes}, {removed_kinds}, {removed_ids}, {next},
                            {w.expected_batch}};
    constexpr char const* sql =
        "SELECT rosterd_append($1::uuid, $2::bigint, NULLIF($14, '')::uuid, $3::uuid, $4::bigint, "
        "$5::bytea, $6::bytea, $7::smallint[], $8::bigint[], $9::integer[], $10::integer[], "
        "$11::smallint[], $12::bigint[], $13::bigint[])";
    if (!commit) {
        c.exec_prepared("rosterd_append_v2", sql, params, until);
        return;
    }
    connection::statement const steps[] = {
        {sql, params, connection::format::text, "rosterd_append_v2"},
        {"COMMIT"},
    };
    c.pipeline(steps, until);
}

bool batch_committed(connection& c, std::uint64_t expected, std::string const& nonce, deadline until)
{
    auto const after = std::to_string(expected);
    param const params[] = {{after}};
    return in_transaction(c, "BEGIN", until, [&] {
        // Waits for whichever transaction holds the head to end.
        c.exec("SELECT seq FROM roster_head WHERE id = 1 FOR SHARE", until);
        auto const r = c.exec("SELECT batch::text FROM roster_change WHERE seq > $1::bigint ORDER BY seq LIMIT 1",
                              params, until);
        return r.rows() == 1 && r.text(0, 0) == nonce;
    });
}

bool end_session(connection& c, session_id const& s, deadline until)
{
    if (s.pid == 0)
        return true;
    auto const pid = std::to_string(s.pid);
    param const params[] = {{pid}, {s.started}};
    auto const r = c.exec("SELECT pg_terminate_backend(pid, 1000) FROM pg_stat_activity "
                          "WHERE pid = $1::integer AND backend_start = $2::timestamptz",
                          params, until);
    return r.rows() == 0 || r.text(0, 0) == "t";
}

std::uint64_t trim(connection& c, std::uint64_t keep_changes, std::chrono::seconds keep_age, deadline until)
{
    auto const keep = std::to_string(keep_changes);
    auto const age = std::to_string(keep_age.count());
    param const params[] = {{keep}, {age}};
    auto const kept = unsigned_of(
        c.exec("SELECT rosterd_trim_mark($1::bigint, make_interval(secs => $2::double precision))", params, until),
        0, 0, false);
    // Each DELETE its own short transaction, none on the head row: every
    // node's appends go on meanwhile.
    auto const below = std::to_string(kept);
    param const cut[] = {{below}};
    constexpr char const* delete_some =
        "WITH gone AS (DELETE FROM roster_change WHERE seq IN "
        "(SELECT seq FROM roster_change WHERE seq < $1::bigint ORDER BY seq LIMIT 5000) RETURNING 1) "
        "SELECT count(*) FROM gone";
    while (c.exec(delete_some, cut, until).number(0, 0) > 0) {
    }
    return kept;
}

void import_directory(connection& c, store::directory const& dir, deadline until)
{
    // COPY's text format: bytea as \\x followed by hex digits.
    std::string rows;
    auto add = [&rows](record_kind kind, store::record_id id, store::change const& image) {
        std::string item;
        encoder e(item);
        encode_change(e, image);
        static constexpr char hex[] = "0123456789abcdef";
        rows.append(std::to_string(static_cast<int>(kind))).append("\t").append(std::to_string(id));
        rows.append("\t0\t\\\\x");
        for (unsigned char b : item) {
            rows.push_back(hex[b >> 4]);
            rows.push_back(hex[b & 15]);
        }
        rows.push_back('\n');
    };
    for (auto const& [id, g] : dir.groups())
        add(record_kind::group, id, store::put_group{g});
    for (auto const& u : dir.users())
        add(record_kind::user, u.id, store::put_user{u});
    for (auto const& t : dir.tokens())
        add(record_kind::token, t.id, store::put_token{t});
    for (auto const& e : dir.audit())
        add(record_kind::audit, e.id, store::put_audit{e});
    for (auto const& [id, a] : dir.answers())
        add(record_kind::answer, id, store::put_answer{a});
    auto const next = array_text(std::vector<std::uint64_t>{dir.next_user_id(), dir.next_group_id(),
                                                            dir.next_token_id(), dir.next_audit_id()});
    in_transaction(c, "BEGIN", until, [&] {
        auto const h = c.exec("SELECT seq, (SELECT count(*) FROM roster_record) FROM roster_head "
                              "WHERE id = 1 FOR UPDATE", until);
        if (h.number(0, 0) != 0 || h.number(0, 1) != 0)
            throw std::runtime_error("the PostgreSQL store already holds a directory (change " +
                                     std::string(h.text(0, 0)) + "); import only into an empty store");
        c.copy_in("COPY roster_record (kind, id, seq, payload) FROM STDIN", rows, until);
        param const params[] = {{next}};
        c.exec("UPDATE roster_head SET log_id = gen_random_uuid(), next_ids = $1::bigint[] WHERE id = 1", params,
               until);
    });
}

} // namespace rosterd::persist::pg
