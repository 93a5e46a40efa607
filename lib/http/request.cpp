#include "http/request.hpp"

#include <boost/beast/core/string.hpp>
#include <boost/beast/http/error.hpp>

#include <algorithm>

namespace rosterd::http {

namespace {

// Whether an Accept-Encoding list (RFC 9110 §12.5.3) takes gzip: named,
// alone or with a weight that is not zero ("gzip;q=0" refuses it).
bool accepts_gzip(std::string_view list)
{
    while (!list.empty()) {
        auto const comma = list.find(',');
        auto item = list.substr(0, comma);
        list = comma == std::string_view::npos ? std::string_view{} : list.substr(comma + 1);
        auto const semicolon = item.find(';');
        auto coding = item.substr(0, semicolon);
        while (!coding.empty() && (coding.front() == ' ' || coding.front() == '\t'))
            coding.remove_prefix(1);
        while (!coding.empty() && (coding.back() == ' ' || coding.back() == '\t'))
            coding.remove_suffix(1);
        if (!boost::beast::iequals(coding, "gzip"))
            continue;
        if (semicolon == std::string_view::npos)
            return true;
        auto weight = item.substr(semicolon + 1);
        weight.remove_prefix(std::min(weight.find_first_not_of(" \t"), weight.size()));
        // q=0, q=0., q=0.0, q=0.00, q=0.000: refused; any other weight takes it.
        return !(weight.size() >= 3 && (weight[0] == 'q' || weight[0] == 'Q') && weight[1] == '=' && weight[2] == '0'
                 && weight.find_first_not_of("0. \t", 3) == std::string_view::npos);
    }
    return false;
}

// A body's buffer is kept for the next request up to this size; a larger
// one (up to --max-body) is given back, so that an idle keep-alive
// connection never holds on to its largest request: 10,000 connections
// that each sent a 64 KiB body must not hold 640 MB.
constexpr std::size_t kept_body_capacity = 4 * 1024;

// Several lines of a list-valued header are one list (RFC 9110 §5.3).
void append_to_list(std::string& list, std::string_view value)
{
    if (!list.empty())
        list.append(", ");
    list.append(value.data(), value.size());
}

} // namespace

std::optional<header_block> find_header_block(std::string_view data)
{
    // One pass over the line ends: each is looked at for what follows it.
    header_block block;
    for (auto at = data.find('\n'); at != std::string_view::npos; at = data.find('\n', at + 1)) {
        auto const next = data.substr(at + 1, 2);
        if (next.empty())
            break;
        if (next.front() == ' ' || next.front() == '\t')
            block.folded = true;
        else if (at > 0 && data[at - 1] == '\r' && next == "\r\n") {
            block.size = at + 3;
            return block;
        }
    }
    return std::nullopt;
}

request_parser::request_parser(request& into) : req_(into)
{
    req_.method = verb::unknown;
    req_.method_text.clear();
    req_.target.clear();
    req_.version = 11;
    req_.keep_alive = true;
    req_.expect_continue = false;
    req_.has_authorization = false;
    req_.authorization.clear();
    req_.has_content_type = false;
    req_.content_type.clear();
    req_.has_if_match = false;
    req_.if_match.clear();
    req_.if_none_match.clear();
    req_.accepts_gzip = false;
    req_.has_idempotency_key = false;
    req_.idempotency_key.clear();
    req_.refusal = {};
    req_.body.clear();
    req_.release_large_buffers();
}

void request::release_large_buffers()
{
    if (body.capacity() > kept_body_capacity)
        std::string().swap(body);
}

void request_parser::on_request_impl(verb method, string_view method_str, string_view target, int version,
                                     error_code&)
{
    req_.method = method;
    req_.method_text.assign(method_str.data(), method_str.size());
    req_.target.assign(target.data(), target.size());
    req_.version = static_cast<unsigned>(version);
}

void request_parser::refuse(error_code& ec, std::string_view why)
{
    req_.refusal = why;
    ec = boost::beast::http::error::bad_field;
}

void request_parser::on_field_impl(boost::beast::http::field name, string_view name_string, string_view value,
                                   error_code& ec)
{
    using boost::beast::http::field;
    switch (name) {
    case field::host:
        if (++hosts_ > 1)
            refuse(ec, "more than one Host header");
        break;
    case field::content_length:
        // Beast accepts "5, 5" and a repeat of the same value; a proxy in
        // front may not read them the same way.
        if (content_length_seen_ || value.find(',') != string_view::npos)
            refuse(ec, "more than one Content-Length");
        content_length_seen_ = true;
        break;
    case field::transfer_encoding:
        if (req_.version == 10)
            refuse(ec, "Transfer-Encoding in an HTTP/1.0 request");
        else if (!boost::beast::iequals(value, "chunked"))
            refuse(ec, "Transfer-Encoding other than chunked");
        break;
    case field::authorization:
        if (!req_.has_authorization) {
            req_.has_authorization = true;
            req_.authorization.assign(value.data(), value.size());
        }
        break;
    case field::content_type:
        if (!req_.has_content_type) {
            req_.has_content_type = true;
            req_.content_type.assign(value.data(), value.size());
        }
        break;
    case field::if_match:
        req_.has_if_match = true;
        append_to_list(req_.if_match, {value.data(), value.size()});
        break;
    case field::if_none_match:
        append_to_list(req_.if_none_match, {value.data(), value.size()});
        break;
    case field::accept_encoding:
        req_.accepts_gzip = req_.accepts_gzip || accepts_gzip({value.data(), value.size()});
        break;
    case field::expect:
        req_.expect_continue = req_.expect_continue || boost::beast::iequals(value, "100-continue");
        break;
    case field::unknown:
        // Beast 1.81 knows no Idempotency-Key.
        if (boost::beast::iequals(name_string, "Idempotency-Key")) {
            if (req_.has_idempotency_key)
                req_.idempotency_key.append(", "); // a second line, even after an empty one
            req_.has_idempotency_key = true;
            req_.idempotency_key.append(value.data(), value.size());
        }
        break;
    default:
        break;
    }
}

void request_parser::on_header_impl(error_code& ec)
{
    if (req_.version == 11 && hosts_ != 1)
        refuse(ec, "an HTTP/1.1 request needs exactly one Host header");
}

void request_parser::on_body_init_impl(boost::optional<std::uint64_t> const& content_length, error_code&)
{
    // The parser has already refused a Content-Length over the body limit;
    // past the capacity kept between requests, the body grows as it arrives
    // rather than on a client's word.
    if (content_length)
        req_.body.reserve(static_cast<std::size_t>(std::min<std::uint64_t>(*content_length, kept_body_capacity)));
}

std::size_t request_parser::on_body_impl(string_view body, error_code&)
{
    req_.body.append(body.data(), body.size());
    return body.size();
}

std::size_t request_parser::on_chunk_body_impl(std::uint64_t, string_view body, error_code& ec)
{
    return on_body_impl(body, ec);
}

} // namespace rosterd::http
