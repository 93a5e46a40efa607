#pragma once
// The body and query of PUT /user/{id} and POST /user: checking them
// (types, formats, lengths: 400 naming the field) and merging them into a
// user record (only the fields present change).

#include "api/json_body.hpp"
#include "http/request.hpp"
#include "http/response.hpp"
#include "store/directory.hpp"
#include "store/user_field.hpp"

#include <boost/json/object.hpp>
#include <boost/url/params_view.hpp>

#include <optional>
#include <string>
#include <string_view>

namespace rosterd::api {

namespace limits {
inline constexpr std::size_t name_chars = 255;
inline constexpr std::size_t text_chars = 4096;
inline constexpr std::size_t email_chars = 254;
} // namespace limits

// A validated body: the fields present, and their values.
struct user_patch {
    boost::json::object values;
    store::field_set fields;
};

// The query's role change: ?userGroupId=G[&groupAdmin=true|false]
struct role_change {
    std::optional<store::record_id> group;
    std::optional<bool> admin;
    bool empty() const { return !group && !admin; }
};

// Checks a body object; the detail of a 400 otherwise ("phoneNumber: not an E.164 number").
std::optional<std::string> check_user_patch(boost::json::object body, user_patch& out);

// Checks a parsed body as a patch: parsing's own 415 or 400, or a 400. The
// values move into `out` (which should share the body's memory resource).
std::optional<http::response> read_user_patch(parsed_body& body, user_patch& out);

// Parses the query: 400 for an unknown, repeated or malformed parameter.
std::optional<http::response> parse_role_change(boost::urls::params_view query, role_change& out);

// Merges the patch into `u` at time `now`; the detail of a 400 when the
// result would be inconsistent (verifying a number that is not there).
std::optional<std::string> apply_patch(store::user& u, user_patch const& patch, store::unix_time now);

// Applies the role change to `u` and checks every membership's clientId;
// the detail of the 400 "Invalid roles" otherwise.
std::optional<std::string> apply_roles(store::user& u, role_change const& roles, store::directory const& dir);

// Checks that every write of a user makes, whichever API it comes through.
struct context;

// A 403 for the first field of `fields` the caller may not set, if any.
std::optional<http::response> refuse_fields(store::field_set const& fields, store::field_set allowed);

// A 403 when `patch` would demote or deactivate `target` and so leave no
// superuser with a token that works: the directory never locks its operator out.
std::optional<http::response> refuse_lock_out(context const& ctx, store::user const& target,
                                              user_patch const& patch);

// A 403 when `patch` takes `target` out of use and the caller may not
// (auth::may_retire): active:false or autoRemoveAfter on a superuser or
// on an admin of a group the caller does not administer; and active:false
// on oneself, which nobody may do.
std::optional<http::response> refuse_retirement(context const& ctx, store::user const& target,
                                                user_patch const& patch);

// Another user who claims `u`'s userName (store::directory::name_claimant);
// null when there is none.
store::user const* name_clash(store::directory const& dir, store::user const& u);

// Why a userName cannot be had: "user N already has this userName" when
// the caller may read user N, else that it is taken, naming no one.
std::string taken_by(context const& ctx, store::user const& holder);

// The JSON name of a field, as clients spell it ("phoneNumber").
std::string_view field_name(store::user_field f);

// Format rules, exposed for their unit tests.
bool is_e164(std::string_view s);
bool is_email_address(std::string_view s);

} // namespace rosterd::api
