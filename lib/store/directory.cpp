#include "store/directory.hpp"

#include <algorithm>
#include <cstring>
#include <stdexcept>
#include <string>

namespace rosterd::store {

namespace {

template <class Map>
auto const* find_in(Map const& map, record_id id)
{
    auto it = map.find(id);
    return it == map.end() ? nullptr : &it->second;
}

id_set const empty_ids;

} // namespace

std::optional<membership> user::membership_of(record_id group_id) const
{
    auto const all = groups();
    auto it = std::lower_bound(all.begin(), all.end(), group_id,
        [](membership const& m, record_id id) { return m.group_id < id; });
    if (it == all.end() || (*it).group_id != group_id)
        return std::nullopt;
    return *it;
}

void user::set_membership(record_id group_id, bool admin)
{
    // A membership keeps the admin flag in the id's top bit: a larger id
    // would silently become another group's.
    if (group_id > max_membership_group)
        throw std::out_of_range("group id " + std::to_string(group_id) + " past 2^63 - 1");
    auto const current = groups();
    std::vector<membership> all(current.begin(), current.end());
    auto it = std::lower_bound(all.begin(), all.end(), group_id,
        [](membership const& m, record_id id) { return m.group_id < id; });
    if (it != all.end() && it->group_id == group_id) {
        if (it->admin == admin)
            return;
        it->admin = admin;
    } else {
        all.insert(it, membership{group_id, admin});
    }
    set_groups(all);
}

void user::remove_membership(record_id group_id)
{
    if (!membership_of(group_id))
        return;
    std::vector<membership> all;
    for (auto const& m : groups())
        if (m.group_id != group_id)
            all.push_back(m);
    set_groups(all);
}

bool user::is_admin_of(record_id group_id) const
{
    auto const m = membership_of(group_id);
    return m && m->admin;
}

namespace {

// A token's key in token_by_hash_. The hash is already uniformly random:
// any 8 bytes of it will do.
std::uint64_t hash_key(token_hash const& h)
{
    std::uint64_t v;
    std::memcpy(&v, h.data(), sizeof v);
    return v;
}

} // namespace

void directory::apply(change c)
{
    std::visit([this](auto& ch) {
        using T = std::decay_t<decltype(ch)>;
        if constexpr (std::is_same_v<T, put_user>) put(std::move(ch.after));
        else if constexpr (std::is_same_v<T, remove_user>) remove_user_record(ch.id);
        else if constexpr (std::is_same_v<T, put_group>) put(std::move(ch.after));
        else if constexpr (std::is_same_v<T, remove_group>) remove_group_record(ch.id);
        else if constexpr (std::is_same_v<T, put_token>) put(std::move(ch.after));
        else if constexpr (std::is_same_v<T, remove_token>) remove_token_record(ch.id);
        else if constexpr (std::is_same_v<T, touch_token>) {
            if (auto* t = tokens_.find(ch.id))
                t->last_used = ch.at;
        }
        else if constexpr (std::is_same_v<T, put_audit>) put(ch.event);
        else if constexpr (std::is_same_v<T, remove_audit>) remove_audit_record(ch.id);
        else if constexpr (std::is_same_v<T, put_answer>) answers_.insert_or_assign(ch.answer.id, std::move(ch.answer));
        else if constexpr (std::is_same_v<T, remove_answer>) answers_.erase(ch.id);
    }, c);
}

void directory::load(change c, index_keys const& keys)
{
    if (auto* p = std::get_if<put_user>(&c))
        put(std::move(p->after), &keys);
    else
        apply(std::move(c));
}

user const* directory::find_user(record_id id) const { return users_.find(id); }
group const* directory::find_group(record_id id) const { return find_in(groups_, id); }
token const* directory::find_token(record_id id) const { return tokens_.find(id); }
kept_answer const* directory::find_answer(record_id id) const { return find_in(answers_, id); }

token const* directory::find_token(token_hash const& hash) const
{
    token const* found = nullptr;
    token_by_hash_.for_each(hash_key(hash), [&](record_id id) {
        if (auto const* t = find_token(id); !found && t && t->hash == hash)
            found = t;
    });
    return found;
}

id_set const& directory::members_of(record_id group_id) const
{
    auto it = members_.find(group_id);
    return it == members_.end() ? empty_ids : it->second;
}

id_view directory::tokens_of(record_id user_id) const
{
    if (auto it = user_tokens_.find(user_id); it != user_tokens_.end())
        return it->second;
    if (auto const sole = sole_token_of(user_id))
        return id_view::one(*sole);
    return {};
}

std::optional<record_id> directory::sole_token_of(record_id owner) const
{
    // A key is shared by other owners now and then: the token says whose it is.
    std::optional<record_id> found;
    sole_token_.for_each(name_index::id_hash(owner), [&](record_id id) {
        if (auto const* t = tokens_.find(id); t && t->user_id == owner)
            found = id;
    });
    return found;
}

void directory::file_token(record_id owner, record_id token)
{
    if (auto many = user_tokens_.find(owner); many != user_tokens_.end()) {
        many->second.insert(token);
        return;
    }
    if (auto const sole = sole_token_of(owner)) { // a second: both into a set
        sole_token_.erase(name_index::id_hash(owner), *sole);
        auto& set = user_tokens_[owner];
        set.insert(*sole);
        set.insert(token);
        return;
    }
    sole_token_.insert(name_index::id_hash(owner), token);
}

// Before the token's record changes owner or goes: sole_token_of() reads it.
void directory::unfile_token(record_id owner, record_id token)
{
    if (auto many = user_tokens_.find(owner); many != user_tokens_.end()) {
        many->second.erase(token);
        if (many->second.empty())
            user_tokens_.erase(many);
        return;
    }
    sole_token_.erase(name_index::id_hash(owner), token);
}

std::vector<record_id> directory::due_for_removal(unix_time now) const
{
    std::vector<record_id> due;
    for (auto const& [at, id] : removals_) {
        if (at > now)
            break;
        due.push_back(id);
    }
    return due;
}

void directory::raise_sequences(record_id user, record_id group, record_id token, record_id audit)
{
    next_user_id_ = std::max(next_user_id_, user);
    next_group_id_ = std::max(next_group_id_, group);
    next_token_id_ = std::max(next_token_id_, token);
    next_audit_id_ = std::max(next_audit_id_, audit);
}

void directory::swap_contents(directory& other)
{
    using std::swap;
    swap(users_, other.users_);
    swap(groups_, other.groups_);
    swap(tokens_, other.tokens_);
    swap(token_by_hash_, other.token_by_hash_);
    swap(user_by_name_, other.user_by_name_);
    swap(user_by_external_id_, other.user_by_external_id_);
    swap(user_by_address_, other.user_by_address_);
    swap(search_, other.search_);
    swap(members_, other.members_);
    swap(sole_token_, other.sole_token_);
    swap(user_tokens_, other.user_tokens_);
    swap(removals_, other.removals_);
    swap(super_users_, other.super_users_);
    swap(audit_, other.audit_);
    swap(self_service_, other.self_service_);
    swap(answers_, other.answers_);
    swap(next_user_id_, other.next_user_id_);
    swap(next_group_id_, other.next_group_id_);
    swap(next_token_id_, other.next_token_id_);
    swap(next_audit_id_, other.next_audit_id_);
}

std::vector<change> directory::undo_of(change const& c) const
{
    std::vector<change> undo;
    std::visit([&](auto const& ch) {
        using T = std::decay_t<decltype(ch)>;
        if constexpr (std::is_same_v<T, put_user>) {
            if (auto const* old = find_user(ch.after.id)) undo.push_back(put_user{*old});
            else undo.push_back(remove_user{ch.after.id});
        } else if constexpr (std::is_same_v<T, remove_user>) {
            if (auto const* old = find_user(ch.id)) {
                undo.push_back(put_user{*old});
                for (record_id t : tokens_of(ch.id))
                    undo.push_back(put_token{*find_token(t)});
            }
        } else if constexpr (std::is_same_v<T, put_group>) {
            if (auto const* old = find_group(ch.after.id)) undo.push_back(put_group{*old});
            else undo.push_back(remove_group{ch.after.id});
        } else if constexpr (std::is_same_v<T, remove_group>) {
            if (auto const* old = find_group(ch.id)) {
                undo.push_back(put_group{*old});
                for (record_id u : members_of(ch.id))
                    undo.push_back(put_user{*find_user(u)});
            }
        } else if constexpr (std::is_same_v<T, put_token>) {
            if (auto const* old = find_token(ch.after.id)) undo.push_back(put_token{*old});
            else undo.push_back(remove_token{ch.after.id});
        } else if constexpr (std::is_same_v<T, remove_token>) {
            if (auto const* old = find_token(ch.id)) undo.push_back(put_token{*old});
        } else if constexpr (std::is_same_v<T, touch_token>) {
            if (auto const* old = find_token(ch.id)) undo.push_back(put_token{*old});
        } else if constexpr (std::is_same_v<T, put_audit>) {
            // A new event, almost always: no search for the id then.
            auto const* old = ch.event.id < next_audit_id_ ? find_audit(ch.event.id) : nullptr;
            if (old) undo.push_back(put_audit{*old});
            else undo.push_back(remove_audit{ch.event.id});
        } else if constexpr (std::is_same_v<T, remove_audit>) {
            if (auto const* old = find_audit(ch.id)) undo.push_back(put_audit{*old});
        } else if constexpr (std::is_same_v<T, put_answer>) {
            if (auto const* old = find_answer(ch.answer.id)) undo.push_back(put_answer{*old});
            else undo.push_back(remove_answer{ch.answer.id});
        } else if constexpr (std::is_same_v<T, remove_answer>) {
            if (auto const* old = find_answer(ch.id)) undo.push_back(put_answer{*old});
        }
    }, c);
    return undo;
}

std::vector<change> directory::apply_with_undo(change c)
{
    if (auto* p = std::get_if<put_user>(&c)) {
        auto const id = p->after.id;
        std::vector<change> undo;
        if (auto old = put(std::move(p->after)))
            undo.push_back(put_user{std::move(*old)});
        else
            undo.push_back(remove_user{id});
        return undo;
    }
    auto undo = undo_of(c);
    apply(std::move(c));
    return undo;
}

std::optional<user> directory::put(user u, index_keys const* keys)
{
    auto const id = u.id;
    auto [slot, inserted] = users_.try_emplace(id);
    user& stored = *slot;
    std::optional<user> old;
    bool same_groups = false;
    bool same_claim = false;
    bool same_contacts = false;
    bool same_search = false;
    if (!inserted) {
        if (stored.super_user)
            super_users_.erase(id);
        if (stored.remove_at)
            removals_.erase({*stored.remove_at, id});
        // Most writes keep every text and membership: one comparison of
        // the two blocks then answers the questions below, and nothing is
        // taken out of an index to be put back (in a large group's member
        // list, a move of every id after this one, twice).
        bool const same_block = stored.texts == u.texts;
        same_groups = same_block || stored.groups() == u.groups();
        if (!same_groups)
            for (auto const& m : stored.groups())
                members_[m.group_id].erase(id);
        same_claim = same_block
            || (claim_of(stored) == claim_of(u) && claims_by_address(stored) == claims_by_address(u));
        same_contacts = same_block
            || (stored.external_id() == u.external_id() && stored.email_address() == u.email_address());
        if (!same_claim || !same_contacts) {
            auto const was = keys_of(stored);
            if (!same_claim)
                index_name(id, was, false);
            if (!same_contacts)
                index_contacts(id, was, false);
        }
        same_search = same_block || search_index::same_texts(stored, u);
        old = std::move(stored);
    }
    stored = std::move(u);
    if (stored.super_user)
        super_users_.insert(id);
    if (stored.remove_at)
        removals_.insert({*stored.remove_at, id});
    if (!same_groups)
        for (auto const& m : stored.groups())
            members_[m.group_id].insert(id);
    if (!same_claim || !same_contacts) {
        auto const now = keys ? *keys : keys_of(stored);
        if (!same_claim)
            index_name(id, now, true);
        if (!same_contacts)
            index_contacts(id, now, true);
    }
    if (!same_search && !keys)
        search_.put(stored);
    next_user_id_ = std::max(next_user_id_, id + 1);
    return old;
}

void directory::remove_user_record(record_id id)
{
    auto const* u = users_.find(id);
    if (!u)
        return;
    if (u->super_user)
        super_users_.erase(id);
    if (u->remove_at)
        removals_.erase({*u->remove_at, id});
    for (auto const& m : u->groups())
        members_[m.group_id].erase(id);
    auto const keys = keys_of(*u);
    index_name(id, keys, false);
    index_contacts(id, keys, false);
    search_.erase(id);
    // Copied: removing a token edits what tokens_of() views.
    auto const tokens = tokens_of(id);
    std::vector<record_id> const owned(tokens.begin(), tokens.end());
    for (record_id token_id : owned)
        remove_token_record(token_id);
    users_.erase(id);
}

void directory::put(group g)
{
    auto const id = g.id;
    groups_[id] = std::move(g);
    next_group_id_ = std::max(next_group_id_, id + 1);
}

void directory::remove_group_record(record_id id)
{
    if (groups_.erase(id) == 0)
        return;
    if (auto it = members_.find(id); it != members_.end()) {
        for (record_id user_id : it->second)
            if (auto* u = users_.find(user_id))
                u->remove_membership(id);
        members_.erase(it);
    }
}

void directory::put(token const& t)
{
    // lastUsed only moves forward. It is touched outside the batches
    // (touch_token), so an after-image shown, or a before-image put back
    // by an undo, may hold an older one: it must not turn the clock back.
    auto last_used = t.last_used;
    auto [stored, made] = tokens_.try_emplace(t.id);
    if (!made) {
        token_by_hash_.erase(hash_key(stored->hash), t.id);
        unfile_token(stored->user_id, t.id);
        if (auto const was = stored->last_used; was && (!last_used || *was > *last_used))
            last_used = was;
    }
    *stored = t;
    stored->last_used = last_used;
    token_by_hash_.insert(hash_key(t.hash), t.id);
    file_token(t.user_id, t.id);
    next_token_id_ = std::max(next_token_id_, t.id + 1);
}

void directory::remove_token_record(record_id id)
{
    auto const* t = tokens_.find(id);
    if (!t)
        return;
    token_by_hash_.erase(hash_key(t->hash), id);
    unfile_token(t->user_id, id);
    tokens_.erase(id);
}

} // namespace rosterd::store
