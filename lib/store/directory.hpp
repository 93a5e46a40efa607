#pragma once
// The whole directory in memory: users, groups, memberships and token hashes.
//
// Thread safety: a directory is not synchronized by itself. Every caller
// takes read_lock() to look and write_lock() to look-then-change, so that a
// request's checks and its change see one consistent state.
//
// Ids: users, groups and tokens have separate sequences starting at 1.
// next_*_id() only peeks; a sequence moves past an id when a change carrying
// that id is applied, so ids are never reused, even after a removal.

#include "store/change.hpp"
#include "store/id_set.hpp"
#include "store/name_index.hpp"
#include "store/records.hpp"
#include "store/search_index.hpp"
#include "store/rw_lock.hpp"
#include "store/record_table.hpp"

#include <cstddef>
#include <deque>
#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <shared_mutex> // std::shared_lock
#include <unordered_map>
#include <utility>
#include <vector>

namespace rosterd::store {

class directory {
public:
    std::shared_lock<rw_lock> read_lock() const { return std::shared_lock{mutex_}; }
    std::unique_lock<rw_lock> write_lock() { return std::unique_lock{mutex_}; }

    // The one place state changes.
    // By value: a change passed as an rvalue is moved in, never copied.
    void apply(change c);
    // Where a user is filed in the name, externalId and address indexes:
    // the hashes, each made once. Absent: not filed there.
    struct index_keys {
        std::optional<std::uint64_t> name, external_id, address;
    };
    // Starts fetching the index slots apply(c) will touch, and answers the
    // keys of the user `c` puts (none for other changes): a loader calls
    // it a few changes ahead, so that their cache misses overlap.
    index_keys prefetch(change const& c) const;
    // A load into a directory that holds no users yet: apply(c), with
    // `keys` prefetch(c)'s answer, and the search index left to the
    // loader, which builds it from the same changes in the same order on
    // its decoding thread (search_index::builder) and hands it over with
    // adopt_search() once every change is in.
    void load(change c, index_keys const& keys);
    void adopt_search(search_index index) { search_ = std::move(index); }

    user const* find_user(record_id id) const;
    group const* find_group(record_id id) const;
    token const* find_token(record_id id) const;
    token const* find_token(token_hash const& hash) const;
    // Names (SCIM's userName), all compared in their prepared form (RFC 8265,
    // store/user_name.hpp: case, width and normalization). One rule
    // resolves a name for every path, native and SCIM, lookups and checks:
    // `name` is the rightful name of
    //   1. the user whose userName it is (the least id, should nodes have
    //      raced to give it twice); else
    //   2. the first-made (least id) user without a userName whose e-mail
    //      address it is: a user made later with the same address cannot
    //      take the name away; else
    //   3. the user whose id it is in decimal, if that is the name they go
    //      by (effective_name).
    // Null when the name is nobody's.
    user const* find_user_by_name(std::string_view name) const;
    // The name `u` goes by: userName; else their e-mail address when it is
    // rightfully theirs (rule 2); else their id.
    std::string effective_name(user const& u) const;
    // A user other than `except` who claims `name` in any way: as userName,
    // as the address of a user without a userName (first-made or not), or
    // by rule 3. Such a name may not be given to another user as userName,
    // so that no one can be made to go by someone else's name.
    user const* name_claimant(std::string_view name, record_id except) const;
    // Pairs of users (the lesser id first) whose userNames are one name in
    // their prepared form though they were not under the rules that
    // admitted them (ASCII case only): reported at start-up, never merged.
    std::vector<std::pair<record_id, record_id>> name_collisions() const;
    // The users whose externalId is `id` exactly, and those whose e-mail
    // address is `address` ignoring ASCII case, in ascending id: what an
    // identity provider looks up before it writes a user, answered from an
    // index rather than a walk of the directory.
    std::vector<record_id> users_with_external_id(std::string_view id) const;
    std::vector<record_id> users_with_address(std::string_view address) const;
    // Every user's names and address, folded, for GET /user?q=.
    search_index const& search() const { return search_; }
    audit_event const* find_audit(record_id id) const;
    kept_answer const* find_answer(record_id id) const;

    // Users ordered by id.
    user_table const& users() const { return users_; }
    std::map<record_id, group> const& groups() const { return groups_; }
    // Tokens ordered by id.
    token_table const& tokens() const { return tokens_; }
    // Ids of the members of a group (admins included), ordered.
    id_set const& members_of(record_id group_id) const;
    // Ids of a user's tokens, ordered: a view, good until the next change.
    id_view tokens_of(record_id user_id) const;
    std::size_t super_user_count() const { return super_users_.size(); }
    // Ids of the superusers, ordered.
    id_set const& super_users() const { return super_users_; }
    std::size_t token_count() const { return tokens_.size(); }
    // The audit trail, oldest first (ordered by id).
    using audit_trail = std::deque<audit_event>;
    audit_trail const& audit() const { return audit_; }
    // The first event of `trail` with an id of at least `id`.
    static audit_trail::const_iterator first_event_from(audit_trail const& trail, record_id id);
    // A user's self-service events in the trail (store/audit.hpp): how many,
    // and the oldest's id. Null when they have none.
    struct self_service_log {
        record_id oldest = 0;
        std::size_t count = 0;
    };
    self_service_log const* self_service_of(record_id user) const;
    // Answers kept under Idempotency-Keys, by id.
    std::map<record_id, kept_answer> const& answers() const { return answers_; }
    // Users whose removeAt is at or before `now`, soonest first.
    std::vector<record_id> due_for_removal(unix_time now) const;

    record_id next_user_id() const { return next_user_id_; }
    record_id next_group_id() const { return next_group_id_; }
    record_id next_token_id() const { return next_token_id_; }
    record_id next_audit_id() const { return next_audit_id_; }
    // Moves the sequences forward to at least these values (loading a snapshot).
    void raise_sequences(record_id user, record_id group, record_id token, record_id audit = 1);

    // Exchanges everything but the lock with `other` (a reload built off
    // to the side). The caller holds this directory's write lock, and no
    // one else uses `other`.
    void swap_contents(directory& other);

    // The changes that would undo `c` if applied in order after it: the
    // before-images of everything `c` touches, cascades included.
    std::vector<change> undo_of(change const& c) const;
    // apply(c), returning what undo_of(c) would have: a user that a put_user
    // replaces is moved into the undo rather than copied (the usual write).
    std::vector<change> apply_with_undo(change c);

private:
    // The user it replaced, if any. In a load(), `keys` are u's, and
    // the search index is not touched.
    std::optional<user> put(user u, index_keys const* keys = nullptr);
    void remove_user_record(record_id id);
    void put(group g);
    void remove_group_record(record_id id);
    void put(token const& t);
    void remove_token_record(record_id id);
    static index_keys keys_of(user const& u);
    // Adds or removes user `id`'s claim to a name, or their externalId and
    // address, filed under `keys` (keys_of the user).
    void index_name(record_id id, index_keys const& keys, bool add);
    void index_contacts(record_id id, index_keys const& keys, bool add);
    // The name a user claims: userName, else the e-mail address.
    static user::text claim_of(user const& u);
    static bool claims_by_address(user const& u);
    void put(audit_event const& e);
    void remove_audit_record(record_id id);
    void track_self_service(audit_event const& e);
    void untrack_self_service(audit_event const& e);

    mutable rw_lock mutex_;
    user_table users_;
    std::map<record_id, group> groups_;
    token_table tokens_;
    // Derived indexes, kept by apply().
    // Tokens by their hash's first bytes; find_token() checks the whole.
    // A flat table: 9 to 18 bytes a token, where a node map took 72.
    name_index token_by_hash_;
    // A user's claim to a name (userName, else the e-mail address), by a
    // hash of its prepared form (name_index.hpp: 9 to 18 bytes a user).
    // An ASCII address claimed is not here but in user_by_address_, under
    // the same key (claims_by_address).
    name_index user_by_name_;
    // Every user's externalId (by a hash of it) and e-mail address (of its
    // ASCII lower case), whether or not it is their name: 9 to 18 bytes
    // a user who has one.
    name_index user_by_external_id_;
    name_index user_by_address_;
    search_index search_;
    // Calls f(u) for each user whose claim is `name`, ignoring ASCII case.
    template <class F>
    void for_each_claim(std::string_view name, F&& f) const;
    // The first-made user without a userName whose address is `address`.
    user const* address_holder(std::string_view address) const;
    // Whether `u` goes by their address (rule 2).
    bool holds_address(user const& u) const;
    std::unordered_map<record_id, id_set> members_;
    // Each user's tokens. Most owners hold one: it is filed in a flat
    // table by the owner (sole_token_, about 10 bytes an owner), and a set
    // in a map node (about 100 bytes) is made only for an owner of two or
    // more (user_tokens_). A second token is not filed in the flat table
    // too: a user may hold up to --max-tokens-per-user tokens, a million if
    // so configured, and one key repeated that often makes a probe run
    // that every insert walks. An owner's tokens are in one of the two, never
    // both; a set stays until its last token goes.
    name_index sole_token_;
    std::unordered_map<record_id, id_set> user_tokens_;
    void file_token(record_id owner, record_id token);
    void unfile_token(record_id owner, record_id token);
    std::optional<record_id> sole_token_of(record_id owner) const;
    std::set<std::pair<unix_time, record_id>> removals_; // (removeAt, user)
    id_set super_users_;
    audit_trail audit_;
    std::unordered_map<record_id, self_service_log> self_service_;
    std::map<record_id, kept_answer> answers_;
    record_id next_user_id_ = 1;
    record_id next_group_id_ = 1;
    record_id next_token_id_ = 1;
    record_id next_audit_id_ = 1;
};

} // namespace rosterd::store
