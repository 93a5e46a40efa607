// The directory's names: one rule resolving a name to a user, for every
// path (directory.hpp, find_user_by_name), and the index behind it.
#include "store/directory.hpp"

#include "store/user_name.hpp"

#include <algorithm>
#include <functional>
#include <set>
#include <string>

namespace rosterd::store {

namespace {

bool ascii_same(std::string_view a, std::string_view b)
{
    return a.size() == b.size()
        && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) { return ascii_lower(x) == ascii_lower(y); });
}

// Whether two names are one (store/user_name.hpp); ASCII ones, nearly all,
// compared in place.
bool same_name(std::string_view a, std::string_view b)
{
    if (!is_ascii(a) || !is_ascii(b))
        return name_key(a) == name_key(b);
    return ascii_same(a, b);
}

// The hash of a text's ASCII lower case, folded on the stack, since it is
// taken for every user a snapshot loads.
std::uint64_t ascii_folded_hash(std::string_view name)
{
    char on_stack[256];
    std::string longer;
    char* folded = on_stack;
    if (name.size() > sizeof on_stack) {
        longer.resize(name.size());
        folded = longer.data();
    }
    ascii_lower_into(folded, name);
    return std::hash<std::string_view>{}(std::string_view(folded, name.size()));
}

// The hash of a name's prepared form; an ASCII name's is its lower case.
std::uint64_t name_hash(std::string_view name)
{
    return is_ascii(name) ? ascii_folded_hash(name) : std::hash<std::string>{}(name_key(name));
}

} // namespace

user::text directory::claim_of(user const& u) { return u.user_name() ? u.user_name() : u.email_address(); }

// Whether u's claim is an ASCII e-mail address: it is found through the
// address index (whose key, its ASCII lower case, is its name_hash), so
// the name index leaves it out and is a fraction of the users.
bool directory::claims_by_address(user const& u)
{
    return !u.user_name() && u.email_address() && is_ascii(*u.email_address());
}

template <class F>
void directory::for_each_claim(std::string_view name, F&& f) const
{
    auto const key = name_hash(name);
    auto const check = [&](record_id id, bool by_address) {
        auto const* u = find_user(id);
        if (!u || claims_by_address(*u) != by_address)
            return;
        if (auto const claim = claim_of(*u); claim && same_name(*claim, name))
            f(*u);
    };
    user_by_name_.for_each(key, [&](record_id id) { check(id, false); });
    user_by_address_.for_each(key, [&](record_id id) { check(id, true); });
}

user const* directory::address_holder(std::string_view address) const
{
    user const* holder = nullptr;
    for_each_claim(address, [&](user const& u) {
        if (!u.user_name() && (!holder || u.id < holder->id))
            holder = &u;
    });
    return holder;
}

bool directory::holds_address(user const& u) const
{
    if (u.user_name() || !u.email_address())
        return false;
    auto const* holder = address_holder(*u.email_address());
    return holder && holder->id == u.id;
}

user const* directory::find_user_by_name(std::string_view name) const
{
    user const* named = nullptr;
    user const* by_address = nullptr;
    for_each_claim(name, [&](user const& u) {
        auto& slot = u.user_name() ? named : by_address;
        if (!slot || u.id < slot->id)
            slot = &u;
    });
    if (named || by_address)
        return named ? named : by_address;
    if (auto const id = parse_record_id(name))
        if (auto const* u = find_user(*id); u && !u->user_name() && !holds_address(*u))
            return u;
    return nullptr;
}

std::string directory::effective_name(user const& u) const
{
    if (u.user_name())
        return std::string(*u.user_name());
    if (holds_address(u))
        return std::string(*u.email_address());
    return std::to_string(u.id);
}

user const* directory::name_claimant(std::string_view name, record_id except) const
{
    // The rightful holder first, so that a refusal names them.
    if (auto const* u = find_user_by_name(name); u && u->id != except)
        return u;
    user const* claimant = nullptr;
    for_each_claim(name, [&](user const& u) {
        if (u.id != except && !claimant)
            claimant = &u;
    });
    return claimant;
}

directory::index_keys directory::keys_of(user const& u)
{
    auto const texts = u.texts.all(); // the block read once, not once a text
    auto const user_name = texts[text_index(user_text::user_name)];
    auto const address = texts[text_index(user_text::email_address)];
    auto const external_id = texts[text_index(user_text::external_id)];
    index_keys keys;
    if (external_id)
        keys.external_id = std::hash<std::string_view>{}(*external_id);
    if (address)
        keys.address = ascii_folded_hash(*address);
    // The claim (claim_of), but an ASCII address claimed: that is found
    // through the address index (claims_by_address).
    if (user_name)
        keys.name = name_hash(*user_name);
    else if (address && !is_ascii(*address))
        keys.name = name_hash(*address);
    return keys;
}

void directory::index_contacts(record_id id, index_keys const& keys, bool add)
{
    auto const update = [&](name_index& index, std::optional<std::uint64_t> key) {
        if (!key)
            return;
        if (add)
            index.insert(*key, id);
        else
            index.erase(*key, id);
    };
    update(user_by_external_id_, keys.external_id);
    update(user_by_address_, keys.address);
}

directory::index_keys directory::prefetch(change const& c) const
{
    auto const* put = std::get_if<put_user>(&c);
    if (!put)
        return {};
    auto const keys = keys_of(put->after);
    if (keys.name)
        user_by_name_.prefetch(*keys.name);
    if (keys.external_id)
        user_by_external_id_.prefetch(*keys.external_id);
    if (keys.address)
        user_by_address_.prefetch(*keys.address);
    return keys;
}

std::vector<record_id> directory::users_with_external_id(std::string_view id) const
{
    std::vector<record_id> out;
    user_by_external_id_.for_each(std::hash<std::string_view>{}(id), [&](record_id user_id) {
        if (auto const* u = find_user(user_id); u && u->external_id() == id)
            out.push_back(user_id);
    });
    std::sort(out.begin(), out.end());
    out.erase(std::unique(out.begin(), out.end()), out.end());
    return out;
}

std::vector<record_id> directory::users_with_address(std::string_view address) const
{
    std::vector<record_id> out;
    user_by_address_.for_each(ascii_folded_hash(address), [&](record_id user_id) {
        if (auto const* u = find_user(user_id); u && u->email_address() && ascii_same(*u->email_address(), address))
            out.push_back(user_id);
    });
    std::sort(out.begin(), out.end());
    out.erase(std::unique(out.begin(), out.end()), out.end());
    return out;
}

std::vector<std::pair<record_id, record_id>> directory::name_collisions() const
{
    // ASCII case was the rule before: a new collision involves a name that
    // is not ASCII.
    std::set<std::pair<record_id, record_id>> pairs;
    for (auto const& u : users_) {
        auto const id = u.id;
        auto const name = u.user_name();
        if (!name || is_ascii(*name))
            continue;
        for_each_claim(*name, [&](user const& other) {
            if (other.id != id && other.user_name())
                pairs.emplace(std::min(id, other.id), std::max(id, other.id));
        });
    }
    return {pairs.begin(), pairs.end()};
}

void directory::index_name(record_id id, index_keys const& keys, bool add)
{
    if (!keys.name)
        return;
    if (add)
        user_by_name_.insert(*keys.name, id);
    else
        user_by_name_.erase(*keys.name, id);
}

} // namespace rosterd::store
