#include "scim/patch.hpp"

#include "scim/filter.hpp"
#include "scim/mapping.hpp"
#include "scim/protocol.hpp"

#include <boost/json/array.hpp>

#include <algorithm>
#include <optional>
#include <string>
#include <variant>
#include <vector>

namespace rosterd::scim {

namespace json = boost::json;

namespace {

enum class op_kind { add, replace, remove };

error invalid_path(std::string const& detail) { return error(http::status::bad_request, "invalidPath", detail); }

bool is_read_only(std::string_view name)
{
    return same_name(name, "id") || same_name(name, "meta") || same_name(name, "schemas");
}

// The core schemas' URIs may prefix a path; any other schema's attributes
// are not kept.
bool is_core(attr_path const& a)
{
    return a.uri.empty() || same_name(a.uri, urn::user) || same_name(a.uri, urn::group);
}

// The member named `name` (ignoring case), created as null when absent.
json::value& member(json::object& o, std::string_view name)
{
    if (auto* v = find_attribute(o, name))
        return *v;
    return o[name];
}

void erase_member(json::object& o, std::string_view name)
{
    for (auto it = o.begin(); it != o.end(); ++it) {
        if (same_name(it->key(), name)) {
            o.erase(it);
            return;
        }
    }
}

// Whether two elements of a multi-valued attribute are the same value:
// equal "value" members when both have one, else equal as a whole.
bool same_element(json::value const& a, json::value const& b)
{
    if (a.is_object() && b.is_object()) {
        auto const* va = find_attribute(a.as_object(), "value");
        auto const* vb = find_attribute(b.as_object(), "value");
        if (va && vb)
            return *va == *vb;
    }
    return a == b;
}

// Sets `target` to `value`: for add and replace, a complex value's members
// are merged in; for add, a multi-valued value's elements are appended.
void put(json::value& target, json::value const& value, op_kind op)
{
    if (target.is_object() && value.is_object()) {
        for (auto const& [k, v] : value.get_object())
            member(target.as_object(), k) = v;
        return;
    }
    if (op == op_kind::add && target.is_array() && value.is_array()) {
        auto& elements = target.as_array();
        for (auto const& v : value.get_array())
            if (std::none_of(elements.begin(), elements.end(), [&](json::value const& e) { return same_element(e, v); }))
                elements.push_back(v);
        return;
    }
    target = value;
}

// A new element for a value filter that matched none: the filter's
// "attr eq value" terms (joined by and), e.g. {"type": "work"}.
void collect_equalities(filter const& f, json::object& out)
{
    if (auto const* c = std::get_if<comparison>(&f.node)) {
        if (c->op == compare_op::eq && c->path.sub.empty())
            out[c->path.name] = c->value;
    } else if (auto const* l = std::get_if<logical>(&f.node); l && l->is_and) {
        collect_equalities(*l->left, out);
        collect_equalities(*l->right, out);
    }
}

void apply_path(json::object& resource, patch_path const& path, op_kind op, json::value const* value)
{
    auto const& attr = path.attr;
    if (!is_core(attr))
        return;
    if (is_read_only(attr.name))
        throw error(http::status::bad_request, "mutability", attr.name + ": is read-only");
    if (op != op_kind::remove && !value)
        throw invalid_value("value: required for add and replace");

    if (!path.value_filter) {
        if (!attr.sub.empty()) {
            if (op == op_kind::remove) {
                if (auto* parent = find_attribute(resource, attr.name); parent && parent->is_object())
                    erase_member(parent->as_object(), attr.sub);
                return;
            }
            auto& parent = member(resource, attr.name);
            if (!parent.is_object())
                parent = json::object();
            put(member(parent.as_object(), attr.sub), *value, op);
            return;
        }
        if (op == op_kind::remove) {
            auto* existing = find_attribute(resource, attr.name);
            if (existing && value && existing->is_array() && value->is_array()) {
                // Entra ID removes members by value: [{"value": "7"}].
                auto& elements = existing->as_array();
                for (auto const& v : value->get_array())
                    for (auto it = elements.begin(); it != elements.end();)
                        it = same_element(*it, v) ? elements.erase(it) : it + 1;
                return;
            }
            erase_member(resource, attr.name);
            return;
        }
        put(member(resource, attr.name), *value, op);
        return;
    }

    auto& target = member(resource, attr.name);
    if (target.is_null())
        target = json::array();
    if (!target.is_array())
        throw invalid_path(attr.name + ": is not multi-valued");
    auto& elements = target.as_array();
    bool matched = false;
    for (auto it = elements.begin(); it != elements.end();) {
        if (!it->is_object() || !matches(*path.value_filter, it->as_object())) {
            ++it;
            continue;
        }
        matched = true;
        if (op == op_kind::remove && path.sub.empty()) {
            it = elements.erase(it);
            continue;
        }
        if (op == op_kind::remove)
            erase_member(it->as_object(), path.sub);
        else if (path.sub.empty())
            put(*it, *value, op);
        else
            put(member(it->as_object(), path.sub), *value, op);
        ++it;
    }
    if (matched || op == op_kind::remove)
        return;
    json::object element;
    collect_equalities(*path.value_filter, element);
    if (path.sub.empty()) {
        json::value whole = std::move(element);
        put(whole, *value, op_kind::replace);
        elements.push_back(std::move(whole));
    } else {
        element[path.sub] = *value;
        elements.push_back(std::move(element));
    }
}

patch_path parse_path(std::string_view text)
{
    try {
        return parse_patch_path(text);
    } catch (filter_error const& e) {
        throw invalid_path(std::string("path: ") + e.what());
    }
}

op_kind kind_of(json::value const& op)
{
    if (op.is_string()) {
        if (same_name(op.get_string(), "add"))
            return op_kind::add;
        if (same_name(op.get_string(), "replace"))
            return op_kind::replace;
        if (same_name(op.get_string(), "remove"))
            return op_kind::remove;
    }
    throw invalid_value("op: must be \"add\", \"replace\" or \"remove\"");
}

// One operation's parts, checked.
struct operation_parts {
    op_kind op;
    json::value const* path; // null or a string
    json::value const* value;
};

operation_parts parts_of(json::value const& operation)
{
    if (!operation.is_object())
        throw error(http::status::bad_request, "invalidSyntax", "Operations: each must be an object");
    auto const& o = operation.get_object();
    auto const* op_value = find_attribute(o, "op");
    if (!op_value)
        throw error(http::status::bad_request, "invalidSyntax", "op: required");
    operation_parts parts{kind_of(*op_value), find_attribute(o, "path"), find_attribute(o, "value")};
    if (parts.path && parts.path->is_null())
        parts.path = nullptr;
    if (parts.path && !parts.path->is_string())
        throw invalid_path("path: must be a string");
    if (!parts.path) {
        if (parts.op == op_kind::remove)
            throw error(http::status::bad_request, "noTarget", "path: required for remove");
        if (!parts.value || !parts.value->is_object())
            throw invalid_value("value: must be an object when there is no path");
    }
    return parts;
}

// Applies one operation; `on_path` takes each (path, value) it comes to:
// the operation's own, or each member of a path-less value.
template <class OnPath>
void each_path(operation_parts const& parts, OnPath&& on_path)
{
    if (parts.path) {
        on_path(parse_path(parts.path->get_string()), parts.value);
        return;
    }
    for (auto const& [key, v] : parts.value->get_object()) {
        // Okta's rename sends the id along unchanged: read-only members of
        // a path-less value are skipped rather than refused.
        if (is_read_only(key))
            continue;
        on_path(parse_path(key), &v);
    }
}

json::array const& operations_of(json::object const& patch)
{
    auto const* operations = find_attribute(patch, "Operations");
    if (!operations || !operations->is_array() || operations->get_array().empty())
        throw error(http::status::bad_request, "invalidSyntax", "Operations: must be a non-empty array");
    if (operations->get_array().size() > max_patch_operations)
        throw error(http::status::bad_request, "tooMany",
                    "Operations: at most " + std::to_string(max_patch_operations) + " in one PATCH");
    return operations->get_array();
}

// The member ids of a value ([{"value": "7"}, ...] or one such object).
std::vector<store::record_id> ids_in(json::value const& value)
{
    json::object wrapped;
    wrapped["members"] = value.is_array() ? value : json::value(json::array{value});
    return member_ids(wrapped);
}

// The value a filter names when it is exactly `value eq "<text>"`.
json::string const* named_member(filter const& f)
{
    auto const* c = std::get_if<comparison>(&f.node);
    if (!c || c->op != compare_op::eq || !c->path.sub.empty() || !same_name(c->path.name, "value")
        || !c->value.is_string())
        return nullptr;
    return &c->value.get_string();
}

class member_patch {
public:
    explicit member_patch(std::unordered_set<store::record_id>& members) : members_(members) {}

    void apply(patch_path const& path, op_kind op, json::value const* value)
    {
        if (op != op_kind::remove && !value)
            throw invalid_value("value: required for add and replace");
        if (!path.value_filter) {
            if (!path.attr.sub.empty()) {
                if (op == op_kind::remove)
                    return; // members keep no sub-attributes: nothing to remove
                throw invalid_path("members." + path.attr.sub + ": members have no sub-attributes to set");
            }
            switch (op) {
            case op_kind::replace:
                members_.clear();
                [[fallthrough]];
            case op_kind::add:
                if (!value->is_null()) // replacing with null: no members
                    for (auto const id : ids_in(*value))
                        members_.insert(id);
                return;
            case op_kind::remove:
                // Entra ID removes members by value: [{"value": "7"}].
                if (value && !value->is_null()) {
                    for (auto const id : ids_in(*value))
                        members_.erase(id);
                } else {
                    members_.clear();
                }
                return;
            }
        }
        // members[value eq "7"]: that member; its sub-attributes are not
        // kept, so only a whole-member remove, add or replace changes anything.
        if (auto const* named = named_member(*path.value_filter)) {
            if (op == op_kind::remove) {
                // A value that is no id names no member: nothing to remove.
                auto const id = store::parse_record_id(*named);
                if (id && path.sub.empty())
                    members_.erase(*id);
            } else if (op == op_kind::replace && path.sub.empty() && value->is_object()
                       && find_attribute(value->get_object(), "value")) {
                // The member named becomes the one the value names.
                if (auto const id = store::parse_record_id(*named))
                    members_.erase(*id);
                members_.insert(ids_in(*value).front());
            } else {
                members_.insert(ids_in(json::object{{"value", *named}}).front());
            }
            return;
        }
        if (++filtered_ > max_filtered_member_operations)
            throw error(http::status::bad_request, "tooMany",
                        "members: at most " + std::to_string(max_filtered_member_operations)
                            + " operations with a value filter other than value eq \"<id>\" in one PATCH");
        if (op != op_kind::remove || !path.sub.empty())
            return; // a match changes nothing kept; no match adds no id
        std::vector<store::record_id> gone;
        for (auto const id : members_)
            if (matches(*path.value_filter, json::object{{"value", std::to_string(id)}}))
                gone.push_back(id);
        for (auto const id : gone)
            members_.erase(id);
    }

private:
    std::unordered_set<store::record_id>& members_;
    std::size_t filtered_ = 0;
};

} // namespace

void apply_patch(json::object& resource, json::object const& patch)
{
    for (auto const& operation : operations_of(patch)) {
        auto const parts = parts_of(operation);
        each_path(parts, [&](patch_path const& path, json::value const* value) {
            apply_path(resource, path, parts.op, value);
        });
    }
}

void apply_group_patch(json::object& resource, std::unordered_set<store::record_id>& members,
                       json::object const& patch)
{
    member_patch on_members(members);
    for (auto const& operation : operations_of(patch)) {
        auto const parts = parts_of(operation);
        each_path(parts, [&](patch_path const& path, json::value const* value) {
            if (is_core(path.attr) && same_name(path.attr.name, "members"))
                on_members.apply(path, parts.op, value);
            else
                apply_path(resource, path, parts.op, value);
        });
    }
}

} // namespace rosterd::scim
