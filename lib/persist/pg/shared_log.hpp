#pragma once
// The directory in PostgreSQL: a change log every node follows, and the
// current records, for loading.
//
//   roster_head    one row, the serialization point: the log's id (new when
//                  the log is replaced), its last sequence, the oldest kept,
//                  and the next user, group and token ids
//   roster_change  one row per committed batch: its last sequence, its
//                  first, a nonce, and its journal records (the local
//                  journal's bytes: one codec, one framing)
//   roster_record  every record's after-image, as a snapshot item
//
// A batch is appended by rosterd_append(), one autocommit statement that
// moves the head from S to S+n only if it is still at S and the batch
// ending at S is the one the node applied (else 40001): the head row's
// lock makes sequences gap-free and commit-ordered, so a follower that
// reads the log in sequence order never skips a change, and a node on
// another history (a restored store) never appends to this one.

#include "persist/pg/connection.hpp"
#include "store/directory.hpp"

#include <cstdint>
#include <string>
#include <vector>

namespace rosterd::persist::pg {

inline constexpr int schema_version = 3;
inline constexpr char const* notify_channel = "rosterd";

// Creates the schema in an empty database, or checks (and migrates) the
// one there, holding an advisory lock so that nodes starting together do
// it once. Throws error, or std::runtime_error for a schema newer than
// this binary.
void ensure_schema(connection& c, deadline until);

// Where a follower stands in the log.
struct position {
    std::string log_id;
    std::uint64_t seq = 0;
    // The nonce of the batch ending at seq; empty when the log holds none.
    std::string batch;
};

// Fills the empty `dir` with the store's records in one consistent read.
position load_directory(connection& c, store::directory& dir, deadline until);

// A batch as read back from the log.
struct batch_row {
    std::uint64_t seq = 0;
    std::uint64_t first_seq = 0;
    std::string batch;
    std::vector<store::change> changes;
};

struct fetched {
    std::string log_id;
    std::uint64_t head_seq = 0;
    std::uint64_t min_seq = 0;
    std::vector<batch_row> rows; // seq >= the asked one, ascending
};

inline constexpr int fetch_limit = 500;

// What PostgreSQL hands back is checked as a file is: decode_error for
// anything that does not decode. A batch's journal records, which must
// carry the sequences first..last in order:
std::vector<store::change> decode_batch(std::string_view payload, std::uint64_t first, std::uint64_t last);
// A roster_record row: one record's image (put_group, put_user, ...).
store::change decode_record(std::string_view payload);

// The head and the batches from `from_seq` on (the one ending at from_seq
// included, to check it is still the batch applied). Throws error, and
// corruption_error for a payload that does not decode.
fetched fetch_changes(connection& c, std::uint64_t from_seq, deadline until);
// The same in a transaction it begins, holding the head row (other nodes'
// appends wait for its end): one round trip.
fetched lock_and_fetch(connection& c, std::uint64_t from_seq, deadline until);

// A record's kind in roster_record, in loading order (groups before the
// users that belong to them).
// `answer`: kept under an Idempotency-Key.
enum class record_kind : std::int16_t { group = 1, user = 2, token = 3, audit = 4, answer = 5 };

// What a batch wrote, for rosterd_append.
struct batch_write {
    std::string log_id;         // the log the batch was made on
    std::uint64_t expected = 0; // the head the batch was made at
    std::string expected_batch; // the nonce of the batch ending there; empty at 0
    std::string nonce;          // a uuid
    std::uint64_t count = 0;    // changes: sequences expected+1 .. expected+count
    std::string payload;        // journal records
    // After-images of the records touched, and the records removed.
    std::string puts;           // snapshot items, back to back
    std::vector<std::int16_t> put_kinds;
    std::vector<std::uint64_t> put_ids;
    std::vector<std::size_t> put_sizes;
    std::vector<std::int16_t> removed_kinds;
    std::vector<std::uint64_t> removed_ids;
    std::uint64_t next_ids[4] = {1, 1, 1, 1}; // user, group, token, audit event
};

// Fills `w`'s record part from the keys the batch touched, as `dir` is now.
void add_record_images(batch_write& w, store::directory const& dir,
                       std::vector<std::pair<record_kind, store::record_id>> touched);
// The (kind, id) a change names.
std::pair<record_kind, store::record_id> key_of(store::change const& c);

// Appends `w` in one statement, and with `commit` commits the transaction
// lock_and_fetch() began, in the same round trip. Throws error: sqlstate
// 40001 when the head has moved on (or the log was replaced).
void append(connection& c, batch_write const& w, deadline until, bool commit = false);

// Whether the batch after `expected` is `nonce`, once any transaction that
// holds the head has ended: settles a commit whose answer was lost.
bool batch_committed(connection& c, std::uint64_t expected, std::string const& nonce, deadline until);

// Ends the session `s` if it still runs on the server `c` is connected to
// (waiting up to a second for it to go): true once it is gone, so that no
// transaction of it can still commit; false if it still runs. A session of
// another server (after a failover) is not there: nothing is ended.
bool end_session(connection& c, session_id const& s, deadline until);

// Moves the log's start past batches older than both bounds, then deletes
// the batches before it a few thousand at a time, never holding the head
// row meanwhile. Returns the new oldest sequence kept.
std::uint64_t trim(connection& c, std::uint64_t keep_changes, std::chrono::seconds keep_age, deadline until);

// A token's last use, to the second.
struct token_use {
    store::record_id token = 0;
    store::unix_time at = 0;
};

// Tokens' last uses travel outside the log (best-effort, as lastUsed is):
// sends `ours` (the store keeps the later of its time and each one sent),
// then returns the store's uses at or after `since`, all nodes' alike.
std::vector<token_use> exchange_token_uses(connection& c, std::vector<token_use> const& ours,
                                           store::unix_time since, deadline until);

// Forgets the uses of tokens no longer in the store.
void forget_removed_token_uses(connection& c, deadline until);

// `rosterd import`: copies `dir` into an empty store (its log gets a new id,
// so that running nodes reload). Throws std::runtime_error if the store is
// not empty.
void import_directory(connection& c, store::directory const& dir, deadline until);

} // namespace rosterd::persist::pg
