#pragma once
// Conditional requests (RFC 9110 §13) on users and groups, so that two
// admins editing one record cannot overwrite each other.
//
// A record's ETag is a strong validator: a hash of its whole state (a
// user's JSON view; a group's fields with every member and whether each is
// an admin, hashed as they are walked, never built as one text). It changes
// whenever the record does (a user's "updated" moves with every write),
// needs nothing stored, and is the same wherever the same state is held.

#include "http/request.hpp"
#include "http/response.hpp"
#include "store/directory.hpp"

#include <optional>
#include <string>
#include <string_view>

namespace rosterd::api {

// "\"<32 hex digits>\"": the first 128 bits of a SHA-256.
std::string etag_of(std::string_view representation);
std::string etag_of(store::user const& u);
std::string etag_of(store::group const& g, store::directory const& dir);

// If-Match: a 400 when it holds no entity tag or something else than entity
// tags; a 412 unless one of its tags is `current` (strong comparison) or it
// is "*". `kind` and `id` name the record in the detail.
std::optional<http::response> if_match_failure(http::request const& req, std::string_view kind, std::string_view id,
                                               std::string const& current);

// As if_match_failure(), computing the current ETag (and building any
// text) only when the request has an If-Match: most writes are not
// conditional.
template <class EtagFn>
std::optional<http::response> check_if_match(http::request const& req, std::string_view kind, std::string_view id,
                                             EtagFn&& current)
{
    if (!req.has_if_match)
        return std::nullopt;
    return if_match_failure(req, kind, id, current());
}

// If-None-Match on a GET: whether one of its entity tags is `current` (weak
// comparison) or it is "*", so that the answer is 304.
bool client_copy_is_current(http::request const& req, std::string_view current);

} // namespace rosterd::api
