// A SCIM filter (the first line) and a PATCH path (the rest) into their
// parsers, and the filter into the evaluator against a full user resource.
#include "scim/filter.hpp"

#include <boost/json/parse.hpp>

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
    std::string_view const input(reinterpret_cast<char const*>(data), size);
    auto const newline = input.find('\n');
    try {
        scim::matches(*scim::parse_filter(input.substr(0, newline)), resource);
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
