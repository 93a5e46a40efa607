#pragma once
// A response as the handlers build it, and finalize(): the one place where
// every response the server sends, its own parse errors included, becomes
// bytes on the wire with the twelve hardening headers (docs/api.md) attached.
//
// Responses are small, fully-buffered JSON or text, so finalize() writes the
// whole message into one buffer that the connection reuses: the fixed header
// block is serialized once at start-up and copied, never rebuilt per request.

#include <boost/beast/http/status.hpp>

#include <functional>
#include <string>
#include <string_view>

namespace rosterd::http {

using status = boost::beast::http::status;

namespace media {
inline constexpr std::string_view json = "application/json";
inline constexpr std::string_view problem = "application/problem+json";
inline constexpr std::string_view scim = "application/scim+json";
inline constexpr std::string_view prometheus = "text/plain; version=0.0.4; charset=utf-8";
inline constexpr std::string_view backup = "application/octet-stream";
} // namespace media

struct response {
    status code = status::ok;
    std::string_view content_type; // a static string; empty when there is no body
    std::string body;
    std::string location;          // empty: no Location header
    std::string_view allow;        // a static string; empty: no Allow header
    std::string etag;              // the record's version, quoted; empty: no ETag header
    // A body too large to hold whole (a group of a million members): `body`
    // is its first part, and each call appends the next part to its
    // argument, answering false after the last. Sent chunked (HTTP/1.1), or
    // to the connection's close (HTTP/1.0). Empty: `body` is all of it.
    std::function<bool(std::string&)> more;
    // For the access log only, never sent: what a handler did that the
    // status does not say (a value it could not keep).
    std::string log_note;
    // More header lines, each "Name: value\r\n" (Cache-Control, X-Total-Count).
    std::string headers;
    // The fixed block in place of the twelve API headers: only the
    // console's files (console_headers()) have another.
    std::string_view hardening;
};

// An RFC 9457 problem: {"type":"about:blank","title":<reason>,"status":<code>,"detail":<detail>}
response problem(status code, std::string_view detail);
// A JSON body that is already serialized.
response json(status code, std::string body);
// 204, no body.
response no_content();
// 304, no body: the client's copy, named by its ETag, is current.
response not_modified(std::string etag);

// Whether `res` sends its body in parts (`more`; never a 204 or 304).
inline bool in_parts(response const& res)
{
    return res.more && res.code != status::no_content && res.code != status::not_modified;
}

// The twelve headers, each "Name: value\r\n", in the order docs/api.md lists them.
std::string_view hardening_headers();
// The same twelve for the web console's files, but for a
// Content-Security-Policy that lets a page run the console's own scripts
// and styles and call the API of its own origin, nothing else.
std::string_view console_headers();

enum class connection { keep_alive, close };

// Replaces `out` with the wire form of `res`, answering a request of HTTP
// version `version` (10 or 11). For a response with `more`, that is the
// header and the first part; then append_part() frames each next part, and
// (HTTP/1.1) end_parts() ends the body.
void finalize(response const& res, unsigned version, connection conn, std::string& out);
void append_part(std::string_view part, unsigned version, std::string& out);
void end_parts(unsigned version, std::string& out);

// Replaces `out` with an interim "100 Continue" (with the twelve headers).
void finalize_continue(std::string& out);

} // namespace rosterd::http
