#include "api/user_patch.hpp"

#include "api/context.hpp"
#include "api/json_body.hpp"
#include "store/time.hpp"
#include "store/user_name.hpp"

#include <algorithm>
#include <array>

namespace rosterd::api {

using store::user_field;
namespace json = boost::json;

namespace {

// name: a single-line string; nullable_line: that or null; nullable_text:
// multi-line text or null.
enum class kind { name, nullable_line, nullable_text, boolean, id, phone, email, period };

struct field_rule {
    std::string_view name;
    user_field field;
    kind type;
    std::size_t max_chars;
};

constexpr std::array<field_rule, store::user_field_count> rules{{
    {"firstName", user_field::first_name, kind::name, limits::name_chars},
    {"lastName", user_field::last_name, kind::name, limits::name_chars},
    {"phoneNumber", user_field::phone_number, kind::phone, 0},
    {"phoneNumberVerify", user_field::phone_number_verify, kind::boolean, 0},
    {"emailAddress", user_field::email_address, kind::email, limits::email_chars},
    {"emailAddressVerify", user_field::email_address_verify, kind::boolean, 0},
    {"superUser", user_field::super_user, kind::boolean, 0},
    {"clientId", user_field::client_id, kind::id, 0},
    {"externalId", user_field::external_id, kind::nullable_line, limits::name_chars},
    {"description", user_field::description, kind::nullable_text, limits::text_chars},
    {"remarks", user_field::remarks, kind::nullable_text, limits::text_chars},
    {"autoRemoveAfter", user_field::auto_remove_after, kind::period, 0},
    {"autoEmailMatch", user_field::auto_email_match, kind::boolean, 0},
    {"requireEmailMatch", user_field::require_email_match, kind::boolean, 0},
    {"emailMatchCredentialFilter", user_field::email_match_credential_filter, kind::boolean, 0},
    {"authOrganizationId", user_field::auth_organization_id, kind::nullable_line, limits::name_chars},
    {"userName", user_field::user_name, kind::nullable_line, limits::name_chars},
    {"active", user_field::active, kind::boolean, 0},
}};

field_rule const* find_rule(std::string_view name)
{
    auto it = std::find_if(rules.begin(), rules.end(), [&](field_rule const& r) { return r.name == name; });
    return it == rules.end() ? nullptr : &*it;
}

struct period_rule {
    std::string_view name;
    store::remove_period period;
    int days;
};
constexpr period_rule periods[] = {
    {"WEEK", store::remove_period::week, 7},
    {"MONTH", store::remove_period::month, 30},
    {"YEAR", store::remove_period::year, 365},
};

std::string must(std::string_view name, std::string_view what)
{
    return std::string(name) + ": " + std::string(what);
}

std::optional<std::string> check_value(field_rule const& rule, json::value const& v)
{
    auto const too_long = [&](std::string_view s) {
        return count_code_points(s) > rule.max_chars;
    };
    switch (rule.type) {
    case kind::name:
        if (!v.is_string())
            return must(rule.name, "must be a string");
        if (too_long(v.get_string()))
            return must(rule.name, "longer than " + std::to_string(rule.max_chars) + " characters");
        if (has_control_character(v.get_string()))
            return must(rule.name, "contains a control character");
        return std::nullopt;
    case kind::nullable_line:
    case kind::nullable_text:
        if (v.is_null())
            return std::nullopt;
        if (!v.is_string())
            return must(rule.name, "must be a string or null");
        if (too_long(v.get_string()))
            return must(rule.name, "longer than " + std::to_string(rule.max_chars) + " characters");
        if (has_control_character(v.get_string(), rule.type == kind::nullable_text ? lines::multi : lines::single))
            return must(rule.name, rule.type == kind::nullable_text
                                       ? "contains a control character other than tab and newline"
                                       : "contains a control character");
        // A userName is an identifier: RFC 8265's rules (store/user_name.hpp).
        if (rule.field == user_field::user_name && !v.get_string().empty())
            if (auto why = store::name_refusal(v.get_string()))
                return must(rule.name, *why);
        return std::nullopt;
    case kind::boolean:
        if (!v.is_bool())
            return must(rule.name, "must be true or false");
        return std::nullopt;
    case kind::id:
        if (!positive_integer(v))
            return must(rule.name, "must be a positive integer");
        return std::nullopt;
    case kind::phone:
        if (v.is_null() || (v.is_string() && v.get_string().empty()))
            return std::nullopt;
        if (!v.is_string())
            return must(rule.name, "must be a string or null");
        if (!is_e164(v.get_string()))
            return must(rule.name, "not an E.164 number");
        return std::nullopt;
    case kind::email:
        if (v.is_null() || (v.is_string() && v.get_string().empty()))
            return std::nullopt;
        if (!v.is_string())
            return must(rule.name, "must be a string or null");
        if (v.get_string().size() > rule.max_chars || !is_email_address(v.get_string()))
            return must(rule.name, "not an e-mail address");
        return std::nullopt;
    case kind::period:
        if (v.is_null())
            return std::nullopt;
        if (v.is_string()) {
            for (auto const& p : periods)
                if (p.name == v.get_string())
                    return std::nullopt;
        }
        return must(rule.name, "must be \"WEEK\", \"MONTH\", \"YEAR\" or null");
    }
    return std::nullopt;
}

std::optional<std::string> text_or_null(json::value const& v)
{
    if (v.is_null())
        return std::nullopt;
    return std::string(v.get_string());
}

// Phone numbers, e-mail addresses and userNames: null or "" clears.
std::optional<std::string> contact_or_null(json::value const& v)
{
    if (v.is_null() || v.get_string().empty())
        return std::nullopt;
    return std::string(v.get_string());
}

void set_field(store::user& u, user_field f, json::value const& v, store::unix_time now)
{
    switch (f) {
    case user_field::first_name: u.set_first_name(std::string_view(v.get_string())); break;
    case user_field::last_name: u.set_last_name(std::string_view(v.get_string())); break;
    case user_field::phone_number: u.set_phone_number(contact_or_null(v)); break;
    case user_field::email_address: u.set_email_address(contact_or_null(v)); break;
    case user_field::super_user: u.super_user = v.get_bool(); break;
    case user_field::client_id: u.client_id = positive_integer(v); break;
    case user_field::external_id: u.set_external_id(text_or_null(v)); break;
    case user_field::description: u.set_description(text_or_null(v)); break;
    case user_field::remarks: u.set_remarks(text_or_null(v)); break;
    case user_field::auto_email_match: u.auto_email_match = v.get_bool(); break;
    case user_field::require_email_match: u.require_email_match = v.get_bool(); break;
    case user_field::email_match_credential_filter: u.email_match_credential_filter = v.get_bool(); break;
    case user_field::auth_organization_id: u.set_auth_organization_id(text_or_null(v)); break;
    case user_field::user_name: u.set_user_name(contact_or_null(v)); break;
    case user_field::active: u.active = v.get_bool(); break;
    case user_field::auto_remove_after:
        u.auto_remove_after = store::remove_period::none;
        u.remove_at.reset();
        for (auto const& p : periods) {
            if (v.is_string() && p.name == v.get_string()) {
                u.auto_remove_after = p.period;
                u.remove_at = now + p.days * store::seconds_per_day;
            }
        }
        break;
    case user_field::phone_number_verify:
    case user_field::email_address_verify:
        break; // settled after the contact fields, in settle_verification()
    }
}

// "Changing the number without verifying it resets verification."
std::optional<std::string> settle_verification(bool& verified, store::user::text before,
                                               store::user::text after,
                                               json::value const* verify, std::string_view verify_name)
{
    if (before != after || !after)
        verified = false;
    if (verify) {
        if (verify->get_bool() && !after)
            return must(verify_name, "there is nothing to verify");
        verified = verify->get_bool();
    }
    return std::nullopt;
}

} // namespace

std::string_view field_name(user_field f) { return rules[static_cast<std::size_t>(f)].name; }

bool is_e164(std::string_view s)
{
    if (s.size() < 3 || s.size() > 16 || s[0] != '+' || s[1] < '1' || s[1] > '9')
        return false;
    return std::all_of(s.begin() + 1, s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

bool is_email_address(std::string_view s)
{
    auto const at = s.find('@');
    if (at == std::string_view::npos || s.find('@', at + 1) != std::string_view::npos)
        return false;
    auto const local = s.substr(0, at);
    auto const domain = s.substr(at + 1);
    if (local.empty() || has_control_character(s))
        return false;
    if (std::any_of(s.begin(), s.end(), [](char c) { return c == ' ' || c == '\t'; }))
        return false;
    // A dot, and no empty label: "a.b", not ".ab", "ab." or "a..b".
    return domain.find('.') != std::string_view::npos && domain.front() != '.' && domain.back() != '.'
        && domain.find("..") == std::string_view::npos;
}

std::optional<std::string> check_user_patch(json::object body, user_patch& out)
{
    out.fields = {};
    for (auto const& [key, value] : body) {
        auto const* rule = find_rule(key);
        if (!rule)
            return must(key, "unknown field");
        if (auto error = check_value(*rule, value))
            return error;
        out.fields.add(rule->field);
    }
    out.values = std::move(body);
    return std::nullopt;
}

std::optional<http::response> read_user_patch(parsed_body& body, user_patch& out)
{
    if (body.error())
        return body.error();
    if (auto detail = check_user_patch(body.take(), out))
        return bad_request(*detail);
    return std::nullopt;
}

std::optional<http::response> parse_role_change(boost::urls::params_view query, role_change& out)
{
    out = {};
    for (auto const& param : query) {
        if (param.key == "userGroupId") {
            if (out.group)
                return bad_request("userGroupId: given more than once");
            out.group = parse_id(param.value);
            if (!out.group || !param.has_value)
                return bad_request("userGroupId: must be a positive integer");
        } else if (param.key == "groupAdmin") {
            if (out.admin)
                return bad_request("groupAdmin: given more than once");
            if (param.value == "true")
                out.admin = true;
            else if (param.value == "false")
                out.admin = false;
            else
                return bad_request("groupAdmin: must be true or false");
        } else {
            return bad_request(param.key + ": unknown query parameter");
        }
    }
    return std::nullopt;
}

std::optional<std::string> apply_patch(store::user& u, user_patch const& patch, store::unix_time now)
{
    // The texts as they were, copied only when the patch may change the
    // phone number or the address; else they are the texts as they are.
    bool const contact = patch.fields.has(user_field::phone_number) || patch.fields.has(user_field::email_address);
    auto const before = contact ? u.texts : store::user_texts{};
    for (auto const& [key, value] : patch.values)
        set_field(u, find_rule(key)->field, value, now);
    auto const was = [&](store::user_text t) { return contact ? before.get(t) : u.texts.get(t); };
    if (auto error = settle_verification(u.phone_number_verified, was(store::user_text::phone_number),
                                         u.phone_number(),
                                         patch.values.if_contains("phoneNumberVerify"), "phoneNumberVerify"))
        return error;
    return settle_verification(u.email_address_verified, was(store::user_text::email_address),
                               u.email_address(),
                               patch.values.if_contains("emailAddressVerify"), "emailAddressVerify");
}

std::optional<std::string> apply_roles(store::user& u, role_change const& roles, store::directory const& dir)
{
    if (roles.admin && !roles.group)
        return "Invalid roles: groupAdmin requires userGroupId";
    if (roles.group) {
        if (!dir.find_group(*roles.group))
            return "Invalid roles: no user group " + std::to_string(*roles.group);
        auto const existing = u.membership_of(*roles.group);
        u.set_membership(*roles.group, roles.admin.value_or(existing && existing->admin));
    }
    for (auto const& m : u.groups()) {
        auto const* g = dir.find_group(m.group_id);
        if (g && !store::clients_compatible(u.client_id, g->client_id))
            return "Invalid roles: user group " + std::to_string(m.group_id) + " belongs to another clientId";
    }
    return std::nullopt;
}

} // namespace rosterd::api
