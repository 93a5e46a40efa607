#include "api/json_body.hpp"

#include <boost/beast/core/string.hpp>
#include <boost/json/parse.hpp>

#include <algorithm>
#include <limits>
#include <utility>

namespace rosterd::api {

bool is_json_media_type(std::string_view content_type, std::string_view wanted)
{
    auto type = content_type.substr(0, content_type.find(';'));
    while (!type.empty() && (type.back() == ' ' || type.back() == '\t'))
        type.remove_suffix(1);
    while (!type.empty() && (type.front() == ' ' || type.front() == '\t'))
        type.remove_prefix(1);
    return boost::beast::iequals(type, wanted);
}

std::size_t count_code_points(std::string_view utf8)
{
    // Every code point has exactly one byte that is not a continuation byte.
    return static_cast<std::size_t>(std::count_if(utf8.begin(), utf8.end(), [](char c) {
        return (static_cast<unsigned char>(c) & 0xC0) != 0x80;
    }));
}

bool has_control_character(std::string_view utf8, lines kind)
{
    for (std::size_t i = 0; i < utf8.size(); ++i) {
        auto const c = static_cast<unsigned char>(utf8[i]);
        if (kind == lines::multi && (c == '\t' || c == '\n'))
            continue;
        if (c < 0x20 || c == 0x7f)
            return true;
        // U+0080..U+009F are encoded as C2 80..C2 9F.
        if (c == 0xc2 && i + 1 < utf8.size()) {
            auto const next = static_cast<unsigned char>(utf8[i + 1]);
            if (next >= 0x80 && next <= 0x9f)
                return true;
        }
    }
    return false;
}

std::optional<std::uint64_t> positive_integer(boost::json::value const& v)
{
    constexpr auto max = static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max());
    if (v.is_int64() && v.get_int64() > 0)
        return static_cast<std::uint64_t>(v.get_int64());
    if (v.is_uint64() && v.get_uint64() > 0 && v.get_uint64() <= max)
        return v.get_uint64();
    return std::nullopt;
}

std::optional<http::response> parse_json_object(http::request const& req, std::size_t max_depth,
                                                boost::json::object& out, body_media media)
{
    bool const scim = media == body_media::json_or_scim;
    if (req.has_content_type && !is_json_media_type(req.content_type)
        && !(scim && is_json_media_type(req.content_type, http::media::scim)))
        return http::problem(http::status::unsupported_media_type,
                             scim ? "Content-Type must be application/scim+json or application/json"
                                  : "Content-Type must be application/json");

    std::string_view const body = req.body;
    if (std::all_of(body.begin(), body.end(), [](char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; })) {
        out = {};
        return std::nullopt;
    }
    boost::json::parse_options options;
    options.max_depth = max_depth;
    boost::system::error_code ec;
    // In `out`'s memory, so that moving the result into it is not a copy.
    auto value = boost::json::parse(body, ec, out.storage(), options);
    if (ec)
        return http::problem(http::status::bad_request, "body: not valid JSON (" + ec.message() + ")");
    if (!value.is_object())
        return http::problem(http::status::bad_request, "body: must be a JSON object");
    out = std::move(value.as_object());
    return std::nullopt;
}

boost::json::object parsed_body::take()
{
    if (!std::exchange(taken_, true))
        return std::move(object_);
    boost::json::object again(&memory_);
    parse_json_object(req_, max_depth_, again, media_);
    return again;
}

} // namespace rosterd::api
