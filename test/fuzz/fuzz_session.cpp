// Raw bytes into one connection's session (over Beast's test stream), then
// the router and every handler, against a fresh directory each run.
#include "api/service.hpp"
#include "persist/local/committer.hpp"
#include "auth/token.hpp"
#include "http/session_impl.hpp"
#include "log/log.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/beast/_experimental/test/stream.hpp>

using namespace rosterd;

// The token the seed corpus uses, so that mutations reach the handlers.
constexpr char const* fuzz_token = "fuzz-token-0123456789";

// The access log would write a line per request: millions of lines that slow
// the run and bury libFuzzer's own report. Warnings and errors still show.
extern "C" int LLVMFuzzerInitialize(int*, char***)
{
    log::set_level(log::level::warn);
    return 0;
}

extern "C" int LLVMFuzzerTestOneInput(std::uint8_t const* data, std::size_t size)
{
    store::directory dir;
    persist::committer log(dir, nullptr, persist::system_io(), {persist::durability::memory}, {});
    store::user root;
    root.id = 1;
    root.super_user = true;
    dir.apply(store::put_user{root});
    dir.apply(store::put_group{{1, "g", std::nullopt, 0, 0}});
    store::token t;
    t.id = 1;
    t.user_id = 1;
    t.hash = auth::hash_token(fuzz_token);
    dir.apply(store::put_token{t});
    api::service service(dir, log, [] { return store::unix_time{1'800'000'000}; });

    http::session_limits limits;
    limits.body_limit = 4096;
    limits.header_limit = 2048;
    // The directory is new for every input, so that a crash reproduces from
    // its input alone; the io_context (an epoll and an eventfd) is reused.
    static boost::asio::io_context ioc;
    ioc.restart();
    boost::beast::test::stream server(ioc);
    boost::beast::test::stream client(ioc);
    server.connect(client);
    server.append(std::string_view(reinterpret_cast<char const*>(data), size));
    client.close();
    http::session_state state;
    boost::asio::co_spawn(ioc, http::run_session(server, service, limits, state), boost::asio::detached);
    ioc.run();
    return 0;
}
