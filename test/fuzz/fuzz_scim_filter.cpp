// A SCIM filter (the first line) and a PATCH path (the rest) into their
// parsers, and the filter into the evaluator against a full user resource;
// and the filter on a user's record against the same user's resource: the
// two evaluations must agree (a disagreement aborts).
#include "scim/filter.hpp"
#include "scim/mapping.hpp"
#include "scim/user_attributes.hpp"

#include <boost/json/parse.hpp>

#include <cstdlib>

using namespace rosterd;

extern "C" int LLVMFuzzerTestOneInput(std::uint8_t const* data, std::size_t size)
{
    static auto const resource = boost::json::parse(R"({
        "schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"],
        "id": "2", "externalId": "E-2", "userName": "bjensen@example.com", "active": true,
        "name": {"givenName": "Barbara", "familyName": "Jensen"},
        "emails": [{"value": "bjensen@example.com", "type": "work", "primary": true}, {"value": "b@home.example"}],
        "phoneNumbers": [{"value": "+31850607337", "type": "work"}],
        "groups": [{"value": "1", "display": "support"}],
        "meta": {"resourceType": "User", "lastModified": "2026-11-29T10:00:00Z", "version": "W/\"a\""},
        "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User": {"employeeNumber": "701984"}
    })").as_object();
    static store::directory dir; // not copyable: filled in place, once
    static bool const filled = [] {
        auto& d = dir;
        d.apply(store::put_group{{1, "support", std::nullopt, 0, 0}});
        store::user u;
        u.id = 2;
        u.set_first_name("Barbara");
        u.set_last_name("Jensen");
        u.set_email_address("bjensen@example.com");
        u.set_phone_number("+31850607337");
        u.set_external_id("E-2");
        u.set_membership(1, true);
        u.created = 1'764'400'000;
        u.updated = 1'764'410'000;
        d.apply(store::put_user{u});
        return true;
    }();
    (void)filled;
    static auto const& user = *dir.find_user(2);
    static auto const user_json = scim::user_resource(user, dir, user, {});
    std::string_view const input(reinterpret_cast<char const*>(data), size);
    auto const newline = input.find('\n');
    try {
        auto const f = scim::parse_filter(input.substr(0, newline));
        scim::matches(*f, resource);
        if (scim::matches(*f, scim::user_attributes(user, dir, user)) != scim::matches(*f, user_json))
            std::abort();
    } catch (scim::filter_error const&) {
    }
    if (newline != std::string_view::npos) {
        try {
            auto const path = scim::parse_patch_path(input.substr(newline + 1));
            if (path.value_filter)
                scim::matches(*path.value_filter, resource);
        } catch (scim::filter_error const&) {
        }
    }
    return 0;
}
