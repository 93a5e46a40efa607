#pragma once
// Helpers for tests that look at responses as bytes on the wire.

#include <boost/asio/io_context.hpp>
#include <boost/beast/_experimental/test/stream.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/http/message.hpp>

#include <array>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace rosterd::test {

using http_response = boost::beast::http::response<boost::beast::http::string_body>;

// The twelve headers of docs/api.md, typed out again on purpose: the test must not share the table it checks.
inline constexpr std::array<std::pair<std::string_view, std::string_view>, 12> spec_headers{{
    {"Access-Control-Expose-Headers", "authorization, content-type"},
    {"Access-Control-Allow-Headers", "authorization, content-type"},
    {"Access-Control-Allow-Methods", "GET, POST, DELETE, OPTIONS, PUT"},
    {"Access-Control-Allow-Origin", "*"},
    {"Strict-Transport-Security", "max-age=31536000; includeSubDomains"},
    {"X-Frame-Options", "SAMEORIGIN"},
    {"X-Content-Type-Options", "nosniff"},
    {"X-XSS-Protection", "1; mode=block"},
    {"Content-Security-Policy", "default-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'"},
    {"Referrer-Policy", "no-referrer"},
    {"Feature-Policy", "self"},
    {"Permissions-policy", "interest-cohort=()"},
}};

// Empty when `res` carries each of the twelve headers exactly once with
// exactly its value; otherwise what is wrong.
inline std::string hardening_header_problems(http_response const& res)
{
    std::string problems;
    for (auto const& [name, value] : spec_headers) {
        auto const [first, last] = res.equal_range(name);
        auto const count = std::distance(first, last);
        if (count != 1)
            problems += std::string(name) + " appears " + std::to_string(count) + " times; ";
        else if (first->value() != value)
            problems += std::string(name) + " is '" + std::string(first->value()) + "'; ";
    }
    return problems;
}

// Every response in `wire`, in order (interim 1xx responses included).
inline std::vector<http_response> parse_responses(std::string const& wire)
{
    boost::asio::io_context ioc;
    boost::beast::test::stream in(ioc, wire);
    in.close_remote();
    boost::beast::flat_buffer buffer;
    std::vector<http_response> out;
    for (;;) {
        http_response res;
        boost::beast::error_code ec;
        boost::beast::http::read(in, buffer, res, ec);
        if (ec)
            break;
        out.push_back(std::move(res));
    }
    return out;
}

} // namespace rosterd::test
