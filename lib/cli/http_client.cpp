#include "cli/http_client.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/asio/ssl/host_name_verification.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/use_future.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/http/write.hpp>
#include <boost/beast/ssl/ssl_stream.hpp>
#include <boost/url/parse.hpp>

#include <openssl/ssl.h>

namespace rosterd::cli {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = beast::http;

namespace {

// An answer larger than this is no answer of rosterd's API to a command.
constexpr std::uint64_t max_answer = 256ull * 1024 * 1024;

struct target_host {
    bool tls = false;
    std::string host;
    std::string port;
};

target_host parse_url(std::string const& url)
{
    auto const u = boost::urls::parse_uri(url);
    if (!u || (u->scheme() != "http" && u->scheme() != "https") || u->host().empty() ||
        !(u->path().empty() || u->path() == "/") || u->has_query() || u->has_userinfo())
        throw std::invalid_argument("--url must be http://host:port or https://host:port, not '" + url + "'");
    target_host t;
    t.tls = u->scheme() == "https";
    t.host = u->host_address();
    if (t.host.size() > 1 && t.host.front() == '[')
        t.host = t.host.substr(1, t.host.size() - 2);
    t.port = u->has_port() ? std::string(u->port()) : t.tls ? "443" : "80";
    return t;
}

template <class Stream>
asio::awaitable<answer> exchange(Stream& stream, bhttp::request<bhttp::string_body> const& req,
                                 std::chrono::seconds timeout)
{
    beast::get_lowest_layer(stream).expires_after(timeout);
    co_await bhttp::async_write(stream, req, asio::use_awaitable);
    beast::flat_buffer buffer;
    bhttp::response_parser<bhttp::string_body> parser;
    parser.body_limit(max_answer);
    co_await bhttp::async_read(stream, buffer, parser, asio::use_awaitable);
    auto const& res = parser.get();
    co_return answer{res.result_int(), std::string(res[bhttp::field::content_type]), res.body()};
}

asio::awaitable<answer> run(endpoint const& to, target_host const& where, bhttp::request<bhttp::string_body> req)
{
    auto ex = co_await asio::this_coro::executor;
    asio::ip::tcp::resolver resolver(ex);
    auto const addresses = co_await resolver.async_resolve(where.host, where.port, asio::use_awaitable);
    beast::tcp_stream tcp(ex);
    tcp.expires_after(to.timeout);
    co_await tcp.async_connect(addresses, asio::use_awaitable);
    if (!where.tls)
        co_return co_await exchange(tcp, req, to.timeout);

    asio::ssl::context ctx(asio::ssl::context::tls_client);
    SSL_CTX_set_min_proto_version(ctx.native_handle(), TLS1_2_VERSION);
    if (to.ca_file)
        ctx.load_verify_file(*to.ca_file);
    else
        ctx.set_default_verify_paths();
    ctx.set_verify_mode(asio::ssl::verify_peer);
    beast::ssl_stream<beast::tcp_stream> tls(std::move(tcp), ctx);
    tls.set_verify_callback(asio::ssl::host_name_verification(where.host));
    boost::system::error_code not_an_address;
    asio::ip::make_address(where.host, not_an_address);
    if (not_an_address) // SNI carries host names only (RFC 6066)
        SSL_set_tlsext_host_name(tls.native_handle(), where.host.c_str());
    co_await tls.async_handshake(asio::ssl::stream_base::client, asio::use_awaitable);
    co_return co_await exchange(tls, req, to.timeout);
}

} // namespace

answer call(endpoint const& to, bhttp::verb method, std::string const& target, std::optional<std::string> const& json_body)
{
    auto const where = parse_url(to.url);
    bhttp::request<bhttp::string_body> req{method, target, 11};
    req.set(bhttp::field::host, where.host);
    req.set(bhttp::field::user_agent, "rosterd-cli/" ROSTERD_VERSION);
    req.set(bhttp::field::authorization, "Bearer " + to.token);
    if (json_body) {
        req.set(bhttp::field::content_type, "application/json");
        req.body() = *json_body;
    }
    req.prepare_payload();
    asio::io_context ioc;
    auto result = asio::co_spawn(ioc, run(to, where, std::move(req)), asio::use_future);
    ioc.run();
    try {
        return result.get();
    } catch (boost::system::system_error const& e) {
        auto why = e.code() == beast::error::timeout ? std::string("no answer within ") +
                                                           std::to_string(to.timeout.count()) + " s"
                                                     : e.code().message();
        throw unreachable("cannot reach " + to.url + ": " + why);
    }
}

} // namespace rosterd::cli
