#pragma once
// The directory's records. Plain values: copying one is how a change is made
// (a handler copies a record, edits the copy, and submits it as an after-image).

#include "store/membership.hpp"
#include "store/opt_int.hpp"
#include "store/short_text.hpp"
#include "store/user_texts.hpp"

#include <array>
#include <charconv>
#include <cstdint>
#include <initializer_list>
#include <limits>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace rosterd::store {

using record_id = std::uint64_t; // also in membership.hpp
// Seconds since the Unix epoch, UTC. Every stored time is absolute.
using unix_time = std::int64_t;

enum class remove_period : std::uint8_t { none, week, month, year };

struct user {
    // Pointers and eight-byte values first, the flags together at the end:
    // no padding between fields. 56 bytes, and a user takes just that in
    // the directory (store/record_table.hpp): every byte added here is a
    // megabyte a million users.
    record_id id = 0;
    // firstName and lastName; phoneNumber, emailAddress, externalId,
    // description, remarks, authOrganizationId and userName (the name an
    // identity provider knows the user by, SCIM's userName: unique among
    // users, ignoring ASCII case); and the memberships. Read and set them
    // through the functions below.
    user_texts texts;
    opt_id client_id;
    opt_time remove_at;
    unix_time created = 0;
    unix_time updated = 0;
    bool phone_number_verified = false;
    bool email_address_verified = false;
    remove_period auto_remove_after = remove_period::none;
    bool super_user : 1 = false;
    // False: the user is deactivated (SCIM's active), and their tokens fail.
    bool active : 1 = true;
    bool auto_email_match : 1 = false;
    bool require_email_match : 1 = false;
    bool email_match_credential_filter : 1 = false;
    // Who set removeAt: the reaper re-checks their right when it falls due.
    // 0 when unknown: set before rosterd recorded it, or by a user whose id
    // is past 32 bits (a uint32 fits the record's padding; a wider field
    // would cost every user 16 bytes). Kept only while removeAt is set.
    std::uint32_t removal_by = 0;

    using text = user_texts::value;
    // Never absent: an empty name is stored as none.
    std::string_view first_name() const noexcept { return texts.get(user_text::first_name).value_or(std::string_view()); }
    std::string_view last_name() const noexcept { return texts.get(user_text::last_name).value_or(std::string_view()); }
    void set_first_name(std::string_view v) { texts.set(user_text::first_name, v.empty() ? text() : text(v)); }
    void set_last_name(std::string_view v) { texts.set(user_text::last_name, v.empty() ? text() : text(v)); }
    text phone_number() const noexcept { return texts.get(user_text::phone_number); }
    text email_address() const noexcept { return texts.get(user_text::email_address); }
    text external_id() const noexcept { return texts.get(user_text::external_id); }
    text description() const noexcept { return texts.get(user_text::description); }
    text remarks() const noexcept { return texts.get(user_text::remarks); }
    text auth_organization_id() const noexcept { return texts.get(user_text::auth_organization_id); }
    text user_name() const noexcept { return texts.get(user_text::user_name); }
    void set_phone_number(text v) { texts.set(user_text::phone_number, v); }
    void set_email_address(text v) { texts.set(user_text::email_address, v); }
    void set_external_id(text v) { texts.set(user_text::external_id, v); }
    void set_description(text v) { texts.set(user_text::description, v); }
    void set_remarks(text v) { texts.set(user_text::remarks, v); }
    void set_auth_organization_id(text v) { texts.set(user_text::auth_organization_id, v); }
    void set_user_name(text v) { texts.set(user_text::user_name, v); }

    // Sorted by group_id, at most one entry per group.
    membership_view groups() const noexcept { return texts.memberships(); }
    void set_groups(std::span<membership const> groups) { texts.set_memberships(groups); }
    void set_groups(std::initializer_list<membership> groups) { set_groups(std::span(groups.begin(), groups.size())); }
    std::optional<membership> membership_of(record_id group_id) const;
    // Adds or changes the membership, keeping `groups` sorted.
    void set_membership(record_id group_id, bool admin);
    void remove_membership(record_id group_id);
    bool is_admin_of(record_id group_id) const;

    friend bool operator==(user const&, user const&) = default;
};

struct group {
    record_id id = 0;
    std::string name;
    std::optional<record_id> client_id;
    unix_time created = 0;
    // When its name or members last changed (SCIM's meta.lastModified);
    // 0: never since it was created.
    unix_time updated = 0;
    friend bool operator==(group const&, group const&) = default;
};

// SHA-256 of a token's secret: the only form in which a secret is kept.
using token_hash = std::array<std::uint8_t, 32>;

// 88 bytes, so that its map node fits malloc's 144-byte chunk.
struct token {
    record_id id = 0;
    record_id user_id = 0;
    token_hash hash{};
    short_text description;
    unix_time created = 0;
    opt_time expires;
    opt_time last_used;
    friend bool operator==(token const&, token const&) = default;
};

// Who changed what, when and from where (GET /audit). The fields are
// names only (bits of audit_field, store/audit.hpp), never values: the
// trail says that a phone number changed, not what it became.
enum class audit_action : std::uint8_t {
    create_user = 1, update_user, delete_user,
    create_group, update_group, delete_group,
    create_token, update_token, delete_token,
};

struct audit_event {
    record_id id = 0;
    unix_time at = 0;
    // The caller; 0 when rosterd itself made the change (bootstrap,
    // recovery, auto-removal).
    record_id actor_user = 0;
    record_id actor_token = 0;
    // The caller's address in IPv6 form (IPv4 mapped); all zero for rosterd.
    std::array<std::uint8_t, 16> address{};
    // The user changed, or a token's owner; 0 for a group.
    record_id user_id = 0;
    record_id group_id = 0; // a group's changes
    record_id token_id = 0; // a token's changes
    std::uint32_t fields = 0;
    audit_action action = audit_action::update_user;
    friend bool operator==(audit_event const&, audit_event const&) = default;
};

// A POST's answer, kept under the caller's Idempotency-Key for a day so
// that a retry is answered the same and changes nothing again
// (api/idempotency.hpp). Never holds a token's secret.
struct kept_answer {
    // A hash of (user_id, key): the record's id in every store.
    record_id id = 0;
    record_id user_id = 0; // the caller the key belongs to
    unix_time at = 0;
    std::string key;
    // SHA-256 of the request (method, target and body): a key reused for
    // another request is refused.
    std::array<std::uint8_t, 32> request{};
    std::uint16_t status = 0;
    std::string content_type, location, etag, body;
    friend bool operator==(kept_answer const&, kept_answer const&) = default;
};

// How long an answer is kept: a retry within it is answered from it.
inline constexpr unix_time answer_kept_for = 24 * 60 * 60;
inline bool still_kept(kept_answer const& a, unix_time now) { return now < a.at + answer_kept_for; }

// An id as text: decimal digits without a leading zero ("4", never "04"
// or "+4") naming a positive 63-bit integer; nullopt for anything else.
// The one reading of ids in paths, queries, SCIM values and names.
inline std::optional<record_id> parse_record_id(std::string_view text)
{
    if (text.empty() || text.front() == '0')
        return std::nullopt;
    record_id id = 0;
    auto const [end, ec] = std::from_chars(text.data(), text.data() + text.size(), id);
    constexpr record_id max_id = static_cast<record_id>(std::numeric_limits<std::int64_t>::max());
    if (ec != std::errc{} || end != text.data() + text.size() || id > max_id)
        return std::nullopt;
    return id;
}

// Whether a user of client `a` may belong to a group of client `b`:
// equal, or either one absent.
inline bool clients_compatible(std::optional<record_id> a, std::optional<record_id> b)
{
    return !a || !b || *a == *b;
}

} // namespace rosterd::store
