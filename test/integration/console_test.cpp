// The web console as the server sends it, on the real binary: files with
// the twelve headers but for a Content-Security-Policy of their own,
// compressed, cached by hash, and off with --console off; and the two calls
// made for it: GET /user?q= (search, with X-Total-Count) and GET /server.
#define BOOST_TEST_MODULE integration_console
#include <boost/test/unit_test.hpp>

#include "../support/api_client.hpp"

#include <boost/json/parse.hpp>

#include <regex>

using namespace rosterd::test;
using bhttp::verb;
namespace json = boost::json;

namespace {

std::string const root_token = "6e8a5d4f0c3b2a1908f7e6d5c4b3a291";
std::string const console_policy = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; "
                                   "connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'";

struct console_server {
    explicit console_server(std::vector<std::string> extra = {})
        : server(with_root(std::move(extra))), api(server.port(), root_token), raw(server.port())
    {
    }
    static std::vector<std::string> with_root(std::vector<std::string> extra)
    {
        extra.insert(extra.begin(), {"--bootstrap-token", root_token});
        return extra;
    }
    // A GET without a token, with `headers` added.
    http_reply get(std::string const& target, std::vector<std::pair<bhttp::field, std::string>> const& headers = {})
    {
        auto req = client::make_request(verb::get, target);
        for (auto const& [name, value] : headers)
            req.set(name, value);
        return raw.send(req);
    }

    server_process server;
    api_client api;
    client raw;
};

// The console's headers: the twelve, exactly, but for its own policy.
std::string console_header_problems(http_reply const& res)
{
    std::string problems;
    for (auto const& [name, value] : spec_headers) {
        auto const expected = name == "Content-Security-Policy" ? std::string_view(console_policy) : value;
        if (res.count(name) != 1 || res[name] != expected)
            problems += std::string(name) + " is '" + std::string(res[name]) + "'; ";
    }
    return problems;
}

} // namespace

BOOST_AUTO_TEST_CASE(the_root_leads_to_the_console_and_its_files_carry_their_own_policy)
{
    console_server s;
    for (std::string const path : {"/", "/ui"}) {
        auto const res = s.get(path);
        BOOST_TEST(res.result_int() == 302u);
        BOOST_TEST(res[bhttp::field::location] == "/ui/");
        BOOST_TEST(hardening_header_problems(res) == "");
    }
    auto const page = s.get("/ui/");
    BOOST_TEST(page.result_int() == 200u);
    BOOST_TEST(page[bhttp::field::content_type] == "text/html; charset=utf-8");
    BOOST_TEST(console_header_problems(page) == "");
    BOOST_TEST(page[bhttp::field::cache_control] == "no-cache");
    // No script or style of the page's own: all from files, by hash.
    BOOST_TEST(page.body().find("<script>") == std::string::npos);
    BOOST_TEST(page.body().find("style=") == std::string::npos);
    std::smatch m;
    std::string const body = page.body();
    BOOST_TEST_REQUIRE(std::regex_search(body, m, std::regex("src=\"(console\\.js)\\?v=([0-9a-f]{16})\"")));
    auto const script = s.get("/ui/" + m[1].str() + "?v=" + m[2].str());
    BOOST_TEST(script.result_int() == 200u);
    BOOST_TEST(script[bhttp::field::content_type] == "text/javascript; charset=utf-8");
    BOOST_TEST(script[bhttp::field::cache_control] == "public, max-age=31536000, immutable");
    BOOST_TEST(script[bhttp::field::etag] == "\"" + m[2].str() + "\"");
    BOOST_TEST(console_header_problems(script) == "");
    // The API keeps its own policy beside it.
    BOOST_TEST(hardening_header_problems(s.api.call(verb::get, "/user/1")) == "");
    BOOST_TEST(s.get("/ui/nothing.js").result_int() == 404u);
    BOOST_TEST(s.get("/ui/../openapi.json").result_int() == 404u);
}

BOOST_AUTO_TEST_CASE(files_are_sent_compressed_when_taken_and_not_again_when_current)
{
    console_server s;
    auto const plain = s.get("/ui/");
    auto const packed = s.get("/ui/", {{bhttp::field::accept_encoding, "br, gzip;q=0.8"}});
    BOOST_TEST(plain.count(bhttp::field::content_encoding) == 0u);
    BOOST_TEST(packed[bhttp::field::content_encoding] == "gzip");
    BOOST_TEST(packed[bhttp::field::vary] == "Accept-Encoding");
    BOOST_TEST(packed.body().size() < plain.body().size());
    BOOST_TEST(packed.body().substr(0, 2) == std::string("\x1f\x8b"));
    auto const refused = s.get("/ui/", {{bhttp::field::accept_encoding, "gzip;q=0"}});
    BOOST_TEST(refused.count(bhttp::field::content_encoding) == 0u);
    auto const again = s.get("/ui/", {{bhttp::field::if_none_match, std::string(plain[bhttp::field::etag])}});
    BOOST_TEST(again.result_int() == 304u);
    BOOST_TEST(again.body().empty());
    BOOST_TEST(console_header_problems(again) == "");
}

BOOST_AUTO_TEST_CASE(console_off_serves_no_page)
{
    console_server s({"--console", "off"});
    BOOST_TEST(s.get("/").result_int() == 404u);
    BOOST_TEST(s.get("/ui/").result_int() == 404u);
    BOOST_TEST(s.api.call(verb::get, "/user/1").result_int() == 200u);
}

BOOST_AUTO_TEST_CASE(a_search_finds_names_and_addresses_in_any_case_and_counts_them)
{
    console_server s;
    auto const group = s.api.create("/usergroup", R"({"name":"ops"})");
    auto const ann = s.api.create("/user", R"({"firstName":"Ann","lastName":"Émile","emailAddress":"ann@example.org"})",
                                  "?userGroupId=" + std::to_string(group));
    auto const bob = s.api.create("/user", R"({"firstName":"Bob","lastName":"Smith","userName":"BSMITH"})");
    auto const carla = s.api.create("/user", R"({"firstName":"Ｃａｒｌａ","lastName":"Lee"})");
    using ids = std::vector<std::uint64_t>;
    BOOST_TEST(s.api.ids(verb::get, "/user?q=%C3%A9MILE") == (ids{ann}), boost::test_tools::per_element());
    BOOST_TEST(s.api.ids(verb::get, "/user?q=bsmi") == (ids{bob}), boost::test_tools::per_element());
    BOOST_TEST(s.api.ids(verb::get, "/user?q=carla") == (ids{carla}), boost::test_tools::per_element());
    BOOST_TEST(s.api.ids(verb::get, "/user?q=EXAMPLE.org") == (ids{ann}), boost::test_tools::per_element());
    // Paged, with the total of every match.
    auto const page = s.api.call(verb::get, "/user?q=e&limit=1&offset=1&total=true");
    BOOST_TEST(page["X-Total-Count"] == "2"); // Émile and Lee: Bob Smith has no e, nor has user 1
    BOOST_TEST(json::parse(page.body()).as_array().size() == 1u);
    // Combined with a filter; and as a group admin, only the users they may see.
    BOOST_TEST(s.api.ids(verb::get, "/user?q=a&userGroupId=" + std::to_string(group)) == (ids{ann}),
               boost::test_tools::per_element());
    auto const admin = s.api.create("/user", R"({"firstName":"Adam"})",
                                    "?userGroupId=" + std::to_string(group) + "&groupAdmin=true");
    auto const admin_token = s.api.token_for(admin);
    BOOST_TEST(s.api.ids(verb::get, "/user?q=a", admin_token) == (ids{ann, admin}), boost::test_tools::per_element());
    for (std::string const& bad : std::vector<std::string>{"q=%0A", "total=maybe", "q=" + std::string(257, 'a')})
        BOOST_TEST(s.api.call(verb::get, "/user?" + bad).result_int() == 400u, bad);
}

BOOST_AUTO_TEST_CASE(a_total_past_ten_thousand_matches_is_left_out)
{
    console_server s({"--durability", "memory"});
    for (int i = 0; i < 10'001; ++i)
        s.api.call(verb::post, "/user", {}, R"({"firstName":"Many"})");
    auto const many = s.api.call(verb::get, "/user?q=many&limit=5&total=true");
    BOOST_TEST(many.result_int() == 200u);
    BOOST_TEST(json::parse(many.body()).as_array().size() == 5u);
    BOOST_TEST(many.count("X-Total-Count") == 0u);
    // One fewer is counted; and a superuser's whole list is the directory's size.
    auto const last = s.api.call(verb::get, "/user?q=many&offset=1&limit=5&total=true&clientId=1");
    BOOST_TEST(last["X-Total-Count"] == "0");
    s.api.call(verb::delete_, "/user/2");
    BOOST_TEST(s.api.call(verb::get, "/user?q=many&limit=5&total=true")["X-Total-Count"] == "10000");
    BOOST_TEST(s.api.call(verb::get, "/user?limit=5&total=true")["X-Total-Count"] == "10001");
}

BOOST_AUTO_TEST_CASE(the_server_page_is_for_superusers)
{
    console_server s;
    auto const info = json::parse(s.api.call(verb::get, "/server").body()).as_object();
    BOOST_TEST(info.at("store").as_string() == "local");
    BOOST_TEST(info.at("durability").as_string() == "strict");
    BOOST_TEST(info.at("users").as_int64() == 1);
    BOOST_TEST(!info.at("version").as_string().empty());
    auto const plain = s.api.create("/user", R"({"firstName":"Pat"})");
    BOOST_TEST(s.api.call(verb::get, "/server", s.api.token_for(plain)).result_int() == 403u);
    BOOST_TEST(s.api.call(verb::get, "/server", "").result_int() == 401u);
}
