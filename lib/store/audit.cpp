#include "store/audit.hpp"

#include <cstddef>

namespace rosterd::store {

namespace {

// Bit positions in audit_event::fields.
enum class audit_field : std::uint8_t {
    first_name, last_name, phone_number, phone_number_verified, email_address, email_address_verified,
    super_user, client_id, external_id, description, remarks, auto_remove_after, remove_at,
    auto_email_match, require_email_match, email_match_credential_filter, auth_organization_id,
    user_groups, name, expires, user_name, active,
};

constexpr std::array<std::string_view, 22> names{
    "firstName", "lastName", "phoneNumber", "phoneNumberVerified", "emailAddress", "emailAddressVerified",
    "superUser", "clientId", "externalId", "description", "remarks", "autoRemoveAfter", "removeAt",
    "autoEmailMatch", "requireEmailMatch", "emailMatchCredentialFilter", "authOrganizationId",
    "userGroups", "name", "expires", "userName", "active",
};

constexpr std::uint32_t bit(audit_field f) { return std::uint32_t{1} << static_cast<unsigned>(f); }

// What a user may change on their own record (auth::settable_fields for self).
constexpr std::uint32_t self_service_fields = bit(audit_field::first_name) | bit(audit_field::last_name)
    | bit(audit_field::phone_number) | bit(audit_field::email_address) | bit(audit_field::description);

// Fields that say who someone is or what they may do.
constexpr std::uint32_t rights_fields = bit(audit_field::super_user) | bit(audit_field::client_id)
    | bit(audit_field::user_groups) | bit(audit_field::active) | bit(audit_field::user_name)
    | bit(audit_field::auto_remove_after) | bit(audit_field::remove_at) | bit(audit_field::phone_number_verified)
    | bit(audit_field::email_address_verified);

enum class retention_class { self_service, routine, kept };

retention_class class_of(directory const& dir, audit_event const& e)
{
    if (is_self_service(e))
        return retention_class::self_service;
    if (e.action != audit_action::update_user || e.actor_user == 0 || (e.fields & rights_fields))
        return retention_class::kept;
    auto const* actor = dir.find_user(e.actor_user);
    return actor && actor->super_user ? retention_class::kept : retention_class::routine;
}

// The audit field of each of a user's texts, in user_text's order.
constexpr std::array<audit_field, user_text_count> text_fields{
    audit_field::first_name, audit_field::last_name, audit_field::phone_number, audit_field::email_address, audit_field::external_id, audit_field::description,
    audit_field::remarks, audit_field::auth_organization_id, audit_field::user_name,
};

// Collects the fields in which two versions of a record differ.
class difference {
public:
    template <class T>
    difference& field(audit_field f, T const& before, T const& after)
    {
        if (!(before == after))
            bits_ |= std::uint32_t{1} << static_cast<unsigned>(f);
        return *this;
    }
    std::uint32_t bits() const { return bits_; }

private:
    std::uint32_t bits_ = 0;
};

std::uint32_t changed_fields(user const& a, user const& b)
{
    using f = audit_field;
    difference d;
    // Each block read once, not once per text.
    auto const before = a.texts.all(), after = b.texts.all();
    for (std::size_t i = 0; i < user_text_count; ++i)
        d.field(text_fields[i], before[i], after[i]);
    return d
        .field(f::phone_number_verified, a.phone_number_verified, b.phone_number_verified)
        .field(f::email_address_verified, a.email_address_verified, b.email_address_verified)
        .field(f::super_user, a.super_user, b.super_user)
        .field(f::client_id, a.client_id, b.client_id)
        .field(f::auto_remove_after, a.auto_remove_after, b.auto_remove_after)
        .field(f::remove_at, a.remove_at, b.remove_at)
        .field(f::auto_email_match, a.auto_email_match, b.auto_email_match)
        .field(f::require_email_match, a.require_email_match, b.require_email_match)
        .field(f::email_match_credential_filter, a.email_match_credential_filter, b.email_match_credential_filter)
        .field(f::user_groups, a.groups(), b.groups())
        .field(f::active, a.active, b.active)
        .bits();
}

std::uint32_t changed_fields(group const& a, group const& b)
{
    return difference()
        .field(audit_field::name, a.name, b.name)
        .field(audit_field::client_id, a.client_id, b.client_id)
        .bits();
}

std::uint32_t changed_fields(token const& a, token const& b)
{
    return difference()
        .field(audit_field::description, a.description, b.description)
        .field(audit_field::expires, a.expires, b.expires)
        .bits();
}

// A put of `after` over `before` (null: a new record): the action and
// fields, or nullopt when nothing visible changes.
template <class Record>
std::optional<std::pair<audit_action, std::uint32_t>> put_event(Record const* before, Record const& after,
                                                                 audit_action create, audit_action update)
{
    // A new record's fields are those it sets: its difference from an empty
    // one. Both operands lvalues, so that `before` is not copied.
    Record const empty{};
    auto const fields = changed_fields(before ? *before : empty, after);
    if (!before)
        return std::pair{create, fields};
    if (fields == 0)
        return std::nullopt;
    return std::pair{update, fields};
}

} // namespace

std::optional<audit_event> audit_of(directory const& dir, change const& c, actor const& who, unix_time at)
{
    audit_event e;
    e.id = dir.next_audit_id();
    e.at = at;
    e.actor_user = who.user;
    e.actor_token = who.token;
    e.address = who.address;
    auto const made = std::visit([&](auto const& ch) -> bool {
        using T = std::decay_t<decltype(ch)>;
        auto set = [&e](auto const& event) {
            if (!event)
                return false;
            e.action = event->first;
            e.fields = event->second;
            return true;
        };
        if constexpr (std::is_same_v<T, put_user>) {
            e.user_id = ch.after.id;
            return set(put_event(dir.find_user(ch.after.id), ch.after, audit_action::create_user,
                                 audit_action::update_user));
        } else if constexpr (std::is_same_v<T, remove_user>) {
            e.user_id = ch.id;
            e.action = audit_action::delete_user;
            return dir.find_user(ch.id) != nullptr;
        } else if constexpr (std::is_same_v<T, put_group>) {
            e.group_id = ch.after.id;
            return set(put_event(dir.find_group(ch.after.id), ch.after, audit_action::create_group,
                                 audit_action::update_group));
        } else if constexpr (std::is_same_v<T, remove_group>) {
            e.group_id = ch.id;
            e.action = audit_action::delete_group;
            return dir.find_group(ch.id) != nullptr;
        } else if constexpr (std::is_same_v<T, put_token>) {
            e.user_id = ch.after.user_id;
            e.token_id = ch.after.id;
            // Its last use is not a change (touch_token, not put_token).
            return set(put_event(dir.find_token(ch.after.id), ch.after, audit_action::create_token,
                                 audit_action::update_token));
        } else if constexpr (std::is_same_v<T, remove_token>) {
            auto const* t = dir.find_token(ch.id);
            if (!t)
                return false;
            e.user_id = t->user_id;
            e.token_id = ch.id;
            e.action = audit_action::delete_token;
            return true;
        } else {
            return false; // touch_token and the trail's own changes
        }
    }, c);
    if (!made)
        return std::nullopt;
    return e;
}

std::string_view action_name(audit_action a)
{
    switch (a) {
    case audit_action::create_user: return "user.created";
    case audit_action::update_user: return "user.updated";
    case audit_action::delete_user: return "user.deleted";
    case audit_action::create_group: return "usergroup.created";
    case audit_action::update_group: return "usergroup.updated";
    case audit_action::delete_group: return "usergroup.deleted";
    case audit_action::create_token: return "token.created";
    case audit_action::update_token: return "token.updated";
    case audit_action::delete_token: return "token.deleted";
    }
    return "unknown";
}

std::vector<std::string_view> field_names(std::uint32_t fields)
{
    std::vector<std::string_view> out;
    for (std::size_t i = 0; i < names.size(); ++i)
        if (fields & (std::uint32_t{1} << i))
            out.push_back(names[i]);
    return out;
}

bool is_self_service(audit_event const& e)
{
    return e.action == audit_action::update_user && e.actor_user != 0 && e.actor_user == e.user_id
        && (e.fields & ~self_service_fields) == 0;
}

std::optional<record_id> self_service_overflow(directory const& dir, audit_event const& e)
{
    if (!is_self_service(e))
        return std::nullopt;
    auto const* log = dir.self_service_of(e.user_id);
    if (!log || log->count < max_self_service_events)
        return std::nullopt;
    return log->oldest;
}

std::vector<record_id> expired_audit(directory const& dir, unix_time now, unix_time retention,
                                     std::size_t max_events, std::size_t max_removals)
{
    std::vector<record_id> due;
    auto const& trail = dir.audit();
    std::size_t young = 0; // the first event within the retention
    while (young < trail.size() && due.size() < max_removals && trail[young].at < now - retention)
        due.push_back(trail[young++].id); // events are in time order, near enough
    if (trail.size() - young <= max_events)
        return due;
    auto excess = trail.size() - young - max_events;
    for (auto const cls : {retention_class::self_service, retention_class::routine, retention_class::kept}) {
        for (auto i = young; i < trail.size() && excess > 0 && due.size() < max_removals; ++i) {
            if (class_of(dir, trail[i]) == cls) {
                due.push_back(trail[i].id);
                --excess;
            }
        }
    }
    return due;
}

} // namespace rosterd::store
