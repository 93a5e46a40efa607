// A SCIM PATCH body applied to a full user resource, and the result (or,
// when the input is not a PatchOp, the input itself as a PUT body) mapped
// to rosterd's fields; and the same body as a group's PATCH: the paths a
// hostile provisioning client controls.
#include "scim/mapping.hpp"
#include "scim/patch.hpp"
#include "scim/protocol.hpp"

#include <boost/json/parse.hpp>

#include <unordered_set>

using namespace rosterd;

extern "C" int LLVMFuzzerTestOneInput(std::uint8_t const* data, std::size_t size)
{
    static auto const resource = boost::json::parse(R"({
        "schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"],
        "id": "2", "externalId": "E-2", "userName": "bjensen@example.com", "active": true,
        "name": {"givenName": "Barbara", "familyName": "Jensen", "formatted": "Barbara Jensen"},
        "emails": [{"value": "bjensen@example.com", "type": "work", "primary": true}, {"value": "b@home.example"}],
        "phoneNumbers": [{"value": "+31850607337", "type": "work"}],
        "groups": [{"value": "1", "display": "support"}],
        "members": [{"value": "3"}, {"value": "4"}],
        "meta": {"resourceType": "User", "version": "\"a\""}
    })").as_object();
    boost::json::parse_options options;
    options.max_depth = 16; // as the server's --max-json-depth
    boost::system::error_code ec;
    auto const input = boost::json::parse(
        std::string_view(reinterpret_cast<char const*>(data), size), ec, {}, options);
    if (ec || !input.is_object())
        return 0;
    auto patched = resource;
    try {
        scim::apply_patch(patched, input.get_object());
    } catch (scim::error const&) {
        patched = input.get_object();
    }
    try {
        scim::native_fields(patched);
    } catch (scim::error const&) {
    }
    try {
        scim::member_ids(patched);
        scim::display_name(patched);
    } catch (scim::error const&) {
    }
    // The same body as a group's PATCH, members worked on as ids.
    boost::json::object group{{"displayName", "support"}};
    std::unordered_set<store::record_id> members{3, 4};
    try {
        scim::apply_group_patch(group, members, input.get_object());
    } catch (scim::error const&) {
    }
    return 0;
}
