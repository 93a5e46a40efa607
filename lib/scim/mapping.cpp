#include "scim/mapping.hpp"

#include "scim/phone.hpp"
#include "api/json_body.hpp"
#include "auth/rights.hpp"
#include "scim/filter.hpp"
#include "scim/protocol.hpp"
#include "store/time.hpp"

#include <boost/json/array.hpp>

#include <algorithm>

namespace rosterd::scim {

namespace json = boost::json;

std::string location(std::string_view collection, store::record_id id)
{
    return std::string(base_path) + "/" + std::string(collection) + "/" + std::to_string(id);
}

std::string formatted_name(store::user const& u)
{
    std::string formatted(u.first_name());
    if (!u.first_name().empty() && !u.last_name().empty())
        formatted += ' ';
    formatted += u.last_name();
    return formatted;
}

namespace {

json::object meta(std::string_view type, std::string_view collection, store::record_id id, store::unix_time created,
                  store::unix_time modified, std::string_view version)
{
    return json::object{
        {"resourceType", type},
        {"created", store::format_rfc3339(created)},
        {"lastModified", store::format_rfc3339(modified)},
        {"location", location(collection, id)},
        {"version", version},
    };
}

// [{"value": v, "type": "work", "primary": true}], or nothing.
void put_single(json::object& resource, std::string_view name, store::user::text v)
{
    if (v)
        resource[name] = json::array{json::object{{"value", *v}, {"type", "work"}, {"primary", true}}};
}

bool is_true(json::value const* v) { return v && v->is_bool() && v->get_bool(); }

bool has_type(json::value const& element, std::string_view type)
{
    if (!element.is_object())
        return false;
    auto const* t = find_attribute(element.as_object(), "type");
    return t && t->is_string() && same_name(t->get_string(), type);
}

// The value of the element of multi-valued `name` that rosterd keeps: the
// primary one, else the first of `types` present, else the first; null when
// the attribute is absent or empty.
json::value single_value(json::object const& resource, std::string_view name,
                         std::initializer_list<std::string_view> types)
{
    auto const* attribute = find_attribute(resource, name);
    if (!attribute || attribute->is_null())
        return nullptr;
    if (!attribute->is_array())
        throw invalid_value(std::string(name) + ": must be an array");
    auto const& elements = attribute->get_array();
    json::value const* chosen = nullptr;
    for (auto const& e : elements)
        if (e.is_object() && is_true(find_attribute(e.as_object(), "primary")) && !chosen)
            chosen = &e;
    for (auto type : types)
        for (auto const& e : elements)
            if (!chosen && has_type(e, type))
                chosen = &e;
    if (!chosen && !elements.empty())
        chosen = &elements.front();
    if (!chosen)
        return nullptr;
    if (!chosen->is_object())
        throw invalid_value(std::string(name) + ": each value must be an object");
    auto const* value = find_attribute(chosen->as_object(), "value");
    if (!value || value->is_null())
        return nullptr;
    if (!value->is_string())
        throw invalid_value(std::string(name) + ".value: must be a string");
    return *value;
}


json::value optional_string(json::object const& resource, std::string_view name)
{
    auto const* v = find_attribute(resource, name);
    if (!v || v->is_null())
        return nullptr;
    if (!v->is_string())
        throw invalid_value(std::string(name) + ": must be a string");
    return *v;
}

std::string name_part(json::object const& resource, std::string_view part)
{
    auto const* name = find_attribute(resource, "name");
    if (!name || name->is_null())
        return {};
    if (!name->is_object())
        throw invalid_value("name: must be an object");
    auto const v = optional_string(name->as_object(), part);
    return v.is_null() ? std::string() : std::string(v.get_string());
}

// SCIM's boolean; also "True" and "False", which Entra ID sends for active.
bool boolean(json::value const& v, std::string_view name)
{
    if (v.is_bool())
        return v.get_bool();
    if (v.is_string() && same_name(v.get_string(), "true"))
        return true;
    if (v.is_string() && same_name(v.get_string(), "false"))
        return false;
    throw invalid_value(std::string(name) + ": must be true or false");
}

} // namespace

json::object user_resource(store::user const& u, store::directory const& dir, store::user const& viewer,
                           std::string_view version)
{
    json::object r{
        {"schemas", json::array{urn::user}},
        {"id", std::to_string(u.id)},
        {"userName", dir.effective_name(u)},
    };
    if (u.external_id())
        r["externalId"] = *u.external_id();
    json::object name;
    if (!u.first_name().empty())
        name["givenName"] = u.first_name();
    if (!u.last_name().empty())
        name["familyName"] = u.last_name();
    auto const formatted = formatted_name(u);
    if (!formatted.empty())
        name["formatted"] = formatted;
    r["name"] = std::move(name);
    r["displayName"] = formatted.empty() ? dir.effective_name(u) : formatted;
    put_single(r, "emails", u.email_address());
    put_single(r, "phoneNumbers", u.phone_number());
    r["active"] = bool(u.active);
    json::array groups;
    for (auto const& m : u.groups()) {
        json::object g{{"value", std::to_string(m.group_id)}, {"$ref", location("Groups", m.group_id)}};
        auto const* group = dir.find_group(m.group_id);
        if (group && (viewer.super_user || viewer.is_admin_of(m.group_id)))
            g["display"] = group->name;
        g["type"] = "direct";
        groups.push_back(std::move(g));
    }
    if (!groups.empty())
        r["groups"] = std::move(groups);
    r["meta"] = meta("User", "Users", u.id, u.created, u.updated, version);
    return r;
}

json::object member_entry(store::record_id id, store::directory const& dir, store::user const* viewer)
{
    json::object m{{"value", std::to_string(id)}, {"$ref", location("Users", id)}, {"type", "User"}};
    if (auto const* u = dir.find_user(id); u && viewer && auth::access_to(*viewer, *u) != auth::access::none)
        m["display"] = dir.effective_name(*u);
    return m;
}

json::object group_resource(store::group const& g, store::directory const& dir, group_members shown,
                            store::user const& viewer, std::string_view version)
{
    json::object r{
        {"schemas", json::array{urn::group}},
        {"id", std::to_string(g.id)},
        {"displayName", g.name},
    };
    if (shown != group_members::none) {
        json::array members;
        members.reserve(dir.members_of(g.id).size());
        for (auto const id : dir.members_of(g.id))
            members.push_back(member_entry(id, dir, &viewer));
        r["members"] = std::move(members);
    }
    // A group records when it was made, not when it last changed.
    r["meta"] = meta("Group", "Groups", g.id, g.created, g.updated ? g.updated : g.created, version);
    return r;
}

json::object native_fields(json::object const& resource, std::string_view phone_region, std::string* dropped,
                           std::string_view kept_phone)
{
    auto phone = single_value(resource, "phoneNumbers", {"work", "mobile", "home", "other"});
    if (!kept_phone.empty() && phone.is_string() && to_e164(phone.get_string(), phone_region) == kept_phone)
        if (auto const* all = find_attribute(resource, "phoneNumbers"); all && all->is_array())
            for (auto const& e : all->get_array()) {
                auto const* v = e.is_object() ? find_attribute(e.get_object(), "value") : nullptr;
                if (!v || !v->is_string())
                    continue;
                if (auto const other = to_e164(v->get_string(), phone_region); other && *other != kept_phone) {
                    phone = *v;
                    break;
                }
            }
    if (phone.is_string()) {
        if (auto e164 = to_e164(phone.get_string(), phone_region)) {
            phone = json::value(*e164);
        } else {
            phone = nullptr;
            if (dropped)
                *dropped = "phoneNumbers: not a phone number (not kept)";
        }
    }
    auto const user_name = optional_string(resource, "userName");
    if (user_name.is_null() || user_name.get_string().empty())
        throw invalid_value("userName: required");
    json::object out{
        {"userName", user_name},
        {"firstName", name_part(resource, "givenName")},
        {"lastName", name_part(resource, "familyName")},
        {"emailAddress", single_value(resource, "emails", {"work", "home", "other"})},
        {"phoneNumber", std::move(phone)},
        {"externalId", optional_string(resource, "externalId")},
    };
    if (auto const* active = find_attribute(resource, "active"); active && !active->is_null())
        out["active"] = boolean(*active, "active");
    return out;
}

std::vector<store::record_id> member_ids(json::object const& resource)
{
    std::vector<store::record_id> ids;
    auto const* members = find_attribute(resource, "members");
    if (!members || members->is_null())
        return ids;
    if (!members->is_array())
        throw invalid_value("members: must be an array");
    for (auto const& m : members->get_array()) {
        json::value const* value = m.is_object() ? find_attribute(m.as_object(), "value") : nullptr;
        if (!value || !value->is_string())
            throw invalid_value("members: each member must be an object with a string \"value\"");
        auto const id = store::parse_record_id(value->get_string());
        if (!id)
            throw invalid_value("members: \"" + std::string(value->get_string()) + "\" is not a user id");
        ids.push_back(*id);
    }
    std::sort(ids.begin(), ids.end());
    ids.erase(std::unique(ids.begin(), ids.end()), ids.end());
    return ids;
}

std::string display_name(json::object const& resource)
{
    auto const name = optional_string(resource, "displayName");
    if (name.is_null() || name.get_string().empty())
        throw invalid_value("displayName: required");
    auto const& text = name.get_string();
    if (api::count_code_points(text) > 255)
        throw invalid_value("displayName: longer than 255 characters");
    if (api::has_control_character(text))
        throw invalid_value("displayName: contains a control character");
    return std::string(text);
}

} // namespace rosterd::scim
