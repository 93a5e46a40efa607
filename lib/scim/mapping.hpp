#pragma once
// Between SCIM resources (RFC 7643) and rosterd's records; docs/scim.md is
// the table. A SCIM User is a rosterd user, a SCIM Group a user group:
//
//   SCIM                          rosterd
//   id                            id (as a string)
//   userName                      userName (else emailAddress, else id)
//   externalId                    externalId
//   name.givenName / familyName   firstName / lastName
//   emails (primary, else work,   emailAddress
//     else the first)
//   phoneNumbers (likewise)       phoneNumber (read by libphonenumber as
//                                 E.164, phone.hpp; one it cannot read is
//                                 not kept)
//   active                        active
//   groups (read-only)            memberships
//   Group displayName, members    group name, memberships
//
// Everything else a client sends (displayName, password, locale, the
// enterprise extension, ...) is ignored: the resource returned shows what
// was kept.
//
// Thread safety: pure functions; the caller holds the directory's lock.

#include "store/directory.hpp"

#include <boost/json/object.hpp>

#include <string>
#include <string_view>
#include <vector>

namespace rosterd::scim {

// "/scim/v2/Users/7": where a resource is.
std::string location(std::string_view collection, store::record_id id);

// name.formatted: "givenName familyName", either alone, or empty.
std::string formatted_name(store::user const& u);

// The User resource of `u` as `viewer` may see it (groups[].display only
// for groups the viewer may read); `version` is its ETag (meta.version). Its
// userName is the name the directory resolves to `u` (effective_name), so
// that a user made through the native API can be found, and linked, by the
// identity provider's "userName eq" lookup.
boost::json::object user_resource(store::user const& u, store::directory const& dir, store::user const& viewer,
                                  std::string_view version);

// How a Group resource shows its members: not at all, or in full, with
// "display", "$ref" and "type".
enum class group_members { none, full };

// One member of a Group resource: {"value", "$ref", "type", "display"},
// the display only when `viewer` may read that user (null: never).
boost::json::object member_entry(store::record_id id, store::directory const& dir, store::user const* viewer);

// The Group resource of `g`, its members shown as `members` says; a
// member's display only when `viewer` may read that user.
boost::json::object group_resource(store::group const& g, store::directory const& dir, group_members members,
                                   store::user const& viewer, std::string_view version);

// rosterd's fields for a User resource, as a body of the native API:
// userName, firstName, lastName, emailAddress, phoneNumber, externalId,
// each present (null or "" when the resource has none), and active when the
// resource has it. A phone number is read with `phone_region` for national
// forms; one that is not a phone number is left out (null) rather than
// failing the request, and `dropped` (if given) says so. `kept_phone` is
// the number the user has now: when the resource holds it and another
// readable number (a provider that PATCHes its "mobile" number while
// rosterd shows the one it keeps as "work" adds an element), the other is
// the provider's change. Throws scim::error (invalidValue) for a value of
// the wrong type or a resource without a userName.
boost::json::object native_fields(boost::json::object const& resource, std::string_view phone_region = {},
                                  std::string* dropped = nullptr, std::string_view kept_phone = {});

// The members of a Group resource: their ids in ascending order, without
// repeats. Throws scim::error for a member whose value is not a user id.
std::vector<store::record_id> member_ids(boost::json::object const& resource);

// A group's displayName: a non-empty string. Throws scim::error.
std::string display_name(boost::json::object const& resource);

} // namespace rosterd::scim
