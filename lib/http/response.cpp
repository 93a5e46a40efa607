#include "http/response.hpp"

#include <boost/json/serialize.hpp>
#include <boost/json/value.hpp>

#include <charconv>

namespace rosterd::http {

namespace {

constexpr std::string_view crlf = "\r\n";

constexpr std::string_view api_policy =
    "default-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'";
constexpr std::string_view console_policy =
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; connect-src 'self'; "
    "frame-ancestors 'none'; base-uri 'none'; form-action 'none'";

std::string build_header_block(std::string_view policy)
{
    std::string_view const headers[][2] = {
        {"Access-Control-Expose-Headers", "authorization, content-type"},
        {"Access-Control-Allow-Headers", "authorization, content-type"},
        {"Access-Control-Allow-Methods", "GET, POST, DELETE, OPTIONS, PUT"},
        {"Access-Control-Allow-Origin", "*"},
        {"Strict-Transport-Security", "max-age=31536000; includeSubDomains"},
        {"X-Frame-Options", "SAMEORIGIN"},
        {"X-Content-Type-Options", "nosniff"},
        {"X-XSS-Protection", "1; mode=block"},
        {"Content-Security-Policy", policy},
        {"Referrer-Policy", "no-referrer"},
        {"Feature-Policy", "self"},
        {"Permissions-policy", "interest-cohort=()"},
    };
    std::string s;
    for (auto const& [name, value] : headers) {
        s.append(name).append(": ").append(value).append(crlf);
    }
    return s;
}

std::string const& header_block()
{
    static std::string const block = build_header_block(api_policy);
    return block;
}

void append_header(std::string& out, std::string_view name, std::string_view value)
{
    out.append(name).append(": ").append(value).append(crlf);
}

void append_status_line(std::string& out, status code)
{
    char digits[4];
    auto const n = std::to_chars(digits, digits + sizeof digits, static_cast<unsigned>(code)).ptr - digits;
    out.append("HTTP/1.1 ").append(digits, static_cast<std::size_t>(n)).append(" ");
    out.append(boost::beast::http::obsolete_reason(code)).append(crlf);
}

} // namespace

std::string_view hardening_headers() { return header_block(); }

std::string_view console_headers()
{
    static std::string const block = build_header_block(console_policy);
    return block;
}

response problem(status code, std::string_view detail)
{
    boost::json::object body;
    body["type"] = "about:blank";
    body["title"] = boost::beast::http::obsolete_reason(code);
    body["status"] = static_cast<unsigned>(code);
    body["detail"] = detail;
    return response{code, media::problem, boost::json::serialize(body), {}, {}, {}, {}, {}, {}, {}};
}

response json(status code, std::string body)
{
    return response{code, media::json, std::move(body), {}, {}, {}, {}, {}, {}, {}};
}

response no_content() { return response{status::no_content, {}, {}, {}, {}, {}, {}, {}, {}, {}}; }

response not_modified(std::string etag) { return response{status::not_modified, {}, {}, {}, {}, std::move(etag), {}, {}, {}, {}}; }

void finalize(response const& res, unsigned version, connection conn, std::string& out)
{
    out.clear();
    append_status_line(out, res.code);
    if (!res.content_type.empty())
        append_header(out, "Content-Type", res.content_type);
    // RFC 9110 §8.6, §15.4.5: a 204 or 304 has no content and no length.
    bool const has_content = res.code != status::no_content && res.code != status::not_modified;
    bool const parts = in_parts(res);
    if (parts) {
        // HTTP/1.0 has no chunks: the end of the connection ends the body.
        if (version == 11)
            append_header(out, "Transfer-Encoding", "chunked");
    } else if (has_content) {
        char digits[24];
        auto const end = std::to_chars(digits, digits + sizeof digits, res.body.size()).ptr;
        append_header(out, "Content-Length", std::string_view(digits, static_cast<std::size_t>(end - digits)));
    }
    if (!res.allow.empty())
        append_header(out, "Allow", res.allow);
    if (!res.location.empty())
        append_header(out, "Location", res.location);
    if (!res.etag.empty())
        append_header(out, "ETag", res.etag);
    // RFC 9110 §11.6.1: a 401 names the scheme that would get in.
    if (res.code == status::unauthorized)
        append_header(out, "WWW-Authenticate", "Bearer");
    if (conn == connection::close || (parts && version == 10))
        append_header(out, "Connection", "close");
    else if (version == 10)
        append_header(out, "Connection", "keep-alive");
    out.append(res.headers);
    out.append(res.hardening.empty() ? std::string_view(header_block()) : res.hardening).append(crlf);
    if (parts) {
        append_part(res.body, version, out);
        return;
    }
    if (has_content)
        out.append(res.body);
}

void append_part(std::string_view part, unsigned version, std::string& out)
{
    if (part.empty()) // an empty chunk would end the body
        return;
    if (version == 11) {
        char digits[24];
        auto const end = std::to_chars(digits, digits + sizeof digits, part.size(), 16).ptr;
        out.append(digits, end).append(crlf);
    }
    out.append(part);
    if (version == 11)
        out.append(crlf);
}

void end_parts(unsigned version, std::string& out)
{
    if (version == 11)
        out.append("0").append(crlf).append(crlf);
}

void finalize_continue(std::string& out)
{
    out.clear();
    append_status_line(out, status::continue_);
    out.append(header_block()).append(crlf);
}

} // namespace rosterd::http
