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

#include <boost/json/object.hpp>

namespace rosterd::scim {

// Throws scim::error: invalidSyntax (not a PatchOp), invalidPath,
// noTarget (remove without a path), mutability (id, meta, schemas),
// invalidValue.
void apply_patch(boost::json::object& resource, boost::json::object const& patch);

} // namespace rosterd::scim
