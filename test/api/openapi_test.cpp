// The compiled-in OpenAPI document and the router's table list the same routes.
#define BOOST_TEST_MODULE openapi
#include <boost/test/unit_test.hpp>

#include "api/openapi.hpp"
#include "api/service.hpp"

#include <boost/json/parse.hpp>

#include <set>
#include <string>

using namespace rosterd;

namespace {

std::string lower(std::string_view s)
{
    std::string out(s);
    for (char& c : out)
        c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return out;
}

} // namespace

BOOST_AUTO_TEST_CASE(document_and_router_list_the_same_routes)
{
    auto const doc = boost::json::parse(api::openapi_document()).as_object();
    BOOST_TEST(doc.at("openapi").as_string().starts_with("3."));

    std::set<std::string> from_router, from_document;
    for (auto const& r : api::routes())
        from_router.insert(lower(boost::beast::http::to_string(r.method)) + " " + std::string(r.pattern));
    for (auto const& [path, item] : doc.at("paths").as_object())
        for (auto const& [method, op] : item.as_object())
            if (method != "parameters")
                from_document.insert(std::string(method) + " " + std::string(path));
    BOOST_TEST(from_router == from_document, boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(every_operation_documents_its_responses)
{
    auto const doc = boost::json::parse(api::openapi_document()).as_object();
    for (auto const& [path, item] : doc.at("paths").as_object())
        for (auto const& [method, op] : item.as_object())
            if (method != "parameters")
                BOOST_TEST(!op.at("responses").as_object().empty(), std::string(method) + " " + std::string(path));
}
