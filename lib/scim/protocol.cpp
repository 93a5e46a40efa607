#include "scim/protocol.hpp"

#include "scim/filter.hpp"

#include <boost/json/array.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

namespace rosterd::scim {

namespace json = boost::json;

http::response error_response(error const& e)
{
    json::object body{
        {"schemas", json::array{urn::error}},
        {"status", std::to_string(static_cast<unsigned>(e.status))},
    };
    if (!e.type.empty())
        body["scimType"] = e.type;
    body["detail"] = e.what();
    auto res = resource_response(e.status, body);
    res.etag = e.etag;
    return res;
}

std::string problem_detail(http::response const& problem)
{
    boost::system::error_code ec;
    auto const body = json::parse(problem.body, ec);
    if (!ec && body.is_object())
        if (auto const* d = body.as_object().if_contains("detail"); d && d->is_string())
            return std::string(d->get_string());
    return {};
}

http::response from_problem(http::response res)
{
    if (res.content_type != http::media::problem)
        return res;
    // RFC 7644 Table 9 has no scimType for what these layers refuse.
    auto converted = error_response(error(res.code, "", problem_detail(res)));
    converted.allow = res.allow;
    converted.etag = std::move(res.etag);
    return converted;
}

bool is_scim_target(std::string_view target)
{
    return target.starts_with(base_path) && (target.size() == base_path.size() || target[base_path.size()] == '/'
                                             || target[base_path.size()] == '?');
}

http::response resource_response(http::status code, json::object const& body)
{
    auto res = http::json(code, json::serialize(body));
    res.content_type = http::media::scim;
    return res;
}

http::response list_response(std::size_t total, std::size_t start_index, json::array page)
{
    auto const n = page.size();
    return resource_response(http::status::ok, json::object{
        {"schemas", json::array{urn::list_response}},
        {"totalResults", total},
        {"startIndex", start_index},
        {"itemsPerPage", n},
        {"Resources", std::move(page)},
    });
}

json::value const* find_attribute(json::object const& object, std::string_view name)
{
    if (auto const* exact = object.if_contains(name))
        return exact;
    for (auto const& [key, value] : object)
        if (same_name(key, name))
            return &value;
    return nullptr;
}

json::value* find_attribute(json::object& object, std::string_view name)
{
    return const_cast<json::value*>(find_attribute(std::as_const(object), name));
}

} // namespace rosterd::scim
