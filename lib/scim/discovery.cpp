#include "scim/discovery.hpp"

#include "scim/protocol.hpp"
#include "scim/query.hpp"

#include <string>

namespace rosterd::scim {

namespace json = boost::json;

namespace {

// The parts one after another. (Not `"/" + std::string(x)`: GCC 12 warns
// falsely of overlapping memcpy in that.)
std::string concat(std::initializer_list<std::string_view> parts)
{
    std::string out;
    for (auto p : parts)
        out.append(p);
    return out;
}

json::object supported(bool yes) { return json::object{{"supported", yes}}; }

json::object meta(std::string_view type, std::string const& location)
{
    return json::object{{"resourceType", type}, {"location", location}};
}

enum class mutability { read_write, read_only };

struct attribute_spec {
    std::string_view name;
    std::string_view type = "string";
    bool multi = false;
    bool required = false;
    mutability mutable_ = mutability::read_write;
    bool case_exact = false;
    std::string_view uniqueness = "none";
    std::string_view description = {};
};

json::object attribute(attribute_spec const& a, json::array sub = {})
{
    json::object o{
        {"name", a.name},
        {"type", a.type},
        {"multiValued", a.multi},
        {"description", a.description},
        {"required", a.required},
        {"mutability", a.mutable_ == mutability::read_only ? "readOnly" : "readWrite"},
        {"returned", "default"},
    };
    if (a.type == "string" || a.type == "reference") {
        o["caseExact"] = a.case_exact;
        o["uniqueness"] = a.uniqueness;
    }
    if (!sub.empty())
        o["subAttributes"] = std::move(sub);
    return o;
}

// value, type and primary: an element of emails or phoneNumbers.
json::array kept_once(std::string_view what)
{
    return json::array{
        attribute({.name = "value", .description = what}),
        attribute({.name = "type", .description = "Output \"work\"; on input, picks the element kept"}),
        attribute({.name = "primary", .type = "boolean"}),
    };
}

json::array reference_sub(std::string_view of, mutability m)
{
    return json::array{
        attribute({.name = "value", .mutable_ = m, .description = std::string_view(of)}),
        attribute({.name = "$ref", .type = "reference", .mutable_ = mutability::read_only}),
        attribute({.name = "display", .mutable_ = mutability::read_only}),
        attribute({.name = "type", .mutable_ = mutability::read_only}),
    };
}

json::object user_schema()
{
    json::array attributes{
        attribute({.name = "userName", .required = true, .uniqueness = "server",
                   .description = "rosterd's userName; unique, ignoring case"}),
        attribute({.name = "name", .type = "complex"}, json::array{
            attribute({.name = "givenName", .description = "rosterd's firstName"}),
            attribute({.name = "familyName", .description = "rosterd's lastName"}),
            attribute({.name = "formatted", .mutable_ = mutability::read_only}),
        }),
        attribute({.name = "displayName", .mutable_ = mutability::read_only,
                   .description = "givenName and familyName; not stored"}),
        attribute({.name = "emails", .type = "complex", .multi = true,
                   .description = "One address is kept: rosterd's emailAddress"},
                  kept_once("An e-mail address")),
        attribute({.name = "phoneNumbers", .type = "complex", .multi = true,
                   .description = "One number is kept, in E.164: rosterd's phoneNumber"},
                  kept_once("A phone number")),
        attribute({.name = "active", .type = "boolean",
                   .description = "false: the user's tokens stop working"}),
        attribute({.name = "groups", .type = "complex", .multi = true, .mutable_ = mutability::read_only,
                   .description = "The user groups the user belongs to; change them through Groups"},
                  reference_sub("A group's id", mutability::read_only)),
    };
    return json::object{
        {"schemas", json::array{"urn:ietf:params:scim:schemas:core:2.0:Schema"}},
        {"id", urn::user},
        {"name", "User"},
        {"description", "A rosterd user"},
        {"attributes", std::move(attributes)},
        {"meta", meta("Schema", concat({base_path, "/Schemas/", urn::user}))},
    };
}

json::object group_schema()
{
    json::array attributes{
        attribute({.name = "displayName", .required = true, .description = "The user group's name"}),
        attribute({.name = "members", .type = "complex", .multi = true,
                   .description = "Users only; new members join as plain members"},
                  reference_sub("A user's id", mutability::read_write)),
    };
    return json::object{
        {"schemas", json::array{"urn:ietf:params:scim:schemas:core:2.0:Schema"}},
        {"id", urn::group},
        {"name", "Group"},
        {"description", "A rosterd user group"},
        {"attributes", std::move(attributes)},
        {"meta", meta("Schema", concat({base_path, "/Schemas/", urn::group}))},
    };
}

json::object resource_type(std::string_view name, std::string_view endpoint, std::string_view schema)
{
    return json::object{
        {"schemas", json::array{"urn:ietf:params:scim:schemas:core:2.0:ResourceType"}},
        {"id", name},
        {"name", name},
        {"endpoint", concat({"/", endpoint})},
        {"schema", schema},
        {"meta", meta("ResourceType", concat({base_path, "/ResourceTypes/", name}))},
    };
}

} // namespace

json::object service_provider_config()
{
    json::object filter = supported(true);
    filter["maxResults"] = max_count;
    return json::object{
        {"schemas", json::array{"urn:ietf:params:scim:schemas:core:2.0:ServiceProviderConfig"}},
        {"patch", supported(true)},
        {"bulk", json::object{{"supported", true}, {"maxOperations", bulk_max_operations},
                              {"maxPayloadSize", bulk_max_payload}}},
        {"filter", std::move(filter)},
        {"changePassword", supported(false)},
        {"sort", supported(false)},
        {"etag", supported(true)},
        {"authenticationSchemes", json::array{json::object{
            {"type", "oauthbearertoken"},
            {"name", "Bearer token"},
            {"description", "A rosterd API token, as for the rest of the API: Authorization: Bearer <token>"},
            {"primary", true},
        }}},
        {"meta", meta("ServiceProviderConfig", concat({base_path, "/ServiceProviderConfig"}))},
    };
}

json::array resource_types()
{
    return json::array{
        resource_type("User", "Users", urn::user),
        resource_type("Group", "Groups", urn::group),
    };
}

json::array schemas() { return json::array{user_schema(), group_schema()}; }

} // namespace rosterd::scim
