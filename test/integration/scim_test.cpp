// SCIM 2.0 on the real binary: the request sequences Entra ID and Okta send
// when they provision (from their published SCIM documentation), replayed
// in order, and what a SCIM client must get besides: SCIM errors, rights,
// discovery, paging and attribute selection. A SCIM user is the same user
// /user/{id} shows.
#define BOOST_TEST_MODULE integration_scim
#include <boost/test/unit_test.hpp>

#include "../support/api_client.hpp"
#include "store/time.hpp"

#include <boost/json.hpp>

#include <array>

using namespace rosterd::test;
using bhttp::verb;
namespace json = boost::json;

namespace {

std::string const root = "6ca909dc8258971e89c149bfdb94b513";
std::string const scim_media = "application/scim+json";

// A SCIM call: the body sent as application/scim+json, as the identity
// providers send it; the twelve headers checked on the answer.
http_reply scim(api_client& api, verb method, std::string const& target, std::optional<std::string> body = {},
                std::string const& token = root)
{
    auto res = api.connection().request(method, "/scim/v2" + target, std::move(body), token, scim_media);
    BOOST_TEST(hardening_header_problems(res) == "");
    if (!res.body().empty())
        BOOST_TEST(res[bhttp::field::content_type] == scim_media, target);
    return res;
}

json::object parsed(http_reply const& res) { return json::parse(res.body()).as_object(); }

// A call that must answer `status` with a JSON body: the body.
json::object expect(api_client& api, unsigned status, verb method, std::string const& target,
                    std::optional<std::string> body = {}, std::string const& token = root)
{
    auto const res = scim(api, method, target, std::move(body), token);
    BOOST_TEST_REQUIRE(res.result_int() == status, target + ": " + res.body());
    return parsed(res);
}

// A SCIM error: its status (as a string, RFC 7644 §3.12) and scimType.
void expect_error(api_client& api, unsigned status, std::string const& scim_type, verb method,
                  std::string const& target, std::optional<std::string> body = {}, std::string const& token = root)
{
    auto const res = scim(api, method, target, std::move(body), token);
    BOOST_TEST_REQUIRE(res.result_int() == status, target + ": " + res.body());
    auto const e = parsed(res);
    BOOST_TEST(e.at("schemas").as_array().at(0).as_string() == "urn:ietf:params:scim:api:messages:2.0:Error");
    BOOST_TEST(e.at("status").as_string() == std::to_string(status));
    BOOST_TEST(!e.at("detail").as_string().empty());
    if (scim_type.empty())
        BOOST_TEST(!e.contains("scimType"), res.body());
    else
        BOOST_TEST(e.at("scimType").as_string() == scim_type, res.body());
}

// The native view of a user, as /user/{id} shows it.
json::object native_user(api_client& api, std::string const& id)
{
    auto const res = api.call(verb::get, "/user/" + id);
    BOOST_TEST_REQUIRE(res.result_int() == 200u, res.body());
    return parsed(res);
}

std::string str(json::value const& v) { return std::string(v.as_string()); }

std::size_t total(json::object const& list) { return list.at("totalResults").to_number<std::size_t>(); }

std::vector<std::string> member_values(json::object const& group)
{
    std::vector<std::string> out;
    for (auto const& m : group.at("members").as_array())
        out.push_back(str(m.at("value")));
    return out;
}

using strings = std::vector<std::string>;

// A user's own token works (200 on their own record) or is refused (401).
unsigned own_read(api_client& api, std::string const& id, std::string const& token)
{
    return api.call(verb::get, "/user/" + id, token).result_int();
}

} // namespace

// Entra ID's user provisioning, as "Tutorial: Develop and plan provisioning
// for a SCIM endpoint in Microsoft Entra ID" lists its requests.
BOOST_AUTO_TEST_CASE(entra_id_user_sequence)
{
    server_process server({"--bootstrap-token", root});
    api_client api(server.port(), root);

    // Before it creates, Entra ID looks the user up by the matching attribute.
    auto const none = expect(api, 200, verb::get, "/Users?filter=userName+eq+%22Test_User_dfeef4c5-5681-4387-b016-bdf221e82081%22");
    BOOST_TEST(total(none) == 0u);
    BOOST_TEST(none.at("Resources").as_array().empty());
    BOOST_TEST(none.at("schemas").as_array().at(0).as_string() == "urn:ietf:params:scim:api:messages:2.0:ListResponse");

    std::string const create = R"({
        "schemas": ["urn:ietf:params:scim:schemas:core:2.0:User",
                    "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"],
        "externalId": "0a21f0f2-8d2a-4f8e-bf98-7363c4aed4ef",
        "userName": "Test_User_ab6490ee-1e48-479e-a20b-2d77186b5dd1",
        "active": true,
        "emails": [{"primary": true, "type": "work", "value": "Test_User_fd0ea19b-0777-472c-9f96-4f70d2226f2e@testuser.com"}],
        "meta": {"resourceType": "User"},
        "name": {"formatted": "givenName familyName", "familyName": "familyName", "givenName": "givenName"},
        "roles": []
    })";
    auto const created = scim(api, verb::post, "/Users", create);
    BOOST_TEST_REQUIRE(created.result_int() == 201u, created.body());
    auto const user = parsed(created);
    auto const id = str(user.at("id"));
    BOOST_TEST(created[bhttp::field::location] == "/scim/v2/Users/" + id);
    BOOST_TEST(str(user.at("userName")) == "Test_User_ab6490ee-1e48-479e-a20b-2d77186b5dd1");
    BOOST_TEST(str(user.at("externalId")) == "0a21f0f2-8d2a-4f8e-bf98-7363c4aed4ef");
    BOOST_TEST(str(user.at("name").at("givenName")) == "givenName");
    BOOST_TEST(str(user.at("name").at("familyName")) == "familyName");
    BOOST_TEST(str(user.at("emails").at(0).at("value")) == "Test_User_fd0ea19b-0777-472c-9f96-4f70d2226f2e@testuser.com");
    BOOST_TEST(user.at("active").as_bool());
    BOOST_TEST(str(user.at("meta").at("resourceType")) == "User");
    BOOST_TEST(str(user.at("meta").at("version")) == created[bhttp::field::etag]);

    // The same user as the native API shows it.
    auto const native = native_user(api, id);
    BOOST_TEST(str(native.at("userName")) == "Test_User_ab6490ee-1e48-479e-a20b-2d77186b5dd1");
    BOOST_TEST(str(native.at("firstName")) == "givenName");
    BOOST_TEST(str(native.at("lastName")) == "familyName");
    BOOST_TEST(str(native.at("emailAddress")) == "Test_User_fd0ea19b-0777-472c-9f96-4f70d2226f2e@testuser.com");
    BOOST_TEST(str(native.at("externalId")) == "0a21f0f2-8d2a-4f8e-bf98-7363c4aed4ef");
    BOOST_TEST(native.at("active").as_bool());

    auto const read = expect(api, 200, verb::get, "/Users/" + id);
    BOOST_TEST(read == user);
    // userName is matched ignoring case.
    auto const found = expect(api, 200, verb::get, "/Users?filter=userName+eq+%22test_user_AB6490EE-1e48-479e-a20b-2d77186b5dd1%22");
    BOOST_TEST_REQUIRE(total(found) == 1u);
    BOOST_TEST(str(found.at("Resources").at(0).at("id")) == id);
    // A second create of the same userName.
    expect_error(api, 409, "uniqueness", verb::post, "/Users", create);

    // Update User [Multi-valued properties], then [Single-valued properties].
    auto const patched = expect(api, 200, verb::patch, "/Users/" + id, R"({
        "schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
        "Operations": [
            {"op": "Replace", "path": "emails[type eq \"work\"].value", "value": "updatedEmail@microsoft.com"},
            {"op": "Replace", "path": "name.familyName", "value": "updatedFamilyName"}
        ]})");
    BOOST_TEST(str(patched.at("emails").at(0).at("value")) == "updatedEmail@microsoft.com");
    BOOST_TEST(str(patched.at("name").at("familyName")) == "updatedFamilyName");
    auto const renamed = expect(api, 200, verb::patch, "/Users/" + id, R"({
        "schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
        "Operations": [{"op": "Replace", "path": "userName", "value": "5b50642d-79fc-4410-9e90-4c077cdd1a59@testuser.com"}]})");
    BOOST_TEST(str(renamed.at("userName")) == "5b50642d-79fc-4410-9e90-4c077cdd1a59@testuser.com");
    auto const after = native_user(api, id);
    BOOST_TEST(str(after.at("emailAddress")) == "updatedEmail@microsoft.com");
    BOOST_TEST(str(after.at("lastName")) == "updatedFamilyName");
    BOOST_TEST(str(after.at("userName")) == "5b50642d-79fc-4410-9e90-4c077cdd1a59@testuser.com");

    // Disable User: Entra ID sends the boolean as a string. A deactivated
    // user's tokens stop working, and work again on reactivation.
    auto const token = api.token_for(std::stoull(id));
    BOOST_TEST(own_read(api, id, token) == 200u);
    auto const disabled = expect(api, 200, verb::patch, "/Users/" + id, R"({
        "schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
        "Operations": [{"op": "Replace", "path": "active", "value": "False"}]})");
    BOOST_TEST(!disabled.at("active").as_bool());
    BOOST_TEST(own_read(api, id, token) == 401u);
    BOOST_TEST(!native_user(api, id).at("active").as_bool());
    auto const listed = expect(api, 200, verb::get, "/Users?filter=active+eq+false");
    BOOST_TEST_REQUIRE(total(listed) == 1u);
    BOOST_TEST(str(listed.at("Resources").at(0).at("id")) == id);
    expect(api, 200, verb::patch, "/Users/" + id, R"({"schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
        "Operations": [{"op": "Replace", "path": "active", "value": true}]})");
    BOOST_TEST(own_read(api, id, token) == 200u);

    // Delete User.
    auto const deleted = scim(api, verb::delete_, "/Users/" + id);
    BOOST_TEST(deleted.result_int() == 204u);
    expect_error(api, 404, "", verb::get, "/Users/" + id);
    BOOST_TEST(api.call(verb::get, "/user/" + id).result_int() == 404u);
}

// Entra ID's group provisioning, from the same tutorial.
// Entra ID's user sequence as an international tenant sends it: a
// userPrincipalName beyond ASCII, a national mobile number (the server's
// --phone-region), the lookup by externalId, PATCHes of the number with
// Entra's capitalized ops, a delta sync, and the soft delete.
BOOST_AUTO_TEST_CASE(entra_id_user_sequence_with_national_numbers_and_non_ascii_names)
{
    server_process server({"--bootstrap-token", root, "--phone-region", "NL"});
    api_client api(server.port(), root);
    std::string const upn = "J\u00fcrgen.M\u00fcller@contoso.onmicrosoft.com";   // Jürgen.Müller@...
    BOOST_TEST(total(expect(api, 200, verb::get, "/Users?filter=externalId+eq+%2268d4a0c8-8e9b-4a5e-a3b2-0f1e2d3c4b5a%22")) == 0u);
    auto const user = expect(api, 201, verb::post, "/Users", R"({
        "schemas": ["urn:ietf:params:scim:schemas:core:2.0:User",
                    "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"],
        "externalId": "68d4a0c8-8e9b-4a5e-a3b2-0f1e2d3c4b5a",
        "userName": ")" + upn + R"(",
        "active": true,
        "emails": [{"primary": true, "type": "work", "value": ")" + upn + R"("}],
        "phoneNumbers": [{"type": "mobile", "value": "06 12345678"}],
        "name": {"formatted": "J\u00fcrgen M\u00fcller", "familyName": "M\u00fcller", "givenName": "J\u00fcrgen"},
        "roles": []})");
    auto const id = str(user.at("id"));
    auto const since = str(user.at("meta").at("lastModified"));
    BOOST_TEST(str(user.at("phoneNumbers").at(0).at("value")) == "+31612345678");
    // Entra's later lookups: by externalId, and by userName in lower case.
    auto const by_external = expect(api, 200, verb::get, "/Users?filter=externalId+eq+%2268d4a0c8-8e9b-4a5e-a3b2-0f1e2d3c4b5a%22");
    BOOST_TEST_REQUIRE(total(by_external) == 1u);
    BOOST_TEST(str(by_external.at("Resources").at(0).at("id")) == id);
    auto const by_name = expect(api, 200, verb::get,
                                "/Users?filter=userName+eq+%22j%C3%BCrgen.m%C3%BCller%40contoso.onmicrosoft.com%22");
    BOOST_TEST(total(by_name) == 1u);

    std::this_thread::sleep_for(std::chrono::milliseconds(1100));
    auto const patched = expect(api, 200, verb::patch, "/Users/" + id, R"({
        "schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
        "Operations": [{"op": "Replace", "path": "phoneNumbers[type eq \"mobile\"].value", "value": "+31 (0)6 8765 4321"}]})");
    BOOST_TEST(str(patched.at("phoneNumbers").at(0).at("value")) == "+31687654321");
    auto const changed = expect(api, 200, verb::get, "/Users?filter=meta.lastModified+gt+%22" + since + "%22");
    BOOST_TEST_REQUIRE(total(changed) == 1u);
    BOOST_TEST(str(changed.at("Resources").at(0).at("id")) == id);
    // The soft delete.
    auto const disabled = expect(api, 200, verb::patch, "/Users/" + id, R"({
        "schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
        "Operations": [{"op": "Replace", "path": "active", "value": false}]})");
    BOOST_TEST(!disabled.at("active").as_bool());
}

BOOST_AUTO_TEST_CASE(entra_id_group_sequence)
{
    server_process server({"--bootstrap-token", root});
    api_client api(server.port(), root);
    auto const user = std::to_string(api.create("/user", R"({"firstName":"Ann","emailAddress":"ann@example.org"})"));

    auto const created = scim(api, verb::post, "/Groups", R"({
        "schemas": ["urn:ietf:params:scim:schemas:core:2.0:Group", "http://schemas.microsoft.com/2006/11/ResourceManagement/ADSCIM/2.0/Group"],
        "externalId": "8aa1a0c0-c4c3-4bc0-b4a5-2ef676900159",
        "displayName": "displayName",
        "meta": {"resourceType": "Group"}})");
    BOOST_TEST_REQUIRE(created.result_int() == 201u, created.body());
    auto const group = parsed(created);
    auto const id = str(group.at("id"));
    BOOST_TEST(str(group.at("displayName")) == "displayName");
    BOOST_TEST(group.at("members").as_array().empty());
    BOOST_TEST(created[bhttp::field::location] == "/scim/v2/Groups/" + id);

    // Get Group / Get Group by displayName, both without members.
    auto const read = expect(api, 200, verb::get, "/Groups/" + id + "?excludedAttributes=members");
    BOOST_TEST(!read.contains("members"));
    BOOST_TEST(str(read.at("displayName")) == "displayName");
    auto const by_name = expect(api, 200, verb::get, "/Groups?excludedAttributes=members&filter=displayName+eq+%22displayName%22");
    BOOST_TEST_REQUIRE(total(by_name) == 1u);
    BOOST_TEST(!by_name.at("Resources").at(0).as_object().contains("members"));

    // Update Group [Add Members]: 204, and the user is a plain member.
    auto const added = scim(api, verb::patch, "/Groups/" + id, R"({
        "schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
        "Operations": [{"name": "addMember", "op": "Add", "path": "members", "value": [{"$ref": null, "value": ")" + user + R"("}]}]})");
    BOOST_TEST(added.result_int() == 204u, added.body());
    BOOST_TEST(member_values(expect(api, 200, verb::get, "/Groups/" + id)) == strings{user});
    auto const groups = native_user(api, user).at("userGroups").as_array();
    BOOST_TEST_REQUIRE(groups.size() == 1u);
    BOOST_TEST(groups.at(0).at("id").to_number<int>() == std::stoi(id));
    BOOST_TEST(!groups.at(0).at("admin").as_bool());
    BOOST_TEST(str(expect(api, 200, verb::get, "/Users/" + user).at("groups").at(0).at("value")) == id);
    // Is the user a member? (a filter on members)
    auto const member_check = expect(api, 200, verb::get, "/Groups?filter=id+eq+%22" + id + "%22+and+members+eq+%22" + user
                                                               + "%22&excludedAttributes=members");
    BOOST_TEST(total(member_check) == 1u);

    // Update Group [Remove Members].
    auto const removed = scim(api, verb::patch, "/Groups/" + id, R"({
        "schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
        "Operations": [{"name": "removeMember", "op": "Remove", "path": "members", "value": [{"$ref": null, "value": ")" + user + R"("}]}]})");
    BOOST_TEST(removed.result_int() == 204u, removed.body());
    BOOST_TEST(expect(api, 200, verb::get, "/Groups/" + id).at("members").as_array().empty());
    BOOST_TEST(native_user(api, user).at("userGroups").as_array().empty());

    // Delete Group.
    BOOST_TEST(scim(api, verb::delete_, "/Groups/" + id).result_int() == 204u);
    expect_error(api, 404, "", verb::get, "/Groups/" + id);
}

// Okta's user provisioning, as its "SCIM 2.0 protocol reference" lists the
// requests.
BOOST_AUTO_TEST_CASE(okta_user_sequence)
{
    server_process server({"--bootstrap-token", root});
    api_client api(server.port(), root);

    auto const none = expect(api, 200, verb::get, "/Users?filter=userName%20eq%20%22test.user%40okta.local%22&startIndex=1&count=100");
    BOOST_TEST(total(none) == 0u);

    auto const created = scim(api, verb::post, "/Users", R"({
        "schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"],
        "userName": "test.user@okta.local",
        "name": {"givenName": "Test", "familyName": "User"},
        "emails": [{"primary": true, "value": "test.user@okta.local", "type": "work"}],
        "displayName": "Test User",
        "locale": "en-US",
        "externalId": "00ujl29u0le5T6Aj10h7",
        "groups": [],
        "password": "1mz050nq",
        "active": true})");
    BOOST_TEST_REQUIRE(created.result_int() == 201u, created.body());
    auto const user = parsed(created);
    auto const id = str(user.at("id"));
    // What rosterd does not keep is not in the answer: Okta can tell.
    BOOST_TEST(!user.contains("password"));
    BOOST_TEST(!user.contains("locale"));
    BOOST_TEST(str(user.at("displayName")) == "Test User");

    auto const found = expect(api, 200, verb::get, "/Users?filter=userName%20eq%20%22test.user%40okta.local%22&startIndex=1&count=100");
    BOOST_TEST_REQUIRE(total(found) == 1u);
    BOOST_TEST(str(found.at("Resources").at(0).at("id")) == id);
    BOOST_TEST(expect(api, 200, verb::get, "/Users/" + id) == user);

    // Update a user's profile: Okta PUTs the whole user.
    auto const replaced = expect(api, 200, verb::put, "/Users/" + id, R"({
        "schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"],
        "id": ")" + id + R"(",
        "userName": "test.user@okta.local",
        "name": {"givenName": "Another", "familyName": "User"},
        "emails": [{"primary": true, "value": "test.user@okta.local", "type": "work"}],
        "phoneNumbers": [{"type": "mobile", "value": "+1 (425) 555-0100"}],
        "displayName": "Another User",
        "active": true,
        "groups": [],
        "meta": {"resourceType": "User"}})");
    BOOST_TEST(str(replaced.at("name").at("givenName")) == "Another");
    BOOST_TEST(str(replaced.at("phoneNumbers").at(0).at("value")) == "+14255550100");
    BOOST_TEST(!replaced.contains("externalId")); // a PUT replaces: absent is cleared
    auto const native = native_user(api, id);
    BOOST_TEST(str(native.at("firstName")) == "Another");
    BOOST_TEST(str(native.at("phoneNumber")) == "+14255550100");
    BOOST_TEST(native.at("externalId").is_null());

    // Deactivate, and reactivate: a path-less replace.
    auto const inactive = expect(api, 200, verb::patch, "/Users/" + id, R"({
        "schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
        "Operations": [{"op": "replace", "value": {"active": false}}]})");
    BOOST_TEST(!inactive.at("active").as_bool());
    auto const active = expect(api, 200, verb::patch, "/Users/" + id, R"({
        "schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
        "Operations": [{"op": "replace", "value": {"active": true}}]})");
    BOOST_TEST(active.at("active").as_bool());

    // Paging: the bootstrap superuser and this user.
    auto const page = expect(api, 200, verb::get, "/Users?startIndex=2&count=1");
    BOOST_TEST(total(page) == 2u);
    BOOST_TEST(page.at("startIndex").to_number<int>() == 2);
    BOOST_TEST(page.at("itemsPerPage").to_number<int>() == 1);
    BOOST_TEST(str(page.at("Resources").at(0).at("id")) == id);
    auto const counted = expect(api, 200, verb::get, "/Users?count=0");
    BOOST_TEST(total(counted) == 2u);
    BOOST_TEST(counted.at("Resources").as_array().empty());
}

// Okta's group push, from the same reference.
// Okta's user sequence as an international directory sends it: a name
// with letters beyond ASCII, a national phone number (the server's
// --phone-region), the provider's lookup in another case, a delta sync by
// meta.lastModified, and a deactivation.
BOOST_AUTO_TEST_CASE(okta_user_sequence_with_national_numbers_and_non_ascii_names)
{
    server_process server({"--bootstrap-token", root, "--phone-region", "US"});
    api_client api(server.port(), root);
    std::string const name = "zo\u00eb.\u00e5ngstr\u00f6m@okta.local";       // zoë.ångström@okta.local
    std::string const lookup = "ZO%C3%8B.%C3%85NGSTR%C3%96M%40okta.local";      // the same, upper case
    BOOST_TEST(total(expect(api, 200, verb::get, "/Users?filter=userName%20eq%20%22" + lookup + "%22")) == 0u);
    auto const created = expect(api, 201, verb::post, "/Users", R"({
        "schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"],
        "userName": ")" + name + R"(",
        "name": {"givenName": "Zo\u00eb", "familyName": "\u00c5ngstr\u00f6m"},
        "emails": [{"primary": true, "value": ")" + name + R"(", "type": "work"}],
        "phoneNumbers": [{"type": "mobile", "value": "(425) 555-0100"}],
        "externalId": "00ujl29u0le5T6Aj10h8",
        "active": true})");
    auto const id = str(created.at("id"));
    auto const since = str(created.at("meta").at("lastModified"));
    BOOST_TEST(str(created.at("phoneNumbers").at(0).at("value")) == "+14255550100");
    BOOST_TEST(str(created.at("name").at("givenName")) == "Zo\u00eb"); // as sent
    auto const found = expect(api, 200, verb::get, "/Users?filter=userName%20eq%20%22" + lookup + "%22");
    BOOST_TEST_REQUIRE(total(found) == 1u);
    BOOST_TEST(str(found.at("Resources").at(0).at("id")) == id);
    expect_error(api, 409, "uniqueness", verb::post, "/Users",
                 R"({"userName":"ZO\u00cb.\u00c5NGSTR\u00d6M@okta.local"})");

    // A later cycle: what changed since the last one, then the deactivation.
    std::this_thread::sleep_for(std::chrono::milliseconds(1100));
    expect(api, 200, verb::patch, "/Users/" + id, R"({
        "schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
        "Operations": [{"op": "replace", "value": {"active": false, "phoneNumbers": [{"type": "mobile", "value": "555-0100 ext. 7"}]}}]})");
    auto const changed = expect(api, 200, verb::get, "/Users?filter=meta.lastModified%20gt%20%22" + since + "%22");
    BOOST_TEST_REQUIRE(total(changed) == 1u);
    auto const& user = changed.at("Resources").at(0);
    BOOST_TEST(str(user.at("id")) == id);
    BOOST_TEST(!user.at("active").as_bool()); // the deactivation held, the unreadable number was not kept
    BOOST_TEST(!user.as_object().contains("phoneNumbers"));
}

BOOST_AUTO_TEST_CASE(okta_group_sequence)
{
    server_process server({"--bootstrap-token", root});
    api_client api(server.port(), root);
    auto const ann = std::to_string(api.create("/user", R"({"firstName":"Ann","emailAddress":"ann@example.org"})"));
    auto const bob = std::to_string(api.create("/user", R"({"firstName":"Bob","emailAddress":"bob@example.org"})"));

    auto const none = expect(api, 200, verb::get, "/Groups?filter=displayName%20eq%20%22Test%20SCIMv2%22&startIndex=1&count=100");
    BOOST_TEST(total(none) == 0u);
    auto const group = expect(api, 201, verb::post, "/Groups", R"({
        "schemas": ["urn:ietf:params:scim:schemas:core:2.0:Group"],
        "displayName": "Test SCIMv2",
        "members": []})");
    auto const id = str(group.at("id"));
    BOOST_TEST(total(expect(api, 200, verb::get, "/Groups?filter=displayName%20eq%20%22Test%20SCIMv2%22&startIndex=1&count=100")) == 1u);

    // Rename: Okta sends the id along.
    auto const renamed = scim(api, verb::patch, "/Groups/" + id, R"({
        "schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
        "Operations": [{"op": "replace", "value": {"id": ")" + id + R"(", "displayName": "Test SCIMv2 renamed"}}]})");
    BOOST_TEST(renamed.result_int() == 204u, renamed.body());
    BOOST_TEST(str(expect(api, 200, verb::get, "/Groups/" + id).at("displayName")) == "Test SCIMv2 renamed");

    // Add members, then remove one by a value filter.
    auto const added = scim(api, verb::patch, "/Groups/" + id, R"({
        "schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
        "Operations": [{"op": "add", "path": "members", "value": [
            {"value": ")" + ann + R"(", "display": "ann@example.org"},
            {"value": ")" + bob + R"(", "display": "bob@example.org"}]}]})");
    BOOST_TEST(added.result_int() == 204u, added.body());
    BOOST_TEST(member_values(expect(api, 200, verb::get, "/Groups/" + id)) == (strings{ann, bob}));
    auto const removed = scim(api, verb::patch, "/Groups/" + id, R"({
        "schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
        "Operations": [{"op": "remove", "path": "members[value eq \")" + ann + R"(\"]"}]})");
    BOOST_TEST(removed.result_int() == 204u, removed.body());
    BOOST_TEST(member_values(expect(api, 200, verb::get, "/Groups/" + id)) == strings{bob});

    // Replace all members at once.
    auto const replaced = scim(api, verb::patch, "/Groups/" + id, R"({
        "schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
        "Operations": [{"op": "replace", "path": "members", "value": [{"value": ")" + ann + R"("}]}]})");
    BOOST_TEST(replaced.result_int() == 204u, replaced.body());
    BOOST_TEST(member_values(expect(api, 200, verb::get, "/Groups/" + id)) == strings{ann});

    // And a PUT of the whole group.
    auto const put = expect(api, 200, verb::put, "/Groups/" + id, R"({
        "schemas": ["urn:ietf:params:scim:schemas:core:2.0:Group"],
        "displayName": "Test SCIMv2", "members": [{"value": ")" + bob + R"("}]})");
    BOOST_TEST(str(put.at("displayName")) == "Test SCIMv2");
    BOOST_TEST(member_values(put) == strings{bob});

    BOOST_TEST(scim(api, verb::delete_, "/Groups/" + id).result_int() == 204u);
    BOOST_TEST(native_user(api, bob).at("userGroups").as_array().empty());
}

BOOST_AUTO_TEST_CASE(refusals_are_scim_errors_and_change_nothing)
{
    server_process server({"--bootstrap-token", root});
    api_client api(server.port(), root);
    auto const user = std::to_string(api.create("/user", R"({"firstName":"Ann","emailAddress":"ann@example.org"})"));
    auto const before = native_user(api, user);

    expect_error(api, 401, "", verb::get, "/Users", {}, "not-a-token");
    expect_error(api, 401, "", verb::get, "/Users", {}, "");
    expect_error(api, 404, "", verb::get, "/Nothing");
    expect_error(api, 405, "", verb::patch, "/Users");
    expect_error(api, 400, "invalidFilter", verb::get, "/Users?filter=userName+eq");
    expect_error(api, 400, "invalidFilter", verb::get, "/Users?filter=" + std::string(40, '(') + "userName+pr" + std::string(40, ')'));
    expect_error(api, 400, "invalidValue", verb::get, "/Users?count=many");
    expect_error(api, 400, "invalidSyntax", verb::post, "/Users", "[1]");
    expect_error(api, 400, "invalidValue", verb::post, "/Users", R"({"name":{"givenName":"No userName"}})");
    expect_error(api, 400, "invalidValue", verb::post, "/Users", R"({"userName":"x","active":"maybe"})");
    expect_error(api, 400, "invalidValue", verb::post, "/Users", R"({"userName":"x","emails":"x@example.org"})");
    // Ann goes by her e-mail address until she has a userName: an identity
    // provider finds her, and may not create her twice.
    auto const linked = expect(api, 200, verb::get, "/Users?filter=userName+eq+%22ANN@example.org%22");
    BOOST_TEST_REQUIRE(total(linked) == 1u);
    BOOST_TEST(str(linked.at("Resources").at(0).at("id")) == user);
    expect_error(api, 409, "uniqueness", verb::post, "/Users", R"({"userName":"ann@example.org"})");

    std::string const patch_path = "/Users/" + user;
    auto const ops = [](std::string const& operations) {
        return R"({"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":)" + operations + "}";
    };
    expect_error(api, 400, "invalidSyntax", verb::patch, patch_path, R"({"Operations":[]})");
    expect_error(api, 400, "invalidPath", verb::patch, patch_path, ops(R"([{"op":"replace","path":"emails[type eq","value":"x"}])"));
    expect_error(api, 400, "noTarget", verb::patch, patch_path, ops(R"([{"op":"remove"}])"));
    expect_error(api, 400, "mutability", verb::patch, patch_path, ops(R"([{"op":"replace","path":"id","value":"9"}])"));
    expect_error(api, 400, "invalidValue", verb::patch, patch_path, ops(R"([{"op":"jump","path":"active","value":true}])"));
    // One bad operation and the good one before it are both refused.
    expect_error(api, 400, "invalidValue", verb::patch, patch_path,
                 ops(R"([{"op":"replace","path":"name.givenName","value":"Changed"},{"op":"replace","path":"emails[type eq \"work\"].value","value":"not an address"}])"));
    BOOST_TEST(native_user(api, user) == before);

    auto res = api.connection().request(verb::post, "/scim/v2/Users", R"({"userName":"x"})", root, "text/plain");
    BOOST_TEST(res.result_int() == 415u);
    BOOST_TEST(parsed(res).at("schemas").at(0).as_string() == "urn:ietf:params:scim:api:messages:2.0:Error");

    auto const group = std::to_string(api.create("/usergroup", R"({"name":"g"})"));
    expect_error(api, 400, "invalidValue", verb::post, "/Groups", R"({"displayName":"h","members":[{"value":"99"}]})");
    expect_error(api, 400, "invalidValue", verb::patch, "/Groups/" + group,
                 ops(R"([{"op":"add","path":"members","value":[{"value":"abc"}]}])"));
    expect_error(api, 400, "invalidValue", verb::post, "/Groups", R"({"members":[]})");
    BOOST_TEST(api.ids(verb::get, "/usergroup").size() == 1u);
}

// Under /scim/v2 even the parser's own refusals are SCIM errors; /Me is
// 501; a schema's URN may come percent-encoded; a boolean has no order.
BOOST_AUTO_TEST_CASE(every_answer_under_scim_is_scim)
{
    server_process server({"--bootstrap-token", root, "--max-body", "4096"});
    auto is_scim_error = [](http_response const& res, unsigned status) {
        BOOST_TEST(res.result_int() == status);
        BOOST_TEST(res[bhttp::field::content_type] == scim_media);
        auto const e = json::parse(res.body()).as_object();
        BOOST_TEST(e.at("schemas").at(0).as_string() == "urn:ietf:params:scim:api:messages:2.0:Error", res.body());
        BOOST_TEST(e.at("status").as_string() == std::to_string(status));
        BOOST_TEST(hardening_header_problems(res) == "");
    };
    std::string const host = "Host: x\r\nAuthorization: Bearer " + root + "\r\n";
    std::string const too_large = "POST /scim/v2/Users HTTP/1.1\r\n" + host +
                                  "Content-Type: application/scim+json\r\nContent-Length: 5000\r\n\r\n" +
                                  std::string(5000, ' ');
    std::string const long_header = "GET /scim/v2/Users HTTP/1.1\r\n" + host + "X-Big: " + std::string(9000, 'a') +
                                    "\r\n\r\n";
    std::string const malformed = "GET /scim/v2/Users HTTP/1.1\r\n" + host + "Bad Header: x\r\n\r\n";
    for (auto const& [wire, status] : {std::pair{too_large, 413u}, std::pair{long_header, 431u}, std::pair{malformed, 400u}}) {
        BOOST_TEST_CONTEXT(status) {
            client c(server.port());
            auto const replies = parse_responses(c.raw(wire));
            BOOST_TEST_REQUIRE(replies.size() == 1u);
            is_scim_error(replies[0], status);
        }
    }
    // The native API keeps its problem documents.
    client c(server.port());
    auto const native = parse_responses(c.raw("POST /user HTTP/1.1\r\n" + host + "Content-Length: 5000\r\n\r\n" +
                                              std::string(5000, ' ')));
    BOOST_TEST_REQUIRE(native.size() == 1u);
    BOOST_TEST(native[0][bhttp::field::content_type] == "application/problem+json");

    api_client api(server.port(), root);
    for (auto method : {verb::get, verb::post, verb::put, verb::patch, verb::delete_})
        expect_error(api, 501, "", method, "/Me", method == verb::get || method == verb::delete_
                                                      ? std::optional<std::string>{} : std::optional<std::string>{"{}"});
    auto const schema = expect(api, 200, verb::get, "/Schemas/urn%3Aietf%3Aparams%3Ascim%3Aschemas%3Acore%3A2.0%3AUser",
                               {}, "");
    BOOST_TEST(str(schema.at("id")) == "urn:ietf:params:scim:schemas:core:2.0:User");
    BOOST_TEST(str(expect(api, 200, verb::get, "/ResourceTypes/%55ser", {}, "").at("name")) == "User");
    expect_error(api, 400, "invalidFilter", verb::get, "/Users?filter=active+gt+true");
    expect_error(api, 400, "invalidFilter", verb::get, "/Users?filter=meta.lastModified+gt+%22yesterday%22");
}

// Phone numbers as providers keep them are read as E.164; one that is not a
// phone number is not kept, and never fails the request: a deactivation
// sent with it still applies.
BOOST_AUTO_TEST_CASE(phone_numbers_as_providers_keep_them)
{
    server_process server({"--bootstrap-token", root, "--phone-region", "US"});
    api_client api(server.port(), root);
    auto const user = [](std::string const& name, std::string const& phone) {
        return R"({"userName":")" + name + R"(","phoneNumbers":[{"value":")" + phone + R"(","type":"work"}]})";
    };
    for (auto const& [sent, kept] : std::initializer_list<std::pair<char const*, char const*>>{
             {"tel:+1-201-555-0123", "+12015550123"}, // RFC 7643 §4.1.2's own example
             {"312-320-0932", "+13123200932"},        // national, read as --phone-region's
             {"(425) 555-0100", "+14255550100"},
             {"+31 85 060 7337", "+31850607337"},
             {"+44 (0)20 7946 0958", "+442079460958"}}) {
        BOOST_TEST_CONTEXT(sent) {
            auto const made = expect(api, 201, verb::post, "/Users", user(std::string("u") + kept, sent));
            BOOST_TEST(str(made.at("phoneNumbers").at(0).at("value")) == kept);
            BOOST_TEST(str(native_user(api, str(made.at("id"))).at("phoneNumber")) == kept);
        }
    }
    // Not a phone number: the user is made without it.
    auto const without = expect(api, 201, verb::post, "/Users", user("nophone", "call me"));
    BOOST_TEST(!without.contains("phoneNumbers"), json::serialize(without));
    BOOST_TEST(server.log().find("note=\"phoneNumbers: not a phone number (not kept)\"") != std::string::npos);
    // A PATCH that deactivates a user and sends an unreadable number: the
    // deactivation applies; the number the provider replaced is not kept.
    auto const id = str(expect(api, 201, verb::post, "/Users", user("leaver", "(425) 555-0100")).at("id"));
    auto const patched = expect(api, 200, verb::patch, "/Users/" + id,
                                R"({"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[)"
                                R"({"op":"replace","path":"active","value":false},)"
                                R"({"op":"replace","path":"phoneNumbers[type eq \"work\"].value","value":"ext. 12"}]})");
    BOOST_TEST(!patched.at("active").as_bool());
    BOOST_TEST(!patched.contains("phoneNumbers"), json::serialize(patched));
    // The native API keeps the seed's rule: E.164 or 400.
    auto const native = api.call(verb::put, "/user/" + id, {}, R"({"phoneNumber":"(425) 555-0100"})");
    BOOST_TEST(native.result_int() == 400u);
}

// A group's meta.lastModified moves when its name or members change, by
// SCIM or by the native API, and outlives a crash (RFC 7643 §3.1).
BOOST_AUTO_TEST_CASE(a_groups_last_modified_moves_when_it_changes)
{
    server_process server({"--bootstrap-token", root});
    api_client api(server.port(), root);
    auto const made = expect(api, 201, verb::post, "/Groups", R"({"displayName":"ops"})");
    auto const id = str(made.at("id"));
    auto const created = str(made.at("meta").at("created"));
    BOOST_TEST(str(made.at("meta").at("lastModified")) == created);
    auto last_modified = [&] { return str(expect(api, 200, verb::get, "/Groups/" + id).at("meta").at("lastModified")); };
    auto changed_since = [&](std::string const& t) {
        return total(expect(api, 200, verb::get, "/Groups?filter=meta.lastModified+gt+%22" + t + "%22"));
    };
    BOOST_TEST(changed_since(created) == 0u);

    std::this_thread::sleep_for(std::chrono::milliseconds(1100)); // the next second
    auto const ann = str(expect(api, 201, verb::post, "/Users", R"({"userName":"ann"})").at("id"));
    auto const add = R"({"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[)"
                     R"({"op":"add","path":"members","value":[{"value":")" + ann + R"("}]}]})";
    BOOST_TEST(scim(api, verb::patch, "/Groups/" + id, add).result_int() == 204u);
    auto const after_patch = last_modified();
    BOOST_TEST(after_patch > created);
    BOOST_TEST(changed_since(created) == 1u);

    std::this_thread::sleep_for(std::chrono::milliseconds(1100));
    auto const bob = api.create("/user", R"({"firstName":"Bob"})");
    BOOST_TEST(api.call(verb::put, "/user/" + std::to_string(bob) + "?userGroupId=" + id, {}, "{}").result_int() == 200u);
    auto const after_native = last_modified();
    BOOST_TEST(after_native > after_patch);

    server.stop(SIGKILL);
    server_process restarted({}, server.data_dir());
    api_client again(restarted.port(), root);
    BOOST_TEST(str(expect(again, 200, verb::get, "/Groups/" + id).at("meta").at("lastModified")) == after_native);
}

// userName by RFC 8265: case, width and normalization make one name, for
// uniqueness and for a provider's lookup; what a name may not hold is 400.
BOOST_AUTO_TEST_CASE(unicode_user_names_are_one_name_in_every_form)
{
    server_process server({"--bootstrap-token", root});
    api_client api(server.port(), root);
    std::string const precomposed = "jos\u00e9@example.org";             // as JSON: é as one code point
    std::string const decomposed = "jose\u0301@example.org";              // e and a combining acute
    std::string const upper = "JOS\u00c9@EXAMPLE.ORG";
    auto const id = str(expect(api, 201, verb::post, "/Users", R"({"userName":")" + precomposed + R"("})").at("id"));
    expect_error(api, 409, "uniqueness", verb::post, "/Users", R"({"userName":")" + upper + R"("})");
    expect_error(api, 409, "uniqueness", verb::post, "/Users", R"({"userName":")" + decomposed + R"("})");
    // A provider's lookup, in another form of the name, finds the user.
    for (auto const& form : {std::string("JOS%C3%89%40example.org"), std::string("jose%CC%81%40example.org")}) {
        auto const found = expect(api, 200, verb::get, "/Users?filter=userName+eq+%22" + form + "%22");
        BOOST_TEST_REQUIRE(total(found) == 1u, form);
        BOOST_TEST(str(found.at("Resources").at(0).at("id")) == id);
    }
    // Fullwidth digits and letters are their usual forms.
    expect(api, 201, verb::post, "/Users", R"({"userName":"secretname2"})");
    expect_error(api, 409, "uniqueness", verb::post, "/Users", R"({"userName":"secretname\uff12"})");
    // What a name may not hold, by SCIM and natively.
    for (auto const* bad : {R"(evil\u202egpj.exe)", R"(ann smith)", R"(a\u200bb)", R"(\u2603)"}) {
        expect_error(api, 400, "invalidValue", verb::post, "/Users", R"({"userName":")" + std::string(bad) + R"("})");
        auto const native = api.call(verb::post, "/user", {}, R"({"userName":")" + std::string(bad) + R"("})");
        BOOST_TEST(native.result_int() == 400u, bad);
    }
}

// A provider's lookups by externalId and e-mail address come from indexes
// (scripts/bench-lookup measures them): the same answers as a walk, the
// same rights.
BOOST_AUTO_TEST_CASE(lookups_by_external_id_and_address_answer_as_a_walk_would)
{
    server_process server({"--bootstrap-token", root});
    api_client api(server.port(), root);
    auto const a = str(expect(api, 201, verb::post, "/Users",
                              R"({"userName":"a","externalId":"E-1","emails":[{"value":"Ann@example.org"}]})").at("id"));
    auto const b = str(expect(api, 201, verb::post, "/Users",
                              R"({"userName":"b","externalId":"e-1","emails":[{"value":"ann@EXAMPLE.org"}]})").at("id"));
    auto ids = [&](std::string const& filter) {
        strings out;
        auto const list = expect(api, 200, verb::get, "/Users?filter=" + filter);
        if (auto const* resources = list.if_contains("Resources"))
            for (auto const& r : resources->as_array())
                out.push_back(str(r.at("id")));
        return out;
    };
    BOOST_TEST(ids("externalId+eq+%22E-1%22") == (strings{a}));                 // caseExact
    BOOST_TEST(ids("emails%5Bvalue+eq+%22ANN@example.org%22%5D") == (strings{a, b}));
    BOOST_TEST(ids("emails.value+eq+%22ann@example.org%22") == (strings{a, b}));
    BOOST_TEST(ids("emails+eq+%22nobody@example.org%22").empty());
    // The same filters, walked (an "and" is not taken from an index).
    BOOST_TEST(ids("externalId+eq+%22E-1%22+and+active+eq+true") == (strings{a}));
    BOOST_TEST(ids("emails%5Bvalue+eq+%22ANN@example.org%22%5D+and+active+eq+true") == (strings{a, b}));
    // The native filters are exact.
    BOOST_TEST(api.ids(verb::get, "/user?emailAddress=ann@EXAMPLE.org").size() == 1u);
    BOOST_TEST(api.ids(verb::get, "/user?externalId=e-1").size() == 1u);
    // A group admin finds only the users in their reach.
    auto const group = api.create("/usergroup", R"({"name":"g"})");
    auto const admin = api.create("/user", R"({"firstName":"Admin"})", "?userGroupId=" + std::to_string(group) +
                                                                       "&groupAdmin=true");
    auto const admin_token = api.new_token(admin).secret;
    auto const seen = expect(api, 200, verb::get, "/Users?filter=externalId+eq+%22E-1%22", {}, admin_token);
    BOOST_TEST(total(seen) == 0u);
}

// Bulk (RFC 7644 §3.7): operations run in order as their own requests
// would, bulkIds name what earlier ones made, a failure in the middle
// leaves the others, failOnErrors stops, and the limits hold.
BOOST_AUTO_TEST_CASE(bulk_runs_each_operation_as_its_request_would)
{
    server_process server({"--bootstrap-token", root});
    api_client api(server.port(), root);
    std::string const bulk = R"({"schemas":["urn:ietf:params:scim:api:messages:2.0:BulkRequest"],"Operations":[)"
        R"({"method":"POST","path":"/Users","bulkId":"ann","data":{"userName":"ann","phoneNumbers":[{"value":"+31 85 060 7337"}]}},)"
        R"({"method":"POST","path":"/Users","bulkId":"dup","data":{"userName":"ANN"}},)"
        R"({"method":"POST","path":"/Users","bulkId":"bob","data":{"userName":"bob"}},)"
        R"({"method":"POST","path":"/Groups","bulkId":"ops","data":{"displayName":"ops","members":[{"value":"bulkId:ann"},{"value":"bulkId:bob"}]}},)"
        R"({"method":"PATCH","path":"/Users/bulkId:bob","data":{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"replace","path":"active","value":false}]}},)"
        R"({"method":"POST","path":"/Groups","bulkId":"bad","data":{"displayName":"x","members":[{"value":"bulkId:nobody"}]}},)"
        R"({"method":"DELETE","path":"/Users/999"}]})";
    auto const answer = expect(api, 200, verb::post, "/Bulk", bulk);
    auto const& ops = answer.at("Operations").as_array();
    BOOST_TEST_REQUIRE(ops.size() == 7u);
    strings statuses;
    for (auto const& op : ops)
        statuses.push_back(str(op.at("status")));
    BOOST_TEST(statuses == (strings{"201", "409", "201", "201", "200", "409", "404"}), boost::test_tools::per_element());
    BOOST_TEST(str(ops.at(1).at("response").at("scimType")) == "uniqueness");
    auto const ann = str(ops.at(0).at("location"));
    auto const group = expect(api, 200, verb::get, ann.substr(std::string("/scim/v2").size()));
    BOOST_TEST(str(group.at("phoneNumbers").at(0).at("value")) == "+31850607337");
    auto const ops_group = expect(api, 200, verb::get, str(ops.at(3).at("location")).substr(8) + "?attributes=members");
    BOOST_TEST(ops_group.at("members").as_array().size() == 2u);
    BOOST_TEST(!expect(api, 200, verb::get, str(ops.at(2).at("location")).substr(8)).at("active").as_bool());
    BOOST_TEST(total(expect(api, 200, verb::get, "/Users?filter=userName+eq+%22ann%22")) == 1u);

    // failOnErrors: 1 stops after the first failure.
    auto const stopped = expect(api, 200, verb::post, "/Bulk",
        R"({"failOnErrors":1,"Operations":[{"method":"POST","path":"/Users","bulkId":"a","data":{"userName":"ann"}},)"
        R"({"method":"POST","path":"/Users","bulkId":"c","data":{"userName":"carol"}}]})");
    BOOST_TEST(stopped.at("Operations").as_array().size() == 1u);
    BOOST_TEST(total(expect(api, 200, verb::get, "/Users?filter=userName+eq+%22carol%22")) == 0u);

    // Over 1,000 operations: 413. A body over --max-body (64 KiB) is taken
    // on this route alone.
    std::string many = R"({"Operations":[)";
    for (int i = 0; i < 1001; ++i)
        many += std::string(i ? "," : "") + R"({"method":"DELETE","path":"/Users/999","bulkId":"padding-padding-)" +
                std::to_string(i) + R"("})";
    many += "]}";
    BOOST_TEST_REQUIRE(many.size() > 64u * 1024);
    expect_error(api, 413, "", verb::post, "/Bulk", many);
    api_client fresh(server.port(), root);
    auto const big_user = api_client(server.port(), root).call(verb::post, "/scim/v2/Users", {}, std::string(70000, ' '));
    BOOST_TEST(big_user.result_int() == 413u);
    auto const discovered = expect(fresh, 200, verb::get, "/ServiceProviderConfig", {}, "");
    BOOST_TEST(discovered.at("bulk").at("supported").as_bool());
    BOOST_TEST(discovered.at("bulk").at("maxOperations").to_number<int>() == 1000);
}

// A provider's delta sync asks for what changed since its last run, in
// whatever RFC 3339 form its clock writes: compared as moments.
BOOST_AUTO_TEST_CASE(a_delta_sync_by_last_modified_finds_what_changed)
{
    server_process server({"--bootstrap-token", root});
    api_client api(server.port(), root);
    auto const ann = expect(api, 201, verb::post, "/Users", R"({"userName":"ann"})");
    auto const at = str(ann.at("meta").at("lastModified")); // "YYYY-MM-DDTHH:MM:SSZ"
    BOOST_TEST_REQUIRE(at.size() == 20u);
    auto const stem = at.substr(0, 19);
    auto found = [&](std::string const& op, std::string const& when) {
        std::string encoded;
        for (char ch : when)
            encoded += ch == '+' ? std::string("%2B") : std::string(1, ch);
        // Ann alone: the first superuser was made in the same second.
        return total(expect(api, 200, verb::get, "/Users?filter=meta.lastModified+" + op + "+%22" + encoded +
                                                 "%22+and+userName+eq+%22ann%22"));
    };
    // The same moment, written three ways: not after it, and at it.
    for (auto const& same : {at, stem + ".000Z", stem + "+00:00"}) {
        BOOST_TEST(found("gt", same) == 0u, same);
        BOOST_TEST(found("ge", same) == 1u, same);
    }
    // Half a second before: as text ".5Z" sorts after "Z" and would miss Ann.
    auto const before = *rosterd::store::parse_rfc3339(at) - 1;
    BOOST_TEST(found("gt", rosterd::store::format_rfc3339(before).substr(0, 19) + ".5Z") == 1u);
    // An hour east of UTC, the same moment reads an hour later.
    BOOST_TEST(found("lt", rosterd::store::format_rfc3339(before + 1 + 3600).substr(0, 19) + "+01:00") == 0u);
}

BOOST_AUTO_TEST_CASE(the_if_match_header_and_the_etag_agree)
{
    server_process server({"--bootstrap-token", root});
    api_client api(server.port(), root);
    auto const user = expect(api, 201, verb::post, "/Users", R"({"userName":"cas"})");
    auto const id = str(user.at("id"));
    auto const tag = str(user.at("meta").at("version"));

    auto const replace = R"({"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"replace","path":"name.givenName","value":"Cas"}]})";
    bhttp::request<bhttp::string_body> req{verb::patch, "/scim/v2/Users/" + id, 11};
    req.set(bhttp::field::host, "127.0.0.1");
    req.set(bhttp::field::authorization, "Bearer " + root);
    req.set(bhttp::field::content_type, scim_media);
    req.set(bhttp::field::if_match, tag);
    req.body() = replace;
    req.prepare_payload();
    auto& socket = api.connection().socket();
    bhttp::write(socket, req);
    boost::beast::flat_buffer buffer;
    http_reply first;
    bhttp::read(socket, buffer, first);
    BOOST_TEST(first.result_int() == 200u, first.body());
    // The same tag again is stale now.
    bhttp::write(socket, req);
    http_reply second;
    bhttp::read(socket, buffer, second);
    BOOST_TEST(second.result_int() == 412u);
    BOOST_TEST(parsed(second).at("status").as_string() == "412");
    // Like the native 412, it carries the current ETag: the next If-Match.
    BOOST_TEST(second[bhttp::field::etag] == first[bhttp::field::etag], second.body());
}

BOOST_AUTO_TEST_CASE(a_group_admin_provisions_only_into_their_group)
{
    server_process server({"--bootstrap-token", root});
    api_client api(server.port(), root);
    auto const group = api.create("/usergroup", R"({"name":"support"})");
    auto const other = api.create("/usergroup", R"({"name":"sales"})");
    auto const admin = api.create("/user", R"({"firstName":"Admin"})", "?userGroupId=" + std::to_string(group) + "&groupAdmin=true");
    auto const outsider = std::to_string(api.create("/user", R"({"firstName":"Out"})", "?userGroupId=" + std::to_string(other)));
    auto const token = api.token_for(admin);

    // A user made by the admin joins the admin's group.
    auto const made = expect(api, 201, verb::post, "/Users", R"({"userName":"new.hire@example.org"})", token);
    auto const id = str(made.at("id"));
    auto const groups = native_user(api, id).at("userGroups").as_array();
    BOOST_TEST_REQUIRE(groups.size() == 1u);
    BOOST_TEST(groups.at(0).at("id").to_number<std::uint64_t>() == group);

    // The admin sees only the users and groups the native API shows them.
    auto const users = expect(api, 200, verb::get, "/Users", {}, token);
    BOOST_TEST(total(users) == 2u); // themselves and the new hire
    expect_error(api, 403, "", verb::get, "/Users/" + outsider, {}, token);
    expect_error(api, 403, "", verb::get, "/Groups/" + std::to_string(other), {}, token);
    BOOST_TEST(total(expect(api, 200, verb::get, "/Groups", {}, token)) == 1u);
    // They may not give a user a userName that is taken... nor make users
    // elsewhere, set what they may not set, or delete.
    expect_error(api, 403, "", verb::patch, "/Groups/" + std::to_string(group),
                 R"({"Operations":[{"op":"add","path":"members","value":[{"value":")" + outsider + R"("}]}]})", token);
    expect_error(api, 403, "", verb::patch, "/Groups/" + std::to_string(group),
                 R"({"Operations":[{"op":"replace","path":"displayName","value":"mine"}]})", token);
    expect_error(api, 403, "", verb::delete_, "/Users/" + id, {}, token);
    expect_error(api, 403, "", verb::post, "/Groups", R"({"displayName":"new"})", token);

    // A plain user reads themselves but may not deactivate themselves.
    auto const own = api.token_for(std::stoull(id));
    BOOST_TEST(total(expect(api, 200, verb::get, "/Users", {}, own)) == 1u);
    expect_error(api, 403, "", verb::patch, "/Users/" + id,
                 R"({"Operations":[{"op":"replace","path":"active","value":false}]})", own);
    expect(api, 200, verb::patch, "/Users/" + id,
           R"({"Operations":[{"op":"replace","path":"name.givenName","value":"Nia"}]})", own);
}

BOOST_AUTO_TEST_CASE(the_last_superuser_cannot_be_deactivated)
{
    server_process server({"--bootstrap-token", root});
    api_client api(server.port(), root);
    expect_error(api, 403, "", verb::patch, "/Users/1", R"({"Operations":[{"op":"replace","value":{"active":false}}]})");
    auto const res = api.call(verb::put, "/user/1", {}, R"({"active":false})");
    BOOST_TEST(res.result_int() == 403u, res.body());
    BOOST_TEST(own_read(api, "1", root) == 200u);
}

BOOST_AUTO_TEST_CASE(discovery_says_what_is_supported)
{
    server_process server({"--bootstrap-token", root});
    api_client api(server.port(), root);
    // No token needed: these describe rosterd, not its directory.
    auto const config = expect(api, 200, verb::get, "/ServiceProviderConfig", {}, "");
    BOOST_TEST(config.at("patch").at("supported").as_bool());
    BOOST_TEST(config.at("filter").at("supported").as_bool());
    BOOST_TEST(config.at("filter").at("maxResults").to_number<int>() == 1000);
    BOOST_TEST(config.at("bulk").at("supported").as_bool());
    BOOST_TEST(!config.at("sort").at("supported").as_bool());
    BOOST_TEST(!config.at("changePassword").at("supported").as_bool());
    BOOST_TEST(config.at("etag").at("supported").as_bool());

    auto const types = expect(api, 200, verb::get, "/ResourceTypes", {}, "");
    BOOST_TEST(total(types) == 2u);
    BOOST_TEST(str(expect(api, 200, verb::get, "/ResourceTypes/Group", {}, "").at("endpoint")) == "/Groups");
    auto const schemas = expect(api, 200, verb::get, "/Schemas", {}, "");
    BOOST_TEST(total(schemas) == 2u);
    auto const user = expect(api, 200, verb::get, "/Schemas/urn:ietf:params:scim:schemas:core:2.0:User", {}, "");
    strings names;
    for (auto const& a : user.at("attributes").as_array())
        names.push_back(str(a.at("name")));
    BOOST_TEST(names == (strings{"userName", "name", "displayName", "emails", "phoneNumbers", "active", "groups"}));
    expect_error(api, 404, "", verb::get, "/Schemas/urn:nothing", {}, "");
}

BOOST_AUTO_TEST_CASE(attributes_narrow_what_is_returned)
{
    server_process server({"--bootstrap-token", root});
    api_client api(server.port(), root);
    auto const id = str(expect(api, 201, verb::post, "/Users",
                               R"({"userName":"kim","name":{"givenName":"Kim","familyName":"Lee"},"externalId":"k1"})").at("id"));
    auto const narrow = expect(api, 200, verb::get, "/Users/" + id + "?attributes=userName,name.givenName");
    strings keys;
    for (auto const& [k, v] : narrow)
        keys.emplace_back(k);
    std::sort(keys.begin(), keys.end());
    BOOST_TEST(keys == (strings{"id", "name", "schemas", "userName"}));
    BOOST_TEST(narrow.at("name").as_object().size() == 1u);
    auto const without = expect(api, 200, verb::get, "/Users?filter=externalId+eq+%22k1%22&excludedAttributes=meta,name");
    BOOST_TEST_REQUIRE(total(without) == 1u);
    auto const& only = without.at("Resources").at(0).as_object();
    BOOST_TEST(!only.contains("meta"));
    BOOST_TEST(!only.contains("name"));
    BOOST_TEST(only.contains("userName"));
    // externalId is case-exact.
    BOOST_TEST(total(expect(api, 200, verb::get, "/Users?filter=externalId+eq+%22K1%22")) == 0u);
    BOOST_TEST(total(expect(api, 200, verb::get, "/Users?filter=name.familyName+sw+%22l%22+or+userName+eq+%22none%22")) == 1u);
}

BOOST_AUTO_TEST_CASE(user_names_and_deactivation_survive_a_crash)
{
    server_process first({"--bootstrap-token", root});
    api_client api(first.port(), root);
    auto const id = str(expect(api, 201, verb::post, "/Users", R"({"userName":"Dana.Scully","active":false})").at("id"));
    first.stop(SIGKILL);

    server_process second({}, first.data_dir());
    api_client again(second.port(), root);
    auto const user = expect(again, 200, verb::get, "/Users/" + id);
    BOOST_TEST(str(user.at("userName")) == "Dana.Scully");
    BOOST_TEST(!user.at("active").as_bool());
    // The name is still taken, ignoring case.
    expect_error(again, 409, "uniqueness", verb::post, "/Users", R"({"userName":"dana.scully"})");
    auto const native = again.call(verb::post, "/user", {}, R"({"userName":"DANA.SCULLY"})");
    BOOST_TEST(native.result_int() == 400u, native.body());
}

BOOST_AUTO_TEST_CASE(a_linked_user_keeps_the_name_the_provider_knows)
{
    server_process server({"--bootstrap-token", root});
    api_client api(server.port(), root);
    auto const id = std::to_string(api.create("/user", R"({"firstName":"Ann","emailAddress":"ann@example.org"})"));
    BOOST_TEST(native_user(api, id).at("userName").is_null());
    // The provider found Ann by her address; now it changes the address.
    auto const after = expect(api, 200, verb::patch, "/Users/" + id, R"({"Operations":[
        {"op":"replace","path":"emails[type eq \"work\"].value","value":"ann.lee@example.org"}]})");
    BOOST_TEST(str(after.at("userName")) == "ann@example.org");
    BOOST_TEST(str(after.at("emails").at(0).at("value")) == "ann.lee@example.org");
    BOOST_TEST(str(native_user(api, id).at("userName")) == "ann@example.org");
}

BOOST_AUTO_TEST_CASE(a_large_groups_members_are_sent_in_parts)
{
    server_process server({"--bootstrap-token", root, "--durability", "memory"});
    api_client api(server.port(), root);
    auto const group = std::to_string(api.create("/usergroup", R"({"name":"everyone"})"));
    std::size_t const members = 2500; // three parts of a thousand
    for (std::size_t i = 0; i < members; ++i)
        api.create("/user", R"({"emailAddress":"u)" + std::to_string(i) + R"(@example.org"})", "?userGroupId=" + group);

    // HTTP/1.1: chunked, and the whole body one valid resource with every member.
    auto const res = scim(api, verb::get, "/Groups/" + group);
    BOOST_TEST_REQUIRE(res.result_int() == 200u);
    BOOST_TEST(res[bhttp::field::transfer_encoding] == "chunked");
    BOOST_TEST(!res[bhttp::field::etag].empty());
    auto const body = parsed(res);
    BOOST_TEST(str(body.at("displayName")) == "everyone");
    auto const& list = body.at("members").as_array();
    BOOST_TEST_REQUIRE(list.size() == members);
    BOOST_TEST(str(list.at(0).at("display")) == "u0@example.org");
    BOOST_TEST(str(list.at(members - 1).at("display")) == "u" + std::to_string(members - 1) + "@example.org");
    // The connection goes on after a body in parts.
    BOOST_TEST(scim(api, verb::get, "/Groups/" + group + "?excludedAttributes=members").result_int() == 200u);

    // HTTP/1.0 has no chunks: the body ends with the connection.
    client c(server.port());
    std::string const request = "GET /scim/v2/Groups/" + group + " HTTP/1.0\r\nAuthorization: Bearer " + root + "\r\n\r\n";
    boost::asio::write(c.socket(), boost::asio::buffer(request));
    std::string raw;
    boost::system::error_code ec;
    std::array<char, 65536> chunk;
    for (std::size_t n; (n = c.socket().read_some(boost::asio::buffer(chunk), ec)) > 0 || !ec;)
        raw.append(chunk.data(), n);
    auto const split = raw.find("\r\n\r\n");
    BOOST_TEST_REQUIRE(split != std::string::npos);
    BOOST_TEST(raw.find("Transfer-Encoding") > split);
    BOOST_TEST(raw.find("Connection: close") < split);
    auto const whole = json::parse(raw.substr(split + 4));
    BOOST_TEST(whole.at("members").as_array().size() == members);
}
