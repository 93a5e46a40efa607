// The service with an injected clock: token expiry and lastUsed, without sleeping.
#define BOOST_TEST_MODULE service
#include <boost/test/unit_test.hpp>

#include "api/idempotency.hpp"
#include "api/service.hpp"
#include "persist/local/committer.hpp"
#include "auth/token.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/json/parse.hpp>

#include <atomic>
#include <thread>

using namespace rosterd;

namespace {

struct fixture {
    store::directory dir;
    store::unix_time now = 1'800'000'000;
    persist::committer log{dir, nullptr, persist::system_io(), {persist::durability::memory}, {}};
    api::service service{dir, log, [this] { return now; }};

    fixture()
    {
        store::user root;
        root.id = 1;
        root.super_user = true;
        dir.apply(store::put_user{root});
        store::token t;
        t.id = 1;
        t.user_id = 1;
        t.hash = auth::hash_token("root-token-for-tests");
        dir.apply(store::put_token{t});
    }

    http::response call(http::verb method, std::string target, std::string const& token, std::string body = "",
                        std::optional<std::string> idempotency_key = std::nullopt)
    {
        http::request req;
        req.has_idempotency_key = idempotency_key.has_value();
        req.idempotency_key = idempotency_key.value_or("");
        req.method = method;
        req.method_text = boost::beast::http::to_string(method);
        req.target = std::move(target);
        req.has_authorization = !token.empty();
        if (req.has_authorization)
            req.authorization = "Bearer " + token;
        req.body = std::move(body);
        return run(service, req);
    }

    // Runs a request through `s` to completion on a private io_context.
    static http::response run(api::service const& s, http::request const& req)
    {
        boost::asio::io_context ioc;
        http::response res;
        boost::asio::co_spawn(ioc, s.handle(req, res), [&](std::exception_ptr e) {
            if (e)
                std::rethrow_exception(e);
        });
        ioc.run();
        return res;
    }
};

} // namespace

BOOST_FIXTURE_TEST_SUITE(service_with_clock, fixture)

BOOST_AUTO_TEST_CASE(a_token_stops_working_when_it_expires)
{
    auto const made = call(http::verb::post, "/user/1/token", "root-token-for-tests", R"({"expiresIn":60})");
    BOOST_TEST_REQUIRE(made.code == http::status::created);
    auto const secret = std::string(boost::json::parse(made.body).at("token").as_string());
    now += 59;
    BOOST_TEST(call(http::verb::get, "/user/1", secret).code == http::status::ok);
    now += 1;
    BOOST_TEST(call(http::verb::get, "/user/1", secret).code == http::status::unauthorized);
}

BOOST_AUTO_TEST_CASE(an_idempotency_key_holds_for_a_day_then_runs_again)
{
    auto post = [&] { return call(http::verb::post, "/user", "root-token-for-tests", "{}", "\"day\""); };
    auto const first = post();
    BOOST_TEST_REQUIRE(first.code == http::status::created);
    now += store::answer_kept_for - 1;
    BOOST_TEST(post().body == first.body);
    BOOST_TEST(dir.users().size() == 2u);
    now += 1;
    auto const later = post();
    BOOST_TEST(later.code == http::status::created);
    BOOST_TEST(later.body != first.body);
    BOOST_TEST(dir.users().size() == 3u);
    // The kept answer was replaced by the new one: a day from now.
    BOOST_TEST(post().body == later.body);
}

BOOST_AUTO_TEST_CASE(an_idempotency_key_is_a_quoted_or_bare_printable_string)
{
    using api::parse_idempotency_key;
    BOOST_TEST(parse_idempotency_key("\"8e03978e-40d5-43e8-bc93-6894a57f9324\"").value_or("")
               == "8e03978e-40d5-43e8-bc93-6894a57f9324");
    BOOST_TEST(parse_idempotency_key("plain-key_1").value_or("") == "plain-key_1");
    BOOST_TEST(parse_idempotency_key(R"("with \"quotes\" and \\ and spaces")").value_or("")
               == R"(with "quotes" and \ and spaces)");
    for (std::string_view bad : {"", "\"\"", "\"", "\"x", "\"x\"y", "a b", "a,b", "a\"b", "\"\\n\"", "\"tab\there\""})
        BOOST_TEST(!parse_idempotency_key(bad), bad);
    BOOST_TEST(parse_idempotency_key(std::string(api::max_idempotency_key, 'k')).has_value());
    BOOST_TEST(!parse_idempotency_key(std::string(api::max_idempotency_key + 1, 'k')));
}

BOOST_AUTO_TEST_CASE(last_used_follows_the_clock)
{
    now += 5;
    BOOST_TEST(call(http::verb::get, "/healthz", "").code == http::status::ok);
    BOOST_TEST(!dir.find_token(1)->last_used);
    BOOST_TEST(call(http::verb::get, "/user/1", "root-token-for-tests").code == http::status::ok);
    BOOST_TEST(*dir.find_token(1)->last_used == now);
}

BOOST_AUTO_TEST_CASE(metrics_count_requests_by_route_and_status)
{
    call(http::verb::get, "/user/1", "root-token-for-tests");
    call(http::verb::get, "/user/1", "");
    call(http::verb::get, "/nowhere", "");
    auto const text = call(http::verb::get, "/metrics", "").body;
    BOOST_TEST(text.find("rosterd_requests_total{method=\"GET\",route=\"/user/{id}\",status=\"200\"} 1\n") != std::string::npos);
    BOOST_TEST(text.find("rosterd_requests_total{method=\"GET\",route=\"/user/{id}\",status=\"401\"} 1\n") != std::string::npos);
    BOOST_TEST(text.find("rosterd_requests_total{method=\"-\",route=\"-\",status=\"404\"} 1\n") != std::string::npos);
    BOOST_TEST(text.find("rosterd_request_duration_seconds_count 3\n") != std::string::npos);
    BOOST_TEST(text.find("rosterd_users 1\n") != std::string::npos);
    BOOST_TEST(text.find("rosterd_tokens 1\n") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(metrics_count_the_audit_trail)
{
    BOOST_TEST(call(http::verb::get, "/metrics", "").body.find("rosterd_audit_events 0\n") != std::string::npos);
    auto const put = call(http::verb::put, "/user/1", "root-token-for-tests", R"({"firstName":"Ann"})");
    BOOST_TEST(static_cast<unsigned>(put.code) == 200u, put.body);
    BOOST_TEST(call(http::verb::get, "/metrics", "").body.find("rosterd_audit_events 1\n") != std::string::npos);
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_FIXTURE_TEST_CASE(a_long_read_lets_writers_in_and_notices_its_caller_gone, fixture)
{
    // A list that walks the directory pauses between stretches: a writer
    // waiting for the lock gets in, and the list sees what it changed.
    http::request req;
    std::string const path_id;
    api::api_rules const rules;
    auto lock = dir.read_lock();
    api::context ctx{req, path_id, {}, dir, now, {1, 1}, dir.find_user(1), service.stats(), log, rules, nullptr, &lock,
                     std::nullopt};
    std::atomic<bool> wrote = false;
    std::thread writer([&] {
        auto w = dir.write_lock();
        dir.apply(store::remove_user{1});
        wrote = true;
    });
    bool caller_still_there = true;
    // The writer runs only inside a pause, so whether it has is known
    // each time a pause returns.
    for (int i = 0; i < 1'000'000 && !wrote; ++i)
        caller_still_there = api::pause_read(ctx);
    writer.join();
    BOOST_TEST(wrote);
    BOOST_TEST(!caller_still_there);
    BOOST_TEST(ctx.me == nullptr);
}

BOOST_FIXTURE_TEST_CASE(a_walk_that_pauses_resumes_where_it_was, fixture)
{
    // Past records_between_pauses the walks of GET /user and GET /audit
    // pause and resume after the last record they saw: the pages cross
    // the pauses without a gap or a repeat.
    for (store::record_id id = 2; id <= 10'000; ++id) {
        store::user u;
        u.id = id;
        dir.apply(store::put_user{u});
        dir.apply(store::put_audit{store::audit_event{.id = id, .at = now}});
    }
    auto ids = [&](std::string const& target) {
        auto const res = call(http::verb::get, target, "root-token-for-tests");
        BOOST_TEST_REQUIRE(static_cast<unsigned>(res.code) == 200u, res.body);
        std::vector<std::int64_t> out;
        auto const list = boost::json::parse(res.body);
        for (auto const& v : list.as_array())
            out.push_back(v.at("id").as_int64());
        return out;
    };
    auto const users = ids("/user?offset=4000&limit=1000");
    BOOST_TEST_REQUIRE(users.size() == 1000u);
    for (std::size_t i = 0; i < users.size(); ++i)
        BOOST_TEST(users[i] == static_cast<std::int64_t>(4001 + i));
    auto const events = ids("/audit?offset=4000&limit=1000"); // newest first: 10,000 down
    BOOST_TEST_REQUIRE(events.size() == 1000u);
    for (std::size_t i = 0; i < events.size(); ++i)
        BOOST_TEST(events[i] == static_cast<std::int64_t>(10'000 - 4000 - i));
}

namespace {

// A store whose answer to every write is lost: it cannot tell whether the
// write was made.
class answer_lost final : public persist::backend {
public:
    explicit answer_lost(store::directory& dir) : dir_(dir) {}
    void start() override {}
    bool stop() override { return true; }
    void submit(work_fn work, done_fn done) override
    {
        {
            auto lock = dir_.write_lock();
            work();
        }
        done(persist::write_outcome::unknown);
    }
    void record(store::change) override { ++recorded; }
    std::size_t recorded = 0;

private:
    store::directory& dir_;
};

} // namespace

BOOST_FIXTURE_TEST_CASE(a_write_whose_outcome_is_unknown_never_says_nothing_was_changed, fixture)
{
    answer_lost lost(dir);
    api::service lossy{dir, lost, [this] { return now; }};
    http::request req;
    req.method = http::verb::put;
    req.method_text = "PUT";
    req.target = "/user/1";
    req.has_authorization = true;
    req.authorization = "Bearer root-token-for-tests";
    req.body = R"({"firstName":"Ann"})";
    auto const res = run(lossy, req);
    BOOST_TEST(lost.recorded > 0u); // the write was sent
    BOOST_TEST(static_cast<unsigned>(res.code) == 503u);
    BOOST_TEST(res.body.find("may or may not have been made") != std::string::npos, res.body);
    BOOST_TEST(res.body.find("nothing was changed") == std::string::npos, res.body);
}

namespace {

// A store that runs each write's work twice, as the shared store does after
// losing the race for the log's head, keeping what the second run records.
class runs_twice final : public persist::backend {
public:
    explicit runs_twice(store::directory& dir) : dir_(dir) {}
    void start() override {}
    bool stop() override { return true; }
    void submit(work_fn work, done_fn done) override
    {
        {
            auto lock = dir_.write_lock();
            work();
            users.clear();
            work();
        }
        done(persist::write_outcome::made);
    }
    void record(store::change c) override
    {
        if (auto const* put = std::get_if<store::put_user>(&c))
            users.push_back(put->after);
    }
    std::vector<store::user> users;

private:
    store::directory& dir_;
};

} // namespace

// The body is parsed once, before the work; work run again still sees it.
BOOST_FIXTURE_TEST_CASE(work_run_again_sees_the_same_body, fixture)
{
    runs_twice twice(dir);
    api::service again{dir, twice, [this] { return now; }};
    for (auto const& [method, target, body] :
         {std::tuple{http::verb::put, "/user/1", R"({"firstName":"Ann"})"},
          std::tuple{http::verb::post, "/scim/v2/Users",
                     R"({"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"userName":"ann","name":{"givenName":"Ann"}})"}}) {
        BOOST_TEST_CONTEXT(target) {
            twice.users.clear();
            http::request req;
            req.method = method;
            req.method_text = boost::beast::http::to_string(method);
            req.target = target;
            req.has_authorization = true;
            req.authorization = "Bearer root-token-for-tests";
            req.body = body;
            auto const res = run(again, req);
            BOOST_TEST(static_cast<unsigned>(res.code) < 300u, res.body);
            BOOST_TEST_REQUIRE(twice.users.size() == 1u);
            BOOST_TEST(twice.users.front().first_name() == "Ann");
        }
    }
}
