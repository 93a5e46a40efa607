#pragma once
// Who may do what (docs/api.md), as pure functions of the records involved.
//
// - A superuser may do everything.
// - An admin of group G may read and update the members of G (except
//   superusers), add them to G and make them admins of G; they may not set
//   superUser or clientId. On their own record they have only the rights
//   of self: being an admin gives no rights over oneself.
// - Every user may read themselves, update their own firstName, lastName,
//   phoneNumber, emailAddress and description, and manage their own tokens.
// - Nobody, superusers included, verifies their own phone number or e-mail
//   address, unless the operator allows it (--allow-self-verify).

#include "store/records.hpp"
#include "store/user_field.hpp"

namespace rosterd::auth {

enum class access { none, self, admin, super };

// How `caller` may act on the user record `target`.
access access_to(store::user const& caller, store::user const& target);

// The fields a caller may set on a user it has `level` access to; `self`
// when that user is the caller.
store::field_set settable_fields(access level, bool self, bool allow_self_verify = false);

// Whether `caller` may take `target` out of use: deactivate them (active:
// false) or have them deleted (autoRemoveAfter). A superuser may; a group
// admin only a user they have admin access to who administers no group the
// caller does not (that would take the group's admin away, which the caller
// could not do directly). Deleting is checked twice: when it is scheduled,
// and by the reaper when it falls due (removal_stands).
bool may_retire(store::user const& caller, store::user const& target);

// Whether the removal scheduled on `target` still holds: the user who
// scheduled it (`scheduler`; null when not recorded) is active and may
// retire `target` now. With no known scheduler, only a removal any group
// admin could have scheduled stands: of a user who is neither a superuser
// nor an admin of any group.
bool removal_stands(store::user const* scheduler, store::user const& target);

// Whether `caller` may add users to `group_id` and make them its admins.
bool may_manage_members(store::user const& caller, store::record_id group_id);

// Whether `caller` may create, list and revoke `owner`'s tokens.
bool may_manage_tokens(store::user const& caller, store::user const& owner);

} // namespace rosterd::auth
