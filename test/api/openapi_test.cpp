// The compiled-in OpenAPI document, docs/api.md and the router's table list
// the same routes.
#define BOOST_TEST_MODULE openapi
#include <boost/test/unit_test.hpp>

#include "api/openapi.hpp"
#include "api/service.hpp"

#include <boost/json/parse.hpp>

#include <fstream>
#include <regex>
#include <set>
#include <sstream>
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

std::set<std::string> router_routes()
{
    std::set<std::string> out;
    for (auto const& r : api::routes())
        out.insert(lower(boost::beast::http::to_string(r.method)) + " " + std::string(r.pattern));
    return out;
}

} // namespace

BOOST_AUTO_TEST_CASE(api_md_documents_every_route_and_no_other)
{
    std::ifstream file(ROSTERD_API_MD);
    BOOST_TEST_REQUIRE(file.good(), "cannot read " ROSTERD_API_MD);
    std::stringstream text;
    text << file.rdbuf();
    // Each route has a heading of its own: ### `PUT /user/{id}`
    std::regex const heading(R"(^### `([A-Z]+) (/[^`]*)`)", std::regex::multiline);
    std::set<std::string> from_doc;
    auto const s = text.str();
    for (std::sregex_iterator it(s.begin(), s.end(), heading), end; it != end; ++it)
        from_doc.insert(lower((*it)[1].str()) + " " + (*it)[2].str());
    BOOST_TEST(router_routes() == from_doc, boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(document_and_router_list_the_same_routes)
{
    auto const doc = boost::json::parse(api::openapi_document()).as_object();
    BOOST_TEST(doc.at("openapi").as_string().starts_with("3."));

    auto const from_router = router_routes();
    std::set<std::string> from_document;
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
