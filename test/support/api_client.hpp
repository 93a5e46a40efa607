#pragma once
// The directory API as an integration test drives it: one keep-alive
// connection to a running server, the twelve headers checked on every
// answer, and the calls most tests make as the bootstrap superuser.

#include "server_process.hpp"
#include "wire.hpp"

#include <boost/json/parse.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace rosterd::test {

struct issued_token {
    std::uint64_t id = 0;
    std::string secret;
};

class api_client {
public:
    api_client(unsigned short port, std::string root_token) : c_(port), root_(std::move(root_token)) {}

    // `token`: the superuser's when not given; "" sends none.
    http_reply call(bhttp::verb method, std::string const& target, std::optional<std::string> const& token = {},
                    std::optional<std::string> body = {})
    {
        auto res = c_.request(method, target, std::move(body), token.value_or(root_));
        BOOST_TEST(hardening_header_problems(res) == "");
        return res;
    }

    // POST to `collection` as the superuser: the new id (201, with its Location).
    std::uint64_t create(std::string const& collection, std::string const& body, std::string const& query = "")
    {
        auto const res = call(bhttp::verb::post, collection + query, {}, body);
        BOOST_TEST_REQUIRE(res.result_int() == 201u, res.body());
        BOOST_TEST(res[bhttp::field::location] == collection + "/" + res.body());
        return std::stoull(res.body());
    }

    issued_token new_token(std::uint64_t user, std::string const& body = "{}")
    {
        auto const res = call(bhttp::verb::post, "/user/" + std::to_string(user) + "/token", {}, body);
        BOOST_TEST_REQUIRE(res.result_int() == 201u, res.body());
        auto const v = boost::json::parse(res.body());
        return {v.at("id").to_number<std::uint64_t>(), std::string(v.at("token").as_string())};
    }

    std::string token_for(std::uint64_t user, std::string const& body = "{}") { return new_token(user, body).secret; }

    // The ids of a JSON array of objects that `target` answers with (200).
    std::vector<std::uint64_t> ids(bhttp::verb method, std::string const& target,
                                   std::optional<std::string> const& token = {})
    {
        auto const res = call(method, target, token);
        BOOST_TEST_REQUIRE(res.result_int() == 200u, res.body());
        std::vector<std::uint64_t> out;
        auto const list = boost::json::parse(res.body());
        for (auto const& v : list.as_array())
            out.push_back(v.at("id").to_number<std::uint64_t>());
        return out;
    }

    client& connection() { return c_; }

private:
    client c_;
    std::string root_;
};

} // namespace rosterd::test
