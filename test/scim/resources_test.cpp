// SCIM's PATCH operations, the attribute mapping and attribute selection,
// as pure functions on JSON (the binary's behaviour is integration_scim_test).
#define BOOST_TEST_MODULE scim_resources
#include <boost/test/unit_test.hpp>

#include "scim/mapping.hpp"
#include "scim/patch.hpp"
#include "scim/protocol.hpp"
#include "scim/query.hpp"
#include "scim/user_attributes.hpp"

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <boost/url/parse.hpp>

#include <algorithm>
#include <map>
#include <unordered_set>
#include <vector>

using namespace rosterd;
namespace json = boost::json;

namespace {

json::object object(std::string_view text) { return json::parse(text).as_object(); }

json::object user()
{
    return object(R"({"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"id":"2","userName":"ann",
        "name":{"givenName":"Ann","familyName":"Lee"},
        "emails":[{"value":"ann@work.example","type":"work","primary":true},{"value":"ann@home.example","type":"home"}],
        "active":true,"meta":{"resourceType":"User"}})");
}

json::object patched(std::string_view operations)
{
    auto r = user();
    scim::apply_patch(r, object(std::string(R"({"Operations":)") + std::string(operations) + "}"));
    return r;
}

// The scimType a PATCH is refused with.
std::string refusal(std::string_view operations)
{
    try {
        patched(operations);
    } catch (scim::error const& e) {
        return e.type;
    }
    return "accepted";
}

} // namespace

BOOST_AUTO_TEST_CASE(paths_with_sub_attributes_and_value_filters)
{
    auto r = patched(R"([{"op":"Replace","path":"name.familyName","value":"Ng"},
                         {"op":"replace","path":"emails[type eq \"home\"].value","value":"ann@new.example"}])");
    BOOST_TEST(r.at("name").at("familyName").as_string() == "Ng");
    BOOST_TEST(r.at("name").at("givenName").as_string() == "Ann");
    BOOST_TEST(r.at("emails").at(1).at("value").as_string() == "ann@new.example");
    BOOST_TEST(r.at("emails").at(0).at("value").as_string() == "ann@work.example");

    // No element matches: one is added, from the filter's equalities.
    r = patched(R"([{"op":"add","path":"phoneNumbers[type eq \"mobile\"].value","value":"+31850607337"}])");
    BOOST_TEST(json::serialize(r.at("phoneNumbers")) == R"([{"type":"mobile","value":"+31850607337"}])");

    r = patched(R"([{"op":"remove","path":"emails[type eq \"home\"]"}])");
    BOOST_TEST(r.at("emails").as_array().size() == 1u);
    r = patched(R"([{"op":"remove","path":"name.givenName"},{"op":"remove","path":"nickName"}])");
    BOOST_TEST(!r.at("name").as_object().contains("givenName"));
}

BOOST_AUTO_TEST_CASE(values_without_a_path_and_attribute_names_in_any_case)
{
    auto r = patched(R"([{"op":"replace","value":{"ACTIVE":false,"name.givenName":"Nia","id":"2"}}])");
    BOOST_TEST(!r.at("active").as_bool());
    BOOST_TEST(r.at("name").at("givenName").as_string() == "Nia");
    BOOST_TEST(r.at("id").as_string() == "2");
    BOOST_TEST(!r.contains("ACTIVE"));
    // The enterprise extension is not kept: its paths change nothing.
    auto const before = user();
    BOOST_TEST(patched(R"([{"op":"add","path":"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:department","value":"x"}])") == before);
    // A core URI prefix is the attribute itself.
    BOOST_TEST(patched(R"([{"op":"replace","path":"urn:ietf:params:scim:schemas:core:2.0:User:userName","value":"bo"}])")
                   .at("userName").as_string() == "bo");
}

BOOST_AUTO_TEST_CASE(multi_valued_add_appends_once_and_remove_by_value)
{
    auto r = user();
    r["members"] = json::array{json::object{{"value", "3"}}};
    scim::apply_patch(r, object(R"({"Operations":[{"op":"add","path":"members","value":[{"value":"3"},{"value":"4"}]}]})"));
    BOOST_TEST(json::serialize(r.at("members")) == R"([{"value":"3"},{"value":"4"}])");
    scim::apply_patch(r, object(R"({"Operations":[{"op":"remove","path":"members","value":[{"value":"3","$ref":null}]}]})"));
    BOOST_TEST(json::serialize(r.at("members")) == R"([{"value":"4"}])");
    scim::apply_patch(r, object(R"({"Operations":[{"op":"remove","path":"members"}]})"));
    BOOST_TEST(!r.contains("members"));
}

namespace {

// A group PATCH's members after `operations`, from members `start`.
std::vector<store::record_id> members_after(std::vector<store::record_id> const& start, std::string_view operations,
                                            json::object* resource = nullptr)
{
    json::object group{{"displayName", "g"}};
    std::unordered_set<store::record_id> members(start.begin(), start.end());
    scim::apply_group_patch(resource ? *resource : group,
                            members, object(std::string(R"({"Operations":)") + std::string(operations) + "}"));
    std::vector<store::record_id> out(members.begin(), members.end());
    std::sort(out.begin(), out.end());
    return out;
}

std::string patch_refusal(std::string const& operations)
{
    try {
        members_after({1, 2}, operations);
    } catch (scim::error const& e) {
        return e.type;
    }
    return "none";
}

using ids = std::vector<store::record_id>;

} // namespace

BOOST_AUTO_TEST_CASE(a_group_patch_works_on_member_ids)
{
    BOOST_TEST(members_after({3}, R"([{"op":"add","path":"members","value":[{"value":"3"},{"value":"4"}]}])")
               == (ids{3, 4}));
    BOOST_TEST(members_after({3, 4}, R"([{"op":"remove","path":"members","value":[{"value":"3","$ref":null}]}])")
               == (ids{4}));
    BOOST_TEST(members_after({3, 4}, R"([{"op":"remove","path":"members"}])").empty());
    BOOST_TEST(members_after({3, 4}, R"([{"op":"replace","path":"members","value":[{"value":"9"}]}])") == (ids{9}));
    // Entra ID's and Okta's value filters, and a remove of what is not there.
    BOOST_TEST(members_after({3, 4}, R"([{"op":"remove","path":"members[value eq \"3\"]"},)"
                                     R"({"op":"remove","path":"members[value eq \"8\"]"},)"
                                     R"({"op":"remove","path":"members[value eq \"x\"]"}])")
               == (ids{4}));
    // Path-less, with the group's other attributes beside the members.
    json::object group{{"displayName", "g"}};
    BOOST_TEST(members_after({3}, R"([{"op":"replace","value":{"id":"1","displayName":"h","members":[{"value":"5"}]}}])",
                             &group)
               == (ids{5}));
    BOOST_TEST(group.at("displayName").as_string() == "h");
    // A replace of one member by another, and of all of them by null.
    BOOST_TEST(members_after({3, 4}, R"([{"op":"replace","path":"members[value eq \"3\"]","value":{"value":"7"}}])")
               == (ids{4, 7}));
    BOOST_TEST(members_after({3, 4}, R"([{"op":"replace","path":"members","value":null}])").empty());
    // Any other value filter tests each member.
    BOOST_TEST(members_after({3, 4, 13}, R"([{"op":"remove","path":"members[value ew \"3\"]"}])") == (ids{4}));
    BOOST_CHECK_THROW(members_after({3}, R"([{"op":"add","path":"members","value":[{"value":"abc"}]}])"), scim::error);
}

BOOST_AUTO_TEST_CASE(a_patch_has_a_cap_on_operations)
{
    std::string many = "[";
    for (std::size_t i = 0; i <= scim::max_patch_operations; ++i)
        many += std::string(i ? "," : "") + R"({"op":"remove","path":"members[value eq \")" + std::to_string(i + 1)
            + R"(\"]"})";
    many += "]";
    BOOST_TEST(patch_refusal(many) == "tooMany");
    auto user_resource = user();
    BOOST_CHECK_THROW(scim::apply_patch(user_resource, object(R"({"Operations":)" + many + "}")), scim::error);
    std::string filtered = "[";
    for (std::size_t i = 0; i <= scim::max_filtered_member_operations; ++i)
        filtered += std::string(i ? "," : "") + R"({"op":"remove","path":"members[value sw \"1\"]"})";
    filtered += "]";
    BOOST_TEST(patch_refusal(filtered) == "tooMany");
}

BOOST_AUTO_TEST_CASE(malformed_operations_are_refused_by_type)
{
    BOOST_TEST(refusal(R"([])") == "invalidSyntax");
    BOOST_TEST(refusal(R"([5])") == "invalidSyntax");
    BOOST_TEST(refusal(R"([{"path":"active","value":true}])") == "invalidSyntax");
    BOOST_TEST(refusal(R"([{"op":"merge","path":"active","value":true}])") == "invalidValue");
    BOOST_TEST(refusal(R"([{"op":"remove"}])") == "noTarget");
    BOOST_TEST(refusal(R"([{"op":"replace","path":"emails[","value":1}])") == "invalidPath");
    BOOST_TEST(refusal(R"([{"op":"replace","path":7,"value":1}])") == "invalidPath");
    BOOST_TEST(refusal(R"([{"op":"replace","path":"userName[value eq \"x\"]","value":1}])") == "invalidPath");
    BOOST_TEST(refusal(R"([{"op":"replace","path":"meta","value":{}}])") == "mutability");
    BOOST_TEST(refusal(R"([{"op":"replace","path":"active"}])") == "invalidValue");
    BOOST_TEST(refusal(R"([{"op":"replace","value":"x"}])") == "invalidValue");
}

BOOST_AUTO_TEST_CASE(native_fields_of_a_user_resource)
{
    auto const f = scim::native_fields(object(R"({"userName":"ann","name":{"givenName":"Ann"},
        "emails":[{"value":"home@example.org","type":"home"},{"value":"work@example.org","type":"work"}],
        "phoneNumbers":[{"value":"+1 (425) 555-0100","type":"mobile"}],"active":"False","password":"p","locale":"nl"})"));
    BOOST_TEST(json::serialize(f) == R"({"userName":"ann","firstName":"Ann","lastName":"","emailAddress":"work@example.org",)"
                                     R"("phoneNumber":"+14255550100","externalId":null,"active":false})");
    // The primary element wins over the work one.
    BOOST_TEST(scim::native_fields(object(R"({"userName":"a","emails":[{"value":"w@x.org","type":"work"},{"value":"p@x.org","primary":true}]})"))
                   .at("emailAddress").as_string() == "p@x.org");
    auto const refused = [](std::string_view body) {
        try {
            scim::native_fields(object(body));
        } catch (scim::error const& e) {
            return std::string(e.what());
        }
        return std::string("accepted");
    };
    BOOST_TEST(refused(R"({})") == "userName: required");
    BOOST_TEST(refused(R"({"userName":""})") == "userName: required");
    BOOST_TEST(refused(R"({"userName":"a","active":1})") == "active: must be true or false");
    BOOST_TEST(refused(R"({"userName":"a","emails":[{"value":5}]})") == "emails.value: must be a string");
    BOOST_TEST(refused(R"({"userName":"a","name":"Ann"})") == "name: must be an object");
    BOOST_TEST(refused(R"({"userName":"a","emails":[1]})") == "emails: each value must be an object");
}

BOOST_AUTO_TEST_CASE(members_and_display_names)
{
    auto const ids = scim::member_ids(object(R"({"members":[{"value":"9"},{"value":"3"},{"value":"9"}]})"));
    BOOST_TEST(ids == (std::vector<store::record_id>{3, 9}));
    BOOST_CHECK_THROW(scim::member_ids(object(R"({"members":[{"value":"03"}]})")), scim::error);
    BOOST_CHECK_THROW(scim::member_ids(object(R"({"members":[{"value":7}]})")), scim::error);
    BOOST_CHECK_THROW(scim::member_ids(object(R"({"members":[{"value":"99999999999999999999999"}]})")), scim::error);
    BOOST_TEST(scim::display_name(object(R"({"DisplayName":"Support"})")) == "Support");
    BOOST_CHECK_THROW(scim::display_name(object(R"({"displayName":"a\u0007"})")), scim::error);
}

BOOST_AUTO_TEST_CASE(a_user_resource_and_who_goes_by_a_name)
{
    store::directory dir;
    store::user root;
    root.id = 1;
    root.super_user = true;
    dir.apply(store::put_user{root});
    store::user ann;
    ann.id = 2;
    ann.set_first_name("Ann");
    ann.set_email_address("Ann@Example.org");
    dir.apply(store::put_user{ann});
    auto const r = scim::user_resource(ann, dir, root, "\"v\"");
    BOOST_TEST(r.at("userName").as_string() == "Ann@Example.org"); // no userName: the address
    BOOST_TEST(r.at("displayName").as_string() == "Ann");
    BOOST_TEST(r.at("meta").at("version").as_string() == "\"v\"");
    BOOST_TEST(!r.contains("externalId"));
    BOOST_TEST(!r.contains("phoneNumbers"));
    BOOST_TEST(dir.name_claimant("ann@example.ORG", 0) == dir.find_user(2));
    BOOST_TEST(!dir.name_claimant("ann@example.org", 2));
    ann.set_user_name("ann");
    dir.apply(store::put_user{ann});
    BOOST_TEST(!dir.name_claimant("ann@example.org", 0));
    BOOST_TEST(dir.name_claimant("ANN", 0) == dir.find_user(2));
}

BOOST_AUTO_TEST_CASE(displays_name_only_what_the_viewer_may_read)
{
    store::directory dir;
    dir.apply(store::put_group{{10, "mine", std::nullopt, 0, 0}});
    dir.apply(store::put_group{{11, "board", std::nullopt, 0, 0}});
    store::user admin;
    admin.id = 2;
    admin.set_membership(10, true);
    dir.apply(store::put_user{admin});
    store::user boss; // a superuser in the admin's group, and on the board
    boss.id = 3;
    boss.super_user = true;
    boss.set_user_name("the.boss");
    boss.set_membership(10, false);
    boss.set_membership(11, false);
    dir.apply(store::put_user{boss});
    store::user member;
    member.id = 4;
    member.set_user_name("member");
    member.set_membership(10, false);
    member.set_membership(11, false);
    dir.apply(store::put_user{member});

    auto const g = scim::group_resource(*dir.find_group(10), dir, scim::group_members::full, admin, {});
    std::map<std::string, bool> shown;
    for (auto const& m : g.at("members").as_array())
        shown[std::string(m.at("value").as_string())] = m.as_object().contains("display");
    BOOST_TEST(shown.size() == 3u); // every member's id
    BOOST_TEST(!shown["3"]);        // not the superuser's name
    BOOST_TEST(shown["4"]);

    auto const u = scim::user_resource(member, dir, admin, {});
    auto const& groups = u.at("groups").as_array();
    BOOST_TEST_REQUIRE(groups.size() == 2u);
    BOOST_TEST(groups[0].at("display").as_string() == "mine");
    BOOST_TEST(!groups[1].as_object().contains("display")); // group 11 is not the admin's
}

BOOST_AUTO_TEST_CASE(attributes_and_excluded_attributes)
{
    auto const query = [](std::string_view q) { return boost::urls::parse_origin_form(q).value().params(); };
    auto r = user();
    scim::project(r, scim::parse_projection(query("/?attributes=userName,name.familyName")));
    BOOST_TEST(json::serialize(r) == R"({"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"id":"2",)"
                                     R"("userName":"ann","name":{"familyName":"Lee"}})");
    r = user();
    scim::project(r, scim::parse_projection(query("/?excludedAttributes=emails,meta,id,name.givenName")));
    BOOST_TEST(!r.contains("emails"));
    BOOST_TEST(!r.contains("meta"));
    BOOST_TEST(r.contains("id")); // always returned
    BOOST_TEST(json::serialize(r.at("name")) == R"({"familyName":"Lee"})");

    auto const list = scim::parse_list_params(query("/?startIndex=0&count=5000&filter=userName%20pr"));
    BOOST_TEST(list.start_index == 1u);
    BOOST_TEST(list.count == scim::max_count);
    BOOST_TEST(list.filter != nullptr);
    BOOST_CHECK_THROW(scim::parse_list_params(query("/?count=1.5")), scim::error);
    BOOST_CHECK_THROW(scim::parse_list_params(query("/?filter=userName%20eq")), scim::error);
}

BOOST_AUTO_TEST_CASE(a_filter_on_the_record_answers_as_on_the_resource)
{
    // Every attribute a User resource has, each way a filter can name it,
    // on users with and without each: user_attributes must agree with the
    // JSON that user_resource() builds.
    store::directory dir;
    dir.apply(store::put_group{{10, "Mine", std::nullopt, 0, 0}});
    dir.apply(store::put_group{{11, "Board", std::nullopt, 0, 0}});
    store::user viewer;
    viewer.id = 1;
    viewer.set_membership(10, true);
    dir.apply(store::put_user{viewer});
    std::vector<store::user> users(4);
    users[0].id = 2; // no names at all: goes by the id
    users[1].id = 3;
    users[1].set_first_name("Ann");
    users[1].set_last_name("Lee");
    users[1].set_email_address("Ann.Lee@Example.org");
    users[1].set_phone_number("+31850607337");
    users[1].set_external_id("E-3");
    users[1].set_membership(10, false);
    users[1].set_membership(11, false);
    users[1].created = 1'700'000'000;
    users[1].updated = 1'800'000'000;
    users[2].id = 4;
    users[2].set_last_name("Solo");
    users[2].set_user_name("Solo.Name");
    users[2].active = false;
    users[3].id = 5;
    users[3].set_first_name("Max");
    users[3].set_email_address("ann.lee@example.org"); // a later holder of the same address
    for (auto const& u : users)
        dir.apply(store::put_user{u});

    char const* const filters[] = {
        R"(userName eq "ann.lee@example.org")", R"(userName co "LEE")", R"(userName sw "2")", R"(userName ew "name")",
        R"(userName pr)", R"(userName gt "m")", R"(userName le "5")", R"(userName.x pr)",
        R"(id eq "3")", R"(id eq "03")", R"(externalId eq "E-3")", R"(externalId eq "e-3")", R"(externalId pr)",
        R"(name pr)", R"(name.givenName co "n")", R"(name.familyName eq "lee")", R"(name.formatted eq "Ann Lee")",
        R"(name.formatted pr)", R"(name[givenName eq "Ann"])", R"(name[familyName pr])",
        R"(displayName eq "ann lee")", R"(displayName eq "2")", R"(displayName sw "Solo")",
        R"(emails pr)", R"(emails co "EXAMPLE")", R"(emails.value ew ".org")", R"(emails.type eq "work")",
        R"(emails.primary eq true)", R"(emails[type eq "work" and value sw "ann"])", R"(emails[primary eq false])",
        R"(phoneNumbers.value sw "+31")", R"(phoneNumbers[type eq "work"])", R"(phoneNumbers pr)",
        R"(active eq true)", R"(active eq false)", R"(active ne true)", R"(active pr)",
        R"(groups.value eq "10")", R"(groups[display eq "mine"])", R"(groups[display eq "board"])",
        R"(groups.display pr)", R"(groups.type eq "direct")", R"(groups.$ref co "Groups/11")", R"(groups pr)",
        R"(meta.resourceType eq "User")", R"(meta.created gt "2023-11-14T22:13:19Z")", R"(meta.lastModified lt "2030-01-01T00:00:00+01:00")",
        R"(meta.location co "/Users/3")", R"(meta.version pr)", R"(meta pr)", R"(meta[resourceType eq "User"])",
        R"(schemas eq "urn:ietf:params:scim:schemas:core:2.0:User")", R"(schemas.x pr)", R"(schemas[value pr])",
        R"(urn:ietf:params:scim:schemas:core:2.0:User:userName eq "solo.name")", R"(nickName pr)",
        R"(not (userName eq "2") and (active eq true or name.givenName pr))", R"(userName ne "2")",
        R"(active eq "true")", R"(id gt 2)", R"(userName eq null)", R"(externalId eq null)",
    };
    // As a list does it: each filter parsed once, one reader moved from
    // user to user.
    std::vector<scim::filter_ptr> parsed;
    for (auto const* text : filters)
        parsed.push_back(scim::parse_filter(text));
    std::size_t matched = 0, tried = 0;
    scim::user_attributes record(dir, viewer);
    for (auto const& u : users) {
        auto const* stored = dir.find_user(u.id);
        auto const resource = scim::user_resource(*stored, dir, viewer, {});
        record.reset(*stored);
        for (std::size_t i = 0; i < parsed.size(); ++i) {
            bool const on_record = scim::matches(*parsed[i], record);
            BOOST_TEST(on_record == scim::matches(*parsed[i], resource), "user " << u.id << ": " << filters[i]);
            matched += on_record;
            ++tried;
        }
    }
    // Both answers occur often: the comparison above tells something.
    BOOST_TEST(matched > tried / 4);
    BOOST_TEST(matched < tried * 3 / 4);
}
