#pragma once
// SCIM PATCH (RFC 7644 §3.5.2) on a resource's JSON: the operations add,
// replace and remove, with or without a path, applied in order to a copy
// of the resource, which the handler then stores as if it had been PUT.
//
// Paths as Entra ID and Okta send them:
//   "active", "name.givenName", "members",
//   "emails[type eq \"work\"].value", "members[value eq \"7\"]",
// and no path with an object value ({"active": false}, or Entra ID's
// {"name.givenName": "Ann"}, whose keys are paths).
//
// Lenient where the identity providers need it: an add or replace whose
// value filter matches no element adds one, built from the filter's "eq"
// terms (type eq "work"); a remove that matches nothing does nothing;
// a remove of "members" with a value removes those members only.
// Attributes of other schemas (the enterprise extension) are ignored, as
// they are on create.

#include "store/records.hpp"

#include <boost/json/object.hpp>

#include <cstddef>
#include <unordered_set>

namespace rosterd::scim {

// At most this many operations in one PATCH (400 tooMany past it): each
// is applied under the directory's write lock.
inline constexpr std::size_t max_patch_operations = 1000;
// Operations on a group's members whose value filter is anything but
// `value eq "<id>"` test every member; at most this many in one PATCH.
inline constexpr std::size_t max_filtered_member_operations = 10;

// Throws scim::error: invalidSyntax (not a PatchOp), invalidPath,
// noTarget (remove without a path), mutability (id, meta, schemas),
// invalidValue, tooMany.
void apply_patch(boost::json::object& resource, boost::json::object const& patch);

// A group's PATCH: `members` (and paths under it) work on the ids in
// `members`, each in constant time, however large the group; every other
// path works on `resource` (a Group resource without its members), as
// apply_patch() does. Throws as apply_patch() does.
void apply_group_patch(boost::json::object& resource, std::unordered_set<store::record_id>& members,
                       boost::json::object const& patch);

} // namespace rosterd::scim
