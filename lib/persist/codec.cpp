#include "persist/codec.hpp"

#include <algorithm>
#include <cstring>
#include <limits>
#include <vector>

namespace rosterd::persist {

namespace {

// The change's alternative index on disk; never renumber.
enum class tag : std::uint8_t {
    put_user = 1, remove_user, put_group, remove_group, put_token, remove_token, put_audit, remove_audit,
    // A user with a userName or deactivated: put_user's fields, then the
    // userName and a flags byte. The users without either are written as
    // put_user, as before those fields existed.
    put_user_extended,
    put_answer, remove_answer,
    // A group changed since it was made: put_group's fields, then when.
    // Groups never changed are written as put_group, as before.
    put_group_changed,
};

// Bits of put_user_extended's flags byte. With removal_by, a u64 (the
// user who scheduled removeAt) follows the byte.
constexpr std::uint8_t user_inactive = 1;
constexpr std::uint8_t user_removal_by = 2;

bool is_extended(store::user const& u) { return u.user_name() || !u.active || u.removal_by; }

void encode(encoder& e, store::user const& u)
{
    auto const texts = u.texts.all(); // the block read once, not once per text
    e.u64(u.id);
    e.str(texts[store::text_index(store::user_text::first_name)].value_or(std::string_view()));
    e.str(texts[store::text_index(store::user_text::last_name)].value_or(std::string_view()));
    e.opt_str(texts[store::text_index(store::user_text::phone_number)]);
    e.boolean(u.phone_number_verified);
    e.opt_str(texts[store::text_index(store::user_text::email_address)]);
    e.boolean(u.email_address_verified);
    e.boolean(u.super_user);
    e.opt_u64(std::optional<std::uint64_t>(u.client_id));
    e.opt_str(texts[store::text_index(store::user_text::external_id)]);
    e.opt_str(texts[store::text_index(store::user_text::description)]);
    e.opt_str(texts[store::text_index(store::user_text::remarks)]);
    e.u8(static_cast<std::uint8_t>(u.auto_remove_after));
    e.opt_i64(u.remove_at);
    e.boolean(u.auto_email_match);
    e.boolean(u.require_email_match);
    e.boolean(u.email_match_credential_filter);
    e.opt_str(texts[store::text_index(store::user_text::auth_organization_id)]);
    e.u64(u.groups().size());
    for (auto const& m : u.groups()) {
        e.u64(m.group_id);
        e.boolean(m.admin);
    }
    e.i64(u.created);
    e.i64(u.updated);
    if (is_extended(u)) {
        e.opt_str(texts[store::text_index(store::user_text::user_name)]);
        e.u8((u.active ? 0 : user_inactive) | (u.removal_by ? user_removal_by : 0));
        if (u.removal_by)
            e.u64(u.removal_by);
    }
}

store::user decode_user(decoder& d, bool extended)
{
    store::user u;
    u.id = d.u64();
    store::user_texts::values texts;
    // An empty name is kept as none (user::first_name()).
    auto const name = [&](store::user_text t) {
        if (auto const v = d.str_view(); !v.empty())
            texts[store::text_index(t)] = v;
    };
    name(store::user_text::first_name);
    name(store::user_text::last_name);
    texts[store::text_index(store::user_text::phone_number)] = d.opt_str();
    u.phone_number_verified = d.boolean();
    texts[store::text_index(store::user_text::email_address)] = d.opt_str();
    u.email_address_verified = d.boolean();
    u.super_user = d.boolean();
    auto const client = d.opt_u64();
    if (client == store::opt_id::absent)
        throw decode_error("bad clientId");
    u.client_id = client;
    texts[store::text_index(store::user_text::external_id)] = d.opt_str();
    texts[store::text_index(store::user_text::description)] = d.opt_str();
    texts[store::text_index(store::user_text::remarks)] = d.opt_str();
    auto const period = d.u8();
    if (period > static_cast<std::uint8_t>(store::remove_period::year))
        throw decode_error("bad autoRemoveAfter");
    u.auto_remove_after = static_cast<store::remove_period>(period);
    auto const remove_at = d.opt_i64();
    if (remove_at == store::opt_time::absent)
        throw decode_error("bad removeAt");
    u.remove_at = remove_at;
    u.auto_email_match = d.boolean();
    u.require_email_match = d.boolean();
    u.email_match_credential_filter = d.boolean();
    texts[store::text_index(store::user_text::auth_organization_id)] = d.opt_str();
    auto const n = d.u64();
    // Reused, so that decoding a user allocates only the block its texts
    // and memberships end up in.
    thread_local std::vector<store::membership> groups;
    groups.clear();
    for (std::uint64_t i = 0; i < n; ++i) {
        auto const group = d.u64();
        if (group > store::max_membership_group)
            throw decode_error("bad membership group id");
        if (!groups.empty() && groups.back().group_id >= group)
            throw decode_error("memberships out of order");
        groups.push_back({group, d.boolean()});
    }
    u.created = d.i64();
    u.updated = d.i64();
    if (extended) {
        texts[store::text_index(store::user_text::user_name)] = d.opt_str();
        auto const flags = d.u8();
        if (flags & ~(user_inactive | user_removal_by))
            throw decode_error("bad user flags");
        u.active = !(flags & user_inactive);
        if (flags & user_removal_by) {
            auto const by = d.u64();
            if (by == 0 || by > std::numeric_limits<std::uint32_t>::max())
                throw decode_error("bad removal scheduler");
            u.removal_by = static_cast<std::uint32_t>(by);
        }
    }
    u.texts = store::user_texts(texts, groups); // one allocation for all
    // A damaged or hostile record's thousands of memberships must not stay
    // reserved on this thread for good.
    if (groups.capacity() > 1024)
        std::vector<store::membership>().swap(groups);
    return u;
}

void encode(encoder& e, store::group const& g)
{
    e.u64(g.id);
    e.str(g.name);
    e.opt_u64(g.client_id);
    e.i64(g.created);
}

store::group decode_group(decoder& d, bool changed)
{
    store::group g;
    g.id = d.u64();
    g.name = d.str();
    g.client_id = d.opt_u64();
    g.created = d.i64();
    if (changed)
        g.updated = d.i64();
    return g;
}

// A fixed-size byte array, as a string of exactly its size.
template <std::size_t N>
void encode_bytes(encoder& e, std::array<std::uint8_t, N> const& bytes)
{
    e.str(std::string_view(reinterpret_cast<char const*>(bytes.data()), N));
}

template <std::size_t N>
void decode_bytes(decoder& d, std::array<std::uint8_t, N>& out, char const* what)
{
    auto const bytes = d.str_view();
    if (bytes.size() != N)
        throw decode_error(std::string("bad ") + what + " size");
    std::memcpy(out.data(), bytes.data(), N);
}

void encode(encoder& e, store::token const& t)
{
    e.u64(t.id);
    e.u64(t.user_id);
    encode_bytes(e, t.hash);
    e.str(t.description.view());
    e.i64(t.created);
    e.opt_i64(t.expires);
    e.opt_i64(t.last_used);
}

store::token decode_token(decoder& d)
{
    store::token t;
    t.id = d.u64();
    t.user_id = d.u64();
    decode_bytes(d, t.hash, "token hash");
    t.description = d.str_view();
    t.created = d.i64();
    auto const expires = d.opt_i64(), last_used = d.opt_i64();
    if (expires == store::opt_time::absent || last_used == store::opt_time::absent)
        throw decode_error("bad token time");
    t.expires = expires;
    t.last_used = last_used;
    return t;
}

void encode(encoder& e, store::audit_event const& a)
{
    e.u64(a.id);
    e.i64(a.at);
    e.u64(a.actor_user);
    e.u64(a.actor_token);
    encode_bytes(e, a.address);
    e.u64(a.user_id);
    e.u64(a.group_id);
    e.u64(a.token_id);
    e.u64(a.fields);
    e.u8(static_cast<std::uint8_t>(a.action));
}

store::audit_event decode_audit(decoder& d)
{
    store::audit_event a;
    a.id = d.u64();
    a.at = d.i64();
    a.actor_user = d.u64();
    a.actor_token = d.u64();
    decode_bytes(d, a.address, "audit address");
    a.user_id = d.u64();
    a.group_id = d.u64();
    a.token_id = d.u64();
    auto const fields = d.u64();
    if (fields > std::numeric_limits<std::uint32_t>::max())
        throw decode_error("bad audit fields");
    a.fields = static_cast<std::uint32_t>(fields);
    auto const action = d.u8();
    if (action < static_cast<std::uint8_t>(store::audit_action::create_user)
        || action > static_cast<std::uint8_t>(store::audit_action::delete_token))
        throw decode_error("unknown audit action");
    a.action = static_cast<store::audit_action>(action);
    return a;
}

void encode(encoder& e, store::kept_answer const& a)
{
    e.u64(a.id);
    e.u64(a.user_id);
    e.i64(a.at);
    e.str(a.key);
    encode_bytes(e, a.request);
    e.u64(a.status);
    e.str(a.content_type);
    e.str(a.location);
    e.str(a.etag);
    e.str(a.body);
}

store::kept_answer decode_answer(decoder& d)
{
    store::kept_answer a;
    a.id = d.u64();
    a.user_id = d.u64();
    a.at = d.i64();
    a.key = d.str();
    decode_bytes(d, a.request, "request fingerprint");
    auto const status = d.u64();
    if (status < 100 || status > 599)
        throw decode_error("bad kept status");
    a.status = static_cast<std::uint16_t>(status);
    a.content_type = d.str();
    a.location = d.str();
    a.etag = d.str();
    a.body = d.str();
    return a;
}

} // namespace

void encoder::u64(std::uint64_t v)
{
    // One append, not eight push_backs: a user is about twenty of these,
    // and a snapshot encodes every user.
    char bytes[8];
    for (std::size_t i = 0; i < sizeof bytes; ++i)
        bytes[i] = static_cast<char>(v >> (8 * i));
    out_.append(bytes, sizeof bytes);
}

void encoder::str(std::string_view s)
{
    u64(s.size());
    out_.append(s);
}

void encoder::opt_str(std::optional<std::string_view> s)
{
    boolean(s.has_value());
    if (s)
        str(*s);
}

void encoder::opt_u64(std::optional<std::uint64_t> const& v)
{
    boolean(v.has_value());
    if (v)
        u64(*v);
}

void encoder::opt_i64(std::optional<std::int64_t> const& v)
{
    boolean(v.has_value());
    if (v)
        i64(*v);
}

void decoder::fail(char const* what) { throw decode_error(what); }

std::string_view decoder::str_view()
{
    auto const n = u64();
    return take(static_cast<std::size_t>(std::min<std::uint64_t>(n, in_.size() + 1)));
}

std::string decoder::str() { return std::string(str_view()); }

std::optional<std::string_view> decoder::opt_str()
{
    if (!boolean())
        return std::nullopt;
    return str_view();
}

std::optional<std::uint64_t> decoder::opt_u64()
{
    if (!boolean())
        return std::nullopt;
    return u64();
}

std::optional<std::int64_t> decoder::opt_i64()
{
    if (!boolean())
        return std::nullopt;
    return i64();
}

void decoder::bytes(void* out, std::size_t n)
{
    auto const b = take(n);
    std::memcpy(out, b.data(), n);
}

void encode_put(encoder& e, store::user const& u)
{
    e.u8(static_cast<std::uint8_t>(is_extended(u) ? tag::put_user_extended : tag::put_user));
    encode(e, u);
}

void encode_put(encoder& e, store::group const& g)
{
    e.u8(static_cast<std::uint8_t>(g.updated ? tag::put_group_changed : tag::put_group));
    encode(e, g);
    if (g.updated)
        e.i64(g.updated);
}

void encode_put(encoder& e, store::token const& t)
{
    e.u8(static_cast<std::uint8_t>(tag::put_token));
    encode(e, t);
}

void encode_put(encoder& e, store::audit_event const& a)
{
    e.u8(static_cast<std::uint8_t>(tag::put_audit));
    encode(e, a);
}

void encode_put(encoder& e, store::kept_answer const& a)
{
    e.u8(static_cast<std::uint8_t>(tag::put_answer));
    encode(e, a);
}

void encode_change(encoder& e, store::change const& c)
{
    std::visit([&e](auto const& ch) {
        using T = std::decay_t<decltype(ch)>;
        if constexpr (std::is_same_v<T, store::put_user>) { encode_put(e, ch.after); }
        else if constexpr (std::is_same_v<T, store::remove_user>) { e.u8(static_cast<std::uint8_t>(tag::remove_user)); e.u64(ch.id); }
        else if constexpr (std::is_same_v<T, store::put_group>) { encode_put(e, ch.after); }
        else if constexpr (std::is_same_v<T, store::remove_group>) { e.u8(static_cast<std::uint8_t>(tag::remove_group)); e.u64(ch.id); }
        else if constexpr (std::is_same_v<T, store::put_token>) { encode_put(e, ch.after); }
        else if constexpr (std::is_same_v<T, store::remove_token>) { e.u8(static_cast<std::uint8_t>(tag::remove_token)); e.u64(ch.id); }
        else if constexpr (std::is_same_v<T, store::touch_token>) {
            // lastUsed is best-effort and never journaled; snapshots carry it.
            throw std::logic_error("touch_token is not journaled");
        }
        else if constexpr (std::is_same_v<T, store::put_audit>) { encode_put(e, ch.event); }
        else if constexpr (std::is_same_v<T, store::remove_audit>) { e.u8(static_cast<std::uint8_t>(tag::remove_audit)); e.u64(ch.id); }
        else if constexpr (std::is_same_v<T, store::put_answer>) { encode_put(e, ch.answer); }
        else if constexpr (std::is_same_v<T, store::remove_answer>) { e.u8(static_cast<std::uint8_t>(tag::remove_answer)); e.u64(ch.id); }
    }, c);
}

store::change decode_change(decoder& d)
{
    switch (static_cast<tag>(d.u8())) {
    case tag::put_user: return store::put_user{decode_user(d, false)};
    case tag::put_user_extended: return store::put_user{decode_user(d, true)};
    case tag::remove_user: return store::remove_user{d.u64()};
    case tag::put_group: return store::put_group{decode_group(d, false)};
    case tag::put_group_changed: return store::put_group{decode_group(d, true)};
    case tag::remove_group: return store::remove_group{d.u64()};
    case tag::put_token: return store::put_token{decode_token(d)};
    case tag::remove_token: return store::remove_token{d.u64()};
    case tag::put_audit: return store::put_audit{decode_audit(d)};
    case tag::remove_audit: return store::remove_audit{d.u64()};
    case tag::put_answer: return store::put_answer{decode_answer(d)};
    case tag::remove_answer: return store::remove_answer{d.u64()};
    }
    throw decode_error("unknown change type");
}

} // namespace rosterd::persist
