#pragma once
// A change is one value that says what the directory looks like afterwards:
// the after-image of a record, or the removal of one. Every mutation of the
// directory is a change applied by directory::apply, so that a journal can
// record exactly these values and replay them without re-validating.

#include "store/records.hpp"

#include <variant>

namespace rosterd::store {

struct put_user { user after; };
// Removes the user with their tokens (memberships go with the record).
struct remove_user { record_id id = 0; };
struct put_group { group after; };
// Removes the group and every membership in it.
struct remove_group { record_id id = 0; };
struct put_token { token after; };
struct remove_token { record_id id = 0; };
// A token's last use; best-effort, so it may be dropped or batched.
struct touch_token { record_id id = 0; unix_time at = 0; };

// The audit trail: an event is added with the change it describes, and
// removed once older than the retention (by the reaper, so that every
// store and every node drops the same events).
struct put_audit { audit_event event; };
struct remove_audit { record_id id = 0; };

// Answers kept under an Idempotency-Key: put with the change a POST made,
// removed by the reaper a day later.
struct put_answer { kept_answer answer; };
struct remove_answer { record_id id = 0; };

using change = std::variant<put_user, remove_user, put_group, remove_group, put_token, remove_token,
                            touch_token, put_audit, remove_audit, put_answer, remove_answer>;

} // namespace rosterd::store
