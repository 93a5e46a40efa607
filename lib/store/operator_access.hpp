#pragma once
// The directory must never lock its operators out: some superuser must
// always hold a token that works. This is the rule that the API (revoking
// a token, deleting or demoting a user) and the reaper (removing a user
// whose autoRemoveAfter passed) check before they change anything.
//
// Expiry cannot be refused when it comes, so it is refused ahead of time:
// a change may not take away the last superuser token that never expires,
// nor the last one that works now. A directory that has only expiring
// superuser tokens (made by hand, or by an older version) keeps them until
// they expire; `rosterd recover` is the way back in after that.
//
// Thread safety: the caller holds the directory's lock.

#include "store/directory.hpp"

namespace rosterd::store {

enum class operator_access {
    none,     // no superuser holds a token that works now
    expiring, // some do, but every one of those tokens expires
    lasting,  // a superuser holds a token that never expires
};

// What to leave out of the count, to ask "what if this were gone?": a token,
// a user (with their tokens), or a user's superuser right (or their being
// active). 0 leaves nothing out.
struct leaving_out {
    record_id token = 0;
    record_id user = 0;
    record_id demoted = 0;
};

operator_access operator_access_of(directory const& dir, unix_time now, leaving_out without = {});

// Whether taking `without` away would leave the operators worse off.
inline bool would_lock_out(directory const& dir, unix_time now, leaving_out without)
{
    return operator_access_of(dir, now, without) < operator_access_of(dir, now);
}

} // namespace rosterd::store
