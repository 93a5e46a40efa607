// A request body and query string into the patch validator and the merge;
// the body also as a phone number (libphonenumber) and a user name (ICU).
#include "api/json_body.hpp"
#include "api/user_patch.hpp"
#include "scim/phone.hpp"
#include "store/user_name.hpp"

#include <boost/url/parse.hpp>

using namespace rosterd;

extern "C" int LLVMFuzzerTestOneInput(std::uint8_t const* data, std::size_t size)
{
    std::string_view const input(reinterpret_cast<char const*>(data), size);
    // The first line is the query string, the rest the body.
    auto const newline = input.find('\n');
    auto const query = input.substr(0, newline);
    auto const body = newline == std::string_view::npos ? std::string_view{} : input.substr(newline + 1);

    // The body's bytes as a provider's phone number and as a user name.
    scim::to_e164(body, "US");
    scim::to_e164(body, "");
    store::name_key(body);
    store::name_refusal(body);

    store::directory dir;
    dir.apply(store::put_group{{1, "g", 5, 0, 0}});
    api::role_change roles;
    if (auto url = boost::urls::parse_origin_form("/user/1?" + std::string(query)))
        api::parse_role_change(url->params(), roles);

    http::request req;
    req.method = http::verb::put;
    req.target = "/user/1";
    req.body = std::string(body);
    api::parsed_body parsed(req, api::default_max_json_depth, api::body_media::json);
    api::user_patch patch{boost::json::object(parsed.storage()), {}};
    if (api::read_user_patch(parsed, patch))
        return 0;
    store::user u;
    u.id = 1;
    u.set_phone_number("+31850607337");
    if (!api::apply_patch(u, patch, 1'800'000'000))
        api::apply_roles(u, roles, dir);
    return 0;
}
