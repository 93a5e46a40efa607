#pragma once
// A request as the handlers see it, and the parser that fills one.
//
// The parser is Beast's basic_parser with callbacks that keep only what
// rosterd reads: the request line, a few headers and the body. Beast's own
// request_parser would build a full header map, allocating for every field
// of every request; this one copies into strings the connection reuses, so
// a keep-alive connection stops allocating after its first requests.
//
// On top of Beast it enforces RFC 9112's framing rules that Beast lets
// through, each a 400 and a closed connection (request smuggling lives in
// the gaps between two parsers' readings of one message):
//   - Transfer-Encoding must be exactly "chunked" (a final coding other
//     than chunked leaves the body's length unknown), and is refused in an
//     HTTP/1.0 request;
//   - one Content-Length header with one value, even if repeats agree;
//   - an HTTP/1.1 request has exactly one Host header (HTTP/1.0 at most one).
// The session hands it a whole header block at once (see session_impl.hpp),
// so each field is seen exactly once and obs-fold can be refused before
// the parser sees it.

#include <boost/asio/ip/address.hpp>
#include <boost/beast/http/basic_parser.hpp>
#include <boost/beast/http/verb.hpp>

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace rosterd::http {

using verb = boost::beast::http::verb;

struct request {
    verb method = verb::unknown;
    std::string method_text; // as received, for the access log
    std::string target;
    unsigned version = 11;   // 10 or 11
    bool keep_alive = true;  // set by the session once the request is whole
    bool expect_continue = false; // "Expect: 100-continue"
    // The first Authorization and Content-Type headers; a later repeat is ignored.
    bool has_authorization = false;
    std::string authorization;
    bool has_content_type = false;
    std::string content_type;
    // Conditional requests (RFC 9110 §13): the If-Match and If-None-Match
    // lists, as sent; several lines of one header are one list (§5.3),
    // joined with commas. has_if_match tells an empty If-Match (refused)
    // from none.
    bool has_if_match = false;
    std::string if_match;
    std::string if_none_match;
    // Accept-Encoding takes gzip (the console's files are kept compressed).
    bool accepts_gzip = false;
    // Idempotency-Key (api/idempotency.hpp), as sent; several lines joined
    // with commas (and so refused).
    bool has_idempotency_key = false;
    std::string idempotency_key;
    std::string body;
    // Why the request was refused as malformed, when a rule of ours refused
    // it (a static string); empty otherwise.
    std::string_view refusal;

    // The client's address (the connection's; not cleared between its
    // requests), for the audit trail.
    boost::asio::ip::address peer;

    // Gives back a body buffer larger than what is kept between requests.
    void release_large_buffers();

    // Not cleared between the requests of a connection: the last bearer
    // secret the service hashed and its SHA-256, so that a keep-alive
    // client's repeated token is hashed once per connection, not once per
    // request. The secret is in this connection's memory anyway (in
    // `authorization`), and goes with it.
    struct token_memo {
        std::string secret;
        std::array<std::uint8_t, 32> hash{};
    };
    mutable token_memo last_token;
};

// The header block at the front of some bytes (request line, fields and
// the empty line), if all of it is there.
struct header_block {
    std::size_t size = 0;
    // A line starts with space or tab: obsolete line folding (RFC 9112
    // §5.2), or white space before the first field.
    bool folded = false;
};
std::optional<header_block> find_header_block(std::string_view data);

class request_parser final : public boost::beast::http::basic_parser<true> {
public:
    // Clears `into` (keeping its strings' capacity) and parses into it.
    explicit request_parser(request& into);

private:
    using error_code = boost::beast::error_code;
    using string_view = boost::beast::string_view;

    void on_request_impl(verb method, string_view method_str, string_view target, int version,
                         error_code& ec) override;
    void on_response_impl(int, string_view, int, error_code&) override {}
    void on_field_impl(boost::beast::http::field name, string_view name_string, string_view value,
                       error_code& ec) override;
    void on_header_impl(error_code& ec) override;
    void on_body_init_impl(boost::optional<std::uint64_t> const& content_length, error_code& ec) override;
    std::size_t on_body_impl(string_view body, error_code& ec) override;
    void on_chunk_header_impl(std::uint64_t, string_view, error_code&) override {}
    std::size_t on_chunk_body_impl(std::uint64_t remain, string_view body, error_code& ec) override;
    void on_finish_impl(error_code&) override {}

    void refuse(error_code& ec, std::string_view why);

    request& req_;
    unsigned hosts_ = 0;
    bool content_length_seen_ = false;
};

} // namespace rosterd::http
