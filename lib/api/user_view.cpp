#include "api/user_view.hpp"

#include "store/time.hpp"

#include <boost/json/array.hpp>

namespace rosterd::api {

namespace json = boost::json;

namespace {

template <class T>
json::value or_null(std::optional<T> const& v)
{
    if (!v)
        return nullptr;
    return json::value(*v);
}

json::value or_null(store::opt_id v)
{
    if (!v)
        return nullptr;
    return json::value(*v);
}

json::value or_null(store::user::text v)
{
    if (!v)
        return nullptr;
    return json::value(*v);
}

json::value time_or_null(std::optional<store::unix_time> const& t)
{
    if (!t)
        return nullptr;
    return json::value(store::format_rfc3339(*t));
}

json::value period_name(store::remove_period p)
{
    switch (p) {
    case store::remove_period::week: return "WEEK";
    case store::remove_period::month: return "MONTH";
    case store::remove_period::year: return "YEAR";
    case store::remove_period::none: break;
    }
    return nullptr;
}

} // namespace

json::object user_view(store::user const& u, json::storage_ptr sp)
{
    json::array groups(sp);
    for (auto const& m : u.groups())
        groups.push_back(json::object({{"id", m.group_id}, {"admin", m.admin}}, sp));
    auto const texts = u.texts.all(); // the block read once, not once per text
    auto const text = [&](store::user_text t) { return or_null(texts[store::text_index(t)]); };
    return json::object({
        {"id", u.id},
        {"firstName", u.first_name()},
        {"lastName", u.last_name()},
        {"phoneNumber", text(store::user_text::phone_number)},
        {"phoneNumberVerified", u.phone_number_verified},
        {"emailAddress", text(store::user_text::email_address)},
        {"emailAddressVerified", u.email_address_verified},
        {"superUser", u.super_user},
        {"clientId", or_null(u.client_id)},
        {"externalId", text(store::user_text::external_id)},
        {"description", text(store::user_text::description)},
        {"remarks", text(store::user_text::remarks)},
        {"autoRemoveAfter", period_name(u.auto_remove_after)},
        {"removeAt", time_or_null(u.remove_at)},
        {"autoEmailMatch", u.auto_email_match},
        {"requireEmailMatch", u.require_email_match},
        {"emailMatchCredentialFilter", u.email_match_credential_filter},
        {"authOrganizationId", text(store::user_text::auth_organization_id)},
        {"userName", text(store::user_text::user_name)},
        {"active", bool(u.active)},
        {"userGroups", std::move(groups)},
        {"created", store::format_rfc3339(u.created)},
        {"updated", store::format_rfc3339(u.updated)},
    }, sp);
}

json::object group_view(store::group const& g, store::directory const& dir, page_window lists)
{
    auto const in_window = [&](std::size_t seen) {
        return seen >= lists.offset && seen - lists.offset < lists.limit;
    };
    json::array members;
    json::array admins;
    std::size_t seen_members = 0;
    std::size_t seen_admins = 0;
    for (auto const id : dir.members_of(g.id)) {
        if (in_window(seen_members++))
            members.push_back(id);
        if (auto const* u = dir.find_user(id); u && u->is_admin_of(g.id) && in_window(seen_admins++))
            admins.push_back(id);
    }
    return json::object{
        {"id", g.id},
        {"name", g.name},
        {"clientId", or_null(g.client_id)},
        {"memberCount", seen_members},
        {"adminCount", seen_admins},
        {"members", std::move(members)},
        {"admins", std::move(admins)},
        {"created", store::format_rfc3339(g.created)},
    };
}

} // namespace rosterd::api
