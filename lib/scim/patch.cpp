#include "scim/patch.hpp"

#include "scim/filter.hpp"
#include "scim/protocol.hpp"

#include <boost/json/array.hpp>

#include <algorithm>
#include <variant>

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

void apply_operation(json::object& resource, json::value const& operation)
{
    if (!operation.is_object())
        throw error(http::status::bad_request, "invalidSyntax", "Operations: each must be an object");
    auto const& o = operation.get_object();
    auto const* op_value = find_attribute(o, "op");
    if (!op_value)
        throw error(http::status::bad_request, "invalidSyntax", "op: required");
    auto const op = kind_of(*op_value);
    auto const* path = find_attribute(o, "path");
    auto const* value = find_attribute(o, "value");
    if (path && !path->is_null()) {
        if (!path->is_string())
            throw invalid_path("path: must be a string");
        apply_path(resource, parse_path(path->get_string()), op, value);
        return;
    }
    if (op == op_kind::remove)
        throw error(http::status::bad_request, "noTarget", "path: required for remove");
    if (!value || !value->is_object())
        throw invalid_value("value: must be an object when there is no path");
    for (auto const& [key, v] : value->get_object()) {
        // Okta's rename sends the id along unchanged: read-only members of
        // a path-less value are skipped rather than refused.
        if (is_read_only(key))
            continue;
        apply_path(resource, parse_path(key), op, &v);
    }
}

} // namespace

void apply_patch(json::object& resource, json::object const& patch)
{
    auto const* operations = find_attribute(patch, "Operations");
    if (!operations || !operations->is_array() || operations->get_array().empty())
        throw error(http::status::bad_request, "invalidSyntax", "Operations: must be a non-empty array");
    for (auto const& operation : operations->get_array())
        apply_operation(resource, operation);
}

} // namespace rosterd::scim
