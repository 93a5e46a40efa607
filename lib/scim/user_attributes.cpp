#include "scim/user_attributes.hpp"

#include "scim/mapping.hpp"
#include "scim/protocol.hpp"
#include "store/time.hpp"

#include <algorithm>

namespace rosterd::scim {

namespace {

using attributes::attribute;
using attributes::field;
using attributes::fields;

constexpr std::pair<std::string_view, attribute> attribute_names[] = {
    {"schemas", attribute::schemas}, {"id", attribute::id}, {"userName", attribute::user_name},
    {"externalId", attribute::external_id}, {"name", attribute::name}, {"displayName", attribute::display_name},
    {"emails", attribute::emails}, {"phoneNumbers", attribute::phone_numbers}, {"active", attribute::active},
    {"groups", attribute::groups}, {"meta", attribute::meta},
};
constexpr std::pair<std::string_view, field> field_names[] = {
    {"value", field::value}, {"type", field::type}, {"primary", field::primary}, {"display", field::display},
    {"$ref", field::ref}, {"givenName", field::given_name}, {"familyName", field::family_name},
    {"formatted", field::formatted}, {"resourceType", field::resource_type}, {"created", field::created},
    {"lastModified", field::last_modified}, {"location", field::location}, {"version", field::version},
};

template <class Table, class T>
T look_up(Table const& table, std::string_view name, T unknown)
{
    for (auto const& [n, v] : table)
        if (same_name(n, name))
            return v;
    return unknown;
}

field field_of(std::string_view name)
{
    return name.empty() ? field::none : look_up(field_names, name, field::unknown);
}

// A path read once per filter: its attribute and sub-attribute, packed into
// attr_path::resolved.
struct reading {
    attribute attr;
    field sub;
};
reading read(attr_path const& p)
{
    if (p.resolved < 0)
        p.resolved = static_cast<std::int32_t>(look_up(attribute_names, p.name, attribute::unknown)) << 8
            | static_cast<std::int32_t>(field_of(p.sub));
    return {static_cast<attribute>(p.resolved >> 8), static_cast<field>(p.resolved & 0xff)};
}

scalar const* find(fields const& f, field name)
{
    auto it = std::find_if(f.begin(), f.end(), [&](auto const& x) { return x.name == name; });
    return it == f.end() ? nullptr : &it->value;
}

// A complex value as a filter reads it: its fields are scalars, so it has
// no sub-attributes and no elements of its own.
class fields_source final : public attribute_source {
public:
    explicit fields_source(fields const& f) : fields_(f) {}

    bool any_value(attr_path const& p, function_ref<bool(scalar const&)> f) const override
    {
        if (p.resolved < 0) // read as a field's name: sub-attributes name nothing here
            p.resolved = p.sub.empty() ? static_cast<std::int32_t>(field_of(p.name)) : 0;
        auto const* v = find(fields_, static_cast<field>(p.resolved));
        return v && f(*v);
    }
    bool any_element(attr_path const&, function_ref<bool(attribute_source const&)>) const override { return false; }

private:
    fields const& fields_;
};

scalar text(std::string_view s) { return scalar::of(s); }

} // namespace

void user_attributes::reset(store::user const& u)
{
    u_ = &u;
    id_.reset();
    user_name_.reset();
    formatted_.reset();
    for (auto& e : elements_)
        e.reset();
    texts_.clear();
}

std::string_view user_attributes::id() const
{
    if (!id_)
        id_ = std::to_string(u_->id);
    return *id_;
}

std::string_view user_attributes::user_name() const
{
    if (auto const stored = u_->user_name())
        return *stored; // most provisioned users: no lookup, no copy
    if (!user_name_)
        user_name_ = dir_.effective_name(*u_);
    return *user_name_;
}

std::string_view user_attributes::formatted() const
{
    if (!formatted_)
        formatted_ = formatted_name(*u_);
    return *formatted_;
}

attributes::element_list const& user_attributes::elements(attribute a) const
{
    auto& built = elements_[static_cast<std::size_t>(a)];
    if (built)
        return *built;
    built.emplace();
    auto const& u = *u_;
    auto keep = [this](std::string s) -> std::string_view { return texts_.emplace_back(std::move(s)); };
    auto single = [&](store::user::text v) {
        if (v)
            built->push_back({{field::value, text(*v)}, {field::type, text("work")}, {field::primary, scalar::of(true)}});
    };
    switch (a) {
    case attribute::name: {
        fields name;
        if (!u.first_name().empty())
            name.push_back({field::given_name, text(u.first_name())});
        if (!u.last_name().empty())
            name.push_back({field::family_name, text(u.last_name())});
        if (!formatted().empty())
            name.push_back({field::formatted, text(formatted())});
        built->push_back(name);
        break;
    }
    case attribute::emails: single(u.email_address()); break;
    case attribute::phone_numbers: single(u.phone_number()); break;
    case attribute::groups:
        for (auto const& m : u.groups()) {
            fields g{{field::value, text(keep(std::to_string(m.group_id)))},
                     {field::ref, text(keep(location("Groups", m.group_id)))}};
            auto const* group = dir_.find_group(m.group_id);
            if (group && (viewer_.super_user || viewer_.is_admin_of(m.group_id)))
                g.push_back({field::display, text(group->name)});
            g.push_back({field::type, text("direct")});
            built->push_back(g);
        }
        break;
    case attribute::meta:
        // As a list filter sees it: without the version (meta.version ""),
        // which is computed only for what is listed.
        built->push_back({{field::resource_type, text("User")},
                          {field::created, text(keep(store::format_rfc3339(u.created)))},
                          {field::last_modified, text(keep(store::format_rfc3339(u.updated)))},
                          {field::location, text(keep(location("Users", u.id)))},
                          {field::version, text({})}});
        break;
    default:
        break;
    }
    return *built;
}

bool user_attributes::any_value(attr_path const& p, function_ref<bool(scalar const&)> f) const
{
    auto const reading = read(p);
    // Not a structured binding: the lambdas below use them.
    auto const attr = reading.attr;
    auto const sub = reading.sub;
    auto const& u = *u_;
    // A plain value has no sub-attributes.
    auto plain = [&](scalar const& v) { return sub == field::none && f(v); };
    switch (attr) {
    case attribute::schemas: return plain(text(urn::user));
    case attribute::id: return plain(text(id()));
    case attribute::user_name: return plain(text(user_name()));
    case attribute::external_id: return u.external_id() && plain(text(*u.external_id()));
    case attribute::display_name: return plain(text(formatted().empty() ? user_name() : formatted()));
    case attribute::active: return plain(scalar::of(bool(u.active)));
    case attribute::name:
        // The commonest filters, straight from the record.
        if (sub == field::given_name)
            return !u.first_name().empty() && f(text(u.first_name()));
        if (sub == field::family_name)
            return !u.last_name().empty() && f(text(u.last_name()));
        [[fallthrough]];
    case attribute::meta: {
        auto const& whole = elements(attr).front();
        if (sub == field::none)
            return f(scalar::of_complex(whole.empty()));
        auto const* v = find(whole, sub);
        return v && f(*v);
    }
    case attribute::emails:
    case attribute::phone_numbers:
        if (sub == field::none || sub == field::value) {
            auto const v = attr == attribute::emails ? u.email_address() : u.phone_number();
            return v && f(text(*v));
        }
        [[fallthrough]];
    case attribute::groups: {
        // Each element's "value", or the sub-attribute named.
        auto const want = sub == field::none ? field::value : sub;
        return elements(attr).any([&](fields const& e) {
            auto const* v = find(e, want);
            return v && f(*v);
        });
    }
    case attribute::unknown: return false;
    }
    return false;
}

bool user_attributes::any_element(attr_path const& p, function_ref<bool(attribute_source const&)> f) const
{
    switch (auto const attr = read(p).attr) {
    case attribute::name:
    case attribute::meta:
    case attribute::emails:
    case attribute::phone_numbers:
    case attribute::groups:
    {
        return elements(attr).any([&](fields const& e) { return f(fields_source(e)); });
    }
    default:
        return false; // a plain value, or the strings of schemas: no complex elements
    }
}

} // namespace rosterd::scim
