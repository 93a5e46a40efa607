#pragma once
// The audit trail's rules: which event a change makes, and the names its
// actions and fields go by in the API.
//
// Every change a caller makes through the API, and every change rosterd
// makes itself, is recorded with an audit_event: who (user and token), when,
// from which address, what (the action and the record), and which fields
// changed (their names, never their values). A write that changes nothing a
// client can see (a PUT of the values already there) makes no event.

#include "store/directory.hpp"

#include <array>
#include <cstdint>
#include <optional>
#include <string_view>
#include <vector>

namespace rosterd::store {

// Who makes a change: a caller of the API, or rosterd itself (all zero).
struct actor {
    record_id user = 0;
    record_id token = 0;
    std::array<std::uint8_t, 16> address{};
};

// The event recording `c` by `who` at `at`, given the directory before `c`;
// nullopt when `c` changes nothing worth recording (an audit change, a
// token's last use, a put of the record as it is).
std::optional<audit_event> audit_of(directory const& dir, change const& c, actor const& who, unix_time at);

// "user.created", "usergroup.deleted", "token.created", ...
std::string_view action_name(audit_action a);

// The API names of an event's fields ("firstName", "userGroups", ...).
std::vector<std::string_view> field_names(std::uint32_t fields);

// Retention. The trail must not be flushed by the people it watches: a
// user renaming themselves in a loop must not push out the events that
// matter (a superuser's, rights, tokens, memberships). So events fall in
// three classes, and the ones that matter least go first:
//   - self-service: a user's own change of their names, contacts or
//     description (is_self_service). A user keeps at most
//     max_self_service_events of these: recording one more removes their
//     oldest, in the same batch (self_service_overflow);
//   - routine: any other update of those plain fields by a user who is
//     not a superuser;
//   - everything else: creations and deletions, groups, tokens,
//     memberships and rights (superUser, clientId, active, userName,
//     verification, removal), rosterd's own changes, and every change a
//     superuser makes.
// Every event goes after `retention`; beyond `max_events` the trail drops
// self-service events first, then routine ones, then the rest, each
// class oldest first.
bool is_self_service(audit_event const& e);
inline constexpr std::size_t max_self_service_events = 1000;

// The event to remove so that recording `e` keeps its user within
// max_self_service_events; nullopt when none need go.
std::optional<record_id> self_service_overflow(directory const& dir, audit_event const& e);

// Audit events that are due to go, at most `max_removals` of them: older
// than `retention` seconds at `now`, then, while more than `max_events`
// remain, by class as above.
std::vector<record_id> expired_audit(directory const& dir, unix_time now, unix_time retention,
                                     std::size_t max_events, std::size_t max_removals);

} // namespace rosterd::store
