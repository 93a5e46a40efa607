#pragma once
// Idempotency-Key (IETF httpapi's Idempotency-Key header draft) on every
// POST: a client that got no answer (a timeout, a dropped connection, a
// 503 whose outcome is unknown) sends the request again with the same key,
// and the change is made at most once.
//
//   - A key is a structured-field string ("...") or the same characters
//     bare: 1 to 255 printable ASCII characters. It is the caller's own: two
//     users' keys never meet.
//   - A POST with a key that changes the directory keeps its answer under
//     (caller, key) as a record of the same batch as its change: both are
//     made, or neither. A POST that changes nothing (a 4xx) keeps nothing,
//     and its retry simply runs again.
//   - A retry within answer_kept_for (24 h) with the same method, target
//     and body changes nothing and gets the kept answer, whichever node it
//     reaches; the same key with another request is refused (422).
//   - A token's secret is shown once and kept nowhere: the retry of a
//     token's creation gets 409 naming the token, to revoke if its secret
//     was lost.
//   - Kept answers are records like the others (journal, snapshots,
//     backups, the PostgreSQL log) without audit events, and the reaper
//     removes them once a day old.
//
// Thread safety: kept_answer_for() and keep_answer() run inside the
// request's write work, under the directory's write lock.

#include "api/context.hpp"

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace rosterd::api {

inline constexpr std::size_t max_idempotency_key = 255;

// The key of an Idempotency-Key value, or nullopt when it is not one.
std::optional<std::string> parse_idempotency_key(std::string_view value);

// A keyed request, read before the write lock is taken.
struct keyed_request {
    store::record_id id = 0; // of (caller, key): the kept answer's id
    std::string key;
    std::array<std::uint8_t, 32> fingerprint{};
};

// The request's key for `caller`: nullopt without one; a 400 in `refusal`
// when it is malformed.
std::optional<keyed_request> read_idempotency_key(http::request const& req, store::record_id caller,
                                                  std::optional<http::response>& refusal);

// The answer to a retry of `k`, if one is kept (or the 422 for the key
// reused with another request); nullopt when the request is to run.
std::optional<http::response> kept_answer_for(context const& ctx, keyed_request const& k);

// Keeps `res` (or ctx.retry_answer) under `k`, in the request's batch, if
// the request changed the directory (a 2xx answer to a POST).
void keep_answer(context& ctx, keyed_request const& k, http::response& res);

} // namespace rosterd::api
