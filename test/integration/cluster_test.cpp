// Three real rosterd nodes on one real PostgreSQL 15 (scripts/postgres):
// writes on one node read on the others, concurrent writers on all three,
// revocation, and the faults: a node killed mid-load, PostgreSQL stopped
// mid-load, a node behind a trimmed log. After every fault the three
// directories are compared through the API.
#define BOOST_TEST_MODULE cluster
#include <boost/test/unit_test.hpp>

#include "../support/api_client.hpp"
#include "../support/postgres.hpp"

#include <boost/json.hpp>

#include <atomic>
#include <memory>
#include <mutex>
#include <set>
#include <thread>

using namespace rosterd::test;
using namespace std::chrono_literals;
using verb = bhttp::verb;

namespace {

std::string const root_token = "de17983dda9f932a3dd047f21a63bf34";

// Waits until `done()` or `limit`; whether it became true.
template <class Fn>
bool eventually(Fn done, std::chrono::milliseconds limit = 5000ms)
{
    auto const until = std::chrono::steady_clock::now() + limit;
    while (std::chrono::steady_clock::now() < until) {
        if (done())
            return true;
        std::this_thread::sleep_for(10ms);
    }
    return done();
}

// What a node shows of its directory: every user and group, every user's
// tokens without lastUsed (shared only every --last-used-interval), and the
// audit trail.
std::string view_of(unsigned short port)
{
    client c(port);
    std::string out;
    auto get = [&](std::string const& target) {
        auto const res = c.request(verb::get, target, {}, root_token);
        if (res.result_int() != 200)
            throw std::runtime_error(target + ": " + std::to_string(res.result_int()) + " " + res.body());
        return boost::json::parse(res.body()).as_array();
    };
    for (std::size_t offset = 0;; offset += 1000) {
        auto const users = get("/user?limit=1000&offset=" + std::to_string(offset));
        for (auto const& u : users) {
            out += boost::json::serialize(u) + "\n";
            auto tokens = get("/user/" + std::to_string(u.at("id").to_number<std::uint64_t>()) + "/token?limit=1000");
            for (auto& t : tokens)
                t.as_object().erase("lastUsed");
            out += boost::json::serialize(tokens) + "\n";
        }
        if (users.size() < 1000)
            break;
    }
    out += boost::json::serialize(get("/usergroup?limit=1000")) + "\n";
    for (std::size_t offset = 0;; offset += 1000) {
        auto const events = get("/audit?limit=1000&offset=" + std::to_string(offset));
        out += boost::json::serialize(events) + "\n";
        if (events.size() < 1000)
            break;
    }
    return out;
}

struct cluster {
    explicit cluster(std::vector<std::string> options = {}, std::size_t n = 3) : extra(std::move(options))
    {
        for (std::size_t i = 0; i < n; ++i) {
            dirs.push_back(std::make_unique<temp_dir>());
            nodes.emplace_back();
            start(i);
        }
    }

    void start(std::size_t i)
    {
        std::vector<std::string> args{"--store", pg.uri(), "--bootstrap-token", root_token, "--threads", "2"};
        args.insert(args.end(), extra.begin(), extra.end());
        nodes[i] = std::make_unique<server_process>(args, dirs[i]->path() / "data");
    }
    unsigned short port(std::size_t i) const { return nodes[i]->port(); }
    api_client api(std::size_t i) const { return api_client(port(i), root_token); }

    // Waits for the nodes to agree, then checks that they do.
    void check_converged()
    {
        std::vector<std::string> views(nodes.size());
        bool const agreed = eventually([&] {
            for (std::size_t i = 0; i < nodes.size(); ++i)
                views[i] = view_of(port(i));
            for (auto const& v : views)
                if (v != views[0])
                    return false;
            return true;
        });
        BOOST_TEST(agreed);
        for (std::size_t i = 1; i < nodes.size(); ++i)
            BOOST_TEST(views[i] == views[0], "node " << i << " differs from node 0");
    }

    postgres_server pg;
    std::vector<std::string> extra;
    std::vector<std::unique_ptr<temp_dir>> dirs;
    std::vector<std::unique_ptr<server_process>> nodes;
};

// Users created through one node by a thread of its own, until stopped: the
// ids acknowledged (201), and how other answers went.
struct writer {
    explicit writer(unsigned short port) : thread_([this, port] { run(port); }) {}
    ~writer() { join(); }
    // Stops writing and waits for the last answer.
    void join()
    {
        stop_ = true;
        if (thread_.joinable())
            thread_.join();
    }

    std::vector<std::uint64_t> acknowledged;
    std::size_t unavailable = 0;    // 503
    std::size_t other = 0;          // anything else, or a dropped connection
    std::chrono::milliseconds slowest_503{0};

private:
    void run(unsigned short port)
    {
        std::unique_ptr<client> c;
        for (int i = 0; !stop_; ++i) {
            try {
                if (!c)
                    c = std::make_unique<client>(port);
                auto const started = std::chrono::steady_clock::now();
                auto const res = c->request(verb::post, "/user", R"({"firstName":"w)" + std::to_string(i) + R"("})",
                                            root_token);
                if (res.result_int() == 201)
                    acknowledged.push_back(std::stoull(res.body()));
                else if (res.result_int() == 503) {
                    ++unavailable;
                    slowest_503 = std::max(slowest_503, std::chrono::duration_cast<std::chrono::milliseconds>(
                                                            std::chrono::steady_clock::now() - started));
                    // Backs off, as a client does: a refusal comes back in
                    // microseconds, and three writers asking again at once
                    // took the cores PostgreSQL's restart needed (and
                    // logged a line each, hundreds of thousands a run).
                    std::this_thread::sleep_for(10ms);
                } else
                    ++other;
            } catch (std::exception const&) {
                ++other;
                c.reset();
                std::this_thread::sleep_for(20ms);
            }
        }
    }
    std::atomic<bool> stop_{false};
    std::thread thread_;
};

unsigned status_of(unsigned short port, verb method, std::string const& target, std::string const& token = root_token,
                   std::optional<std::string> body = {})
{
    client c(port);
    return c.request(method, target, std::move(body), token).result_int();
}

// The length of the array `target` answers with.
std::size_t json_array_size(unsigned short port, std::string const& target)
{
    client c(port);
    return boost::json::parse(c.request(verb::get, target, {}, root_token).body()).as_array().size();
}

// Every id in `ids` is a user on the node at `port` (waiting a little for
// the node to apply what another node acknowledged).
void all_present(unsigned short port, std::vector<std::uint64_t> const& ids)
{
    client c(port);
    std::size_t missing = 0;
    eventually([&] {
        missing = 0;
        for (auto id : ids)
            if (c.request(verb::get, "/user/" + std::to_string(id), {}, root_token).result_int() != 200)
                ++missing;
        return missing == 0;
    });
    BOOST_TEST(missing == 0u, missing << " of " << ids.size() << " acknowledged users missing");
}

} // namespace

BOOST_AUTO_TEST_CASE(a_write_on_one_node_is_read_on_the_others)
{
    cluster c;
    auto a = c.api(0);
    auto const id = a.create("/user", R"({"firstName":"Ann","lastName":"Lee"})");
    for (std::size_t i = 1; i < 3; ++i) {
        BOOST_TEST(eventually([&] { return status_of(c.port(i), verb::get, "/user/" + std::to_string(id)) == 200; }));
        auto b = c.api(i);
        auto const res = b.call(verb::get, "/user/" + std::to_string(id));
        BOOST_TEST(boost::json::parse(res.body()).at("firstName").as_string() == "Ann");
    }
    // A change made on node 1 to the record node 0 made.
    auto b = c.api(1);
    BOOST_TEST(b.call(verb::put, "/user/" + std::to_string(id), {}, R"({"lastName":"Ng"})").result_int() == 200u);
    BOOST_TEST(eventually([&] {
        auto const user = c.api(2).call(verb::get, "/user/" + std::to_string(id));
        return boost::json::parse(user.body()).at("lastName") == "Ng";
    }));
    // Ids stay unique: a group made on each node.
    std::set<std::uint64_t> groups;
    for (std::size_t i = 0; i < 3; ++i)
        groups.insert(c.api(i).create("/usergroup", R"({"name":"g)" + std::to_string(i) + R"("})"));
    BOOST_TEST(groups.size() == 3u);
    auto const health = boost::json::parse(c.api(2).call(verb::get, "/healthz", "").body());
    BOOST_TEST(health.at("status").as_string() == "ok");
    BOOST_TEST(health.at("store").as_string() == "postgresql");
    BOOST_TEST(c.api(2).call(verb::get, "/readyz", "").body() == R"({"status":"ready","store":"postgresql"})");
    // Each node says where the first superuser's token is.
    BOOST_TEST(c.nodes[0]->log().find("created superuser 1 with the token given by --bootstrap-token") !=
               std::string::npos);
    for (std::size_t i = 1; i < 3; ++i)
        BOOST_TEST(c.nodes[i]->log().find("superuser 1 was created before, by the first node") != std::string::npos);
    c.check_converged();
}

// A client retrying on another node (behind a load balancer) with its
// Idempotency-Key: the key is in the shared log with the change, so the
// change is made once whichever node answers, even when all three nodes
// get the same keyed request at once.
BOOST_AUTO_TEST_CASE(an_idempotency_key_holds_across_nodes)
{
    cluster c;
    auto keyed = [&](std::size_t node, std::string const& key) {
        auto req = client::make_request(verb::post, "/user", std::string(R"({"firstName":"once"})"), root_token);
        req.insert("Idempotency-Key", key);
        return client(c.port(node)).send(req);
    };
    auto const first = keyed(0, "\"retry-elsewhere\"");
    BOOST_TEST_REQUIRE(first.result_int() == 201u, first.body());
    for (std::size_t i : {1, 2, 0}) {
        auto const again = keyed(i, "\"retry-elsewhere\"");
        BOOST_TEST(again.result_int() == 201u, again.body());
        BOOST_TEST(again.body() == first.body(), "node " << i);
    }
    for (int round = 0; round < 5; ++round) {
        auto const key = "\"at-once-" + std::to_string(round) + "\"";
        std::vector<http_reply> answers(3);
        std::vector<std::thread> threads;
        for (std::size_t i = 0; i < 3; ++i)
            threads.emplace_back([&, i] { answers[i] = keyed(i, key); });
        for (auto& t : threads)
            t.join();
        for (auto const& a : answers) {
            BOOST_TEST(a.result_int() == 201u, a.body());
            BOOST_TEST(a.body() == answers[0].body(), "round " << round);
        }
    }
    // The bootstrap superuser, the first user, and one user per round.
    std::size_t users = 0;
    BOOST_TEST(eventually([&] { return (users = json_array_size(c.port(2), "/user?limit=1000")) == 7u; }), users);
    c.check_converged();
}

BOOST_AUTO_TEST_CASE(concurrent_writers_on_three_nodes_lose_no_update)
{
    cluster c;
    auto const id = c.api(0).create("/user", R"({"firstName":"shared"})");
    BOOST_TEST_REQUIRE(eventually([&] {
        return status_of(c.port(1), verb::get, "/user/" + std::to_string(id)) == 200 &&
               status_of(c.port(2), verb::get, "/user/" + std::to_string(id)) == 200;
    }));
    // Each node's writer owns one field of the same user and sets it again
    // and again; another writer per node creates users. A lost update would
    // leave a field behind its writer's last value.
    char const* const fields[] = {"description", "remarks", "externalId"};
    auto value_of = [](int round) {
        std::string v = std::to_string(round);
        v.insert(v.begin(), 'v');
        return v;
    };
    constexpr int rounds = 60;
    std::vector<std::thread> threads;
    std::atomic<int> failures{0};
    std::vector<std::unique_ptr<writer>> creators;
    for (std::size_t n = 0; n < 3; ++n) {
        creators.push_back(std::make_unique<writer>(c.port(n)));
        threads.emplace_back([&, n] {
            client cl(c.port(n));
            for (int r = 1; r <= rounds; ++r) {
                boost::json::object body;
                body[fields[n]] = value_of(r);
                if (cl.request(verb::put, "/user/" + std::to_string(id), boost::json::serialize(body), root_token)
                        .result_int() != 200)
                    ++failures;
            }
        });
    }
    for (auto& t : threads)
        t.join();
    std::vector<std::uint64_t> created;
    for (auto& w : creators) {
        w->join();
        BOOST_TEST(w->other == 0u);
        BOOST_TEST(w->unavailable == 0u);
        created.insert(created.end(), w->acknowledged.begin(), w->acknowledged.end());
    }
    BOOST_TEST(failures == 0);
    BOOST_TEST(std::set<std::uint64_t>(created.begin(), created.end()).size() == created.size(), "ids repeated");
    c.check_converged();
    for (std::size_t n = 0; n < 3; ++n) {
        auto const user = boost::json::parse(c.api(n).call(verb::get, "/user/" + std::to_string(id)).body());
        for (auto const* f : fields)
            BOOST_TEST(user.at(f).as_string() == value_of(rounds), "node " << n << " " << f);
        all_present(c.port(n), created);
    }
}

BOOST_AUTO_TEST_CASE(a_token_revoked_on_one_node_is_refused_on_the_others)
{
    cluster c;
    auto a = c.api(0);
    auto const user = a.create("/user", R"({"firstName":"Tess"})");
    auto const token = a.new_token(user);
    auto const read_self = "/user/" + std::to_string(user);
    for (std::size_t i = 1; i < 3; ++i)
        BOOST_TEST(eventually([&] { return status_of(c.port(i), verb::get, read_self, token.secret) == 200; }));
    BOOST_TEST(a.call(verb::delete_, "/token/" + std::to_string(token.id)).result_int() == 200u);
    for (std::size_t i = 0; i < 3; ++i)
        BOOST_TEST(eventually([&] { return status_of(c.port(i), verb::get, read_self, token.secret) == 401; }, 1000ms),
                   "node " << i);
    // And a deleted user's other token.
    auto const second = a.new_token(user);
    BOOST_TEST(eventually([&] { return status_of(c.port(2), verb::get, read_self, second.secret) == 200; }));
    BOOST_TEST(c.api(1).call(verb::delete_, read_self).result_int() == 200u);
    for (std::size_t i = 0; i < 3; ++i)
        BOOST_TEST(eventually([&] { return status_of(c.port(i), verb::get, read_self, second.secret) == 401; },
                              1000ms));
    c.check_converged();
}

// lastUsed travels outside the log: a token used on one node shows the
// same last use on the others within --last-used-interval, and the store
// forgets the uses of tokens removed when it trims.
BOOST_AUTO_TEST_CASE(a_tokens_last_use_on_one_node_is_seen_on_the_others)
{
    cluster c({"--last-used-interval", "1", "--log-trim-interval", "1"});
    auto a = c.api(0);
    auto const user = a.create("/user", R"({"firstName":"Ursula"})");
    auto const token = a.new_token(user);
    auto const read_self = "/user/" + std::to_string(user);
    auto last_used = [&](std::size_t node) -> boost::json::value {
        auto const res = c.api(node).call(verb::get, read_self + "/token");
        if (res.result_int() != 200)
            return boost::json::value("answered " + std::to_string(res.result_int()));
        auto const tokens = boost::json::parse(res.body());
        for (auto const& t : tokens.as_array())
            if (t.at("id").to_number<std::uint64_t>() == token.id)
                return t.at("lastUsed");
        return "no such token";
    };
    BOOST_TEST_REQUIRE(eventually([&] { return status_of(c.port(1), verb::get, read_self, token.secret) == 200; }));
    auto const used = last_used(1);
    BOOST_TEST_REQUIRE(used.is_string());
    for (std::size_t node : {0, 2})
        BOOST_TEST(eventually([&] { return last_used(node) == used; }), "node " << node << ": "
                                                                            << boost::json::serialize(last_used(node)));
    BOOST_TEST(c.pg.psql("SELECT count(*) FROM roster_token_use WHERE token_id = " + std::to_string(token.id)) ==
               "1\n");
    BOOST_TEST(a.call(verb::delete_, "/token/" + std::to_string(token.id)).result_int() == 200u);
    BOOST_TEST(eventually([&] {
        return c.pg.psql("SELECT count(*) FROM roster_token_use WHERE token_id = " + std::to_string(token.id)) ==
               "0\n";
    }));
}

BOOST_AUTO_TEST_CASE(a_node_killed_mid_load_restarts_and_catches_up)
{
    cluster c;
    std::vector<std::uint64_t> acknowledged;
    {
        writer w0(c.port(0)), w1(c.port(1));
        std::optional<writer> w2(std::in_place, c.port(2));
        std::this_thread::sleep_for(700ms);
        c.nodes[2]->stop(SIGKILL);
        std::this_thread::sleep_for(500ms);
        c.start(2); // the same data directory, a new port
        w2.reset();
        writer w2b(c.port(2));
        std::this_thread::sleep_for(700ms);
        w0.join();
        w1.join();
        w2b.join();
        for (auto const* w : {&w0, &w1, &w2b}) {
            BOOST_TEST(w->unavailable == 0u);
            acknowledged.insert(acknowledged.end(), w->acknowledged.begin(), w->acknowledged.end());
        }
        BOOST_TEST(w0.acknowledged.size() > 10u);
        BOOST_TEST(w2b.acknowledged.size() > 10u);
    }
    c.check_converged();
    for (std::size_t i = 0; i < 3; ++i)
        all_present(c.port(i), acknowledged);
}

BOOST_AUTO_TEST_CASE(postgresql_stopped_mid_load_fails_closed_and_recovers)
{
    cluster c({"--commit-timeout", "1000", "--max-staleness", "3"});
    auto const id = c.api(0).create("/user", R"({"firstName":"before"})");
    std::vector<std::uint64_t> acknowledged{id};
    {
        writer w0(c.port(0)), w1(c.port(1)), w2(c.port(2));
        std::this_thread::sleep_for(500ms);
        c.pg.crash();
        std::this_thread::sleep_for(1500ms);
        // Reads and token checks go on from memory...
        for (std::size_t i = 0; i < 3; ++i)
            BOOST_TEST(status_of(c.port(i), verb::get, "/user/" + std::to_string(id)) == 200u);
        BOOST_TEST(boost::json::parse(c.api(1).call(verb::get, "/healthz", "").body()).at("status") == "degraded");
        // Alive, but no node to send writes to.
        BOOST_TEST(status_of(c.port(1), verb::get, "/readyz", "") == 503u);
        // ...until --max-staleness, then 503, and /healthz says so.
        BOOST_TEST(eventually([&] { return status_of(c.port(1), verb::get, "/user/" + std::to_string(id)) == 503; },
                              4000ms));
        BOOST_TEST(status_of(c.port(1), verb::get, "/healthz", "") == 503u);
        c.pg.start();
        // Generous: on a busy machine PostgreSQL's recovery takes a while.
        bool const back = eventually(
            [&] { return status_of(c.port(1), verb::get, "/user/" + std::to_string(id)) == 200; }, 15000ms);
        BOOST_TEST(back, "node 1 still refuses reads; its log:\n" << c.nodes[1]->log());
        std::this_thread::sleep_for(1500ms); // writes resume
        for (auto* w : {&w0, &w1, &w2}) {
            w->join();
            BOOST_TEST(w->unavailable > 0u);
            // Writes were refused within the commit timeout (and a settle).
            BOOST_TEST(w->slowest_503.count() < 2500);
            acknowledged.insert(acknowledged.end(), w->acknowledged.begin(), w->acknowledged.end());
        }
    }
    for (std::size_t i = 0; i < 3; ++i)
        BOOST_TEST(eventually([&] { return status_of(c.port(i), verb::post, "/user", root_token, "{}") == 201; }),
                   "writes resume on node " << i);
    c.check_converged();
    for (std::size_t i = 0; i < 3; ++i)
        all_present(c.port(i), acknowledged);
}

BOOST_AUTO_TEST_CASE(sessions_cut_mid_commit_lose_nothing_acknowledged)
{
    cluster c;
    std::vector<std::uint64_t> acknowledged;
    {
        writer w0(c.port(0)), w1(c.port(1)), w2(c.port(2));
        // Cut every rosterd session again and again: commits in flight end
        // with their outcome unknown to the node, which settles them.
        for (int i = 0; i < 15; ++i) {
            c.pg.psql("SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
                      "WHERE application_name = 'rosterd'");
            std::this_thread::sleep_for(100ms);
        }
        std::this_thread::sleep_for(1000ms);
        for (auto* w : {&w0, &w1, &w2}) {
            w->join();
            acknowledged.insert(acknowledged.end(), w->acknowledged.begin(), w->acknowledged.end());
        }
    }
    BOOST_TEST(acknowledged.size() > 30u);
    c.check_converged();
    for (std::size_t i = 0; i < 3; ++i)
        all_present(c.port(i), acknowledged);
    // The log and the records agree with the nodes: as many users as the API shows.
    auto const users = std::stoul(c.pg.psql("SELECT count(*) FROM roster_record WHERE kind = 2"));
    std::size_t shown = 0;
    for (std::size_t offset = 0;; offset += 1000) {
        auto const page = c.api(0).ids(verb::get, "/user?limit=1000&offset=" + std::to_string(offset)).size();
        shown += page;
        if (page < 1000)
            break;
    }
    BOOST_TEST(users == shown);
}

BOOST_AUTO_TEST_CASE(a_node_behind_a_trimmed_log_reloads_and_a_new_node_loads)
{
    cluster c({"--log-keep-changes", "0", "--log-keep-age", "0", "--log-trim-interval", "1"});
    auto a = c.api(0);
    for (int i = 0; i < 5; ++i)
        a.create("/user", R"({"firstName":"early"})");
    // Node 2 stops following; the others write on and trim the log past it.
    ::kill(c.nodes[2]->pid(), SIGSTOP);
    std::vector<std::uint64_t> later;
    for (int i = 0; i < 20; ++i)
        later.push_back(a.create("/user", R"({"firstName":"later"})"));
    auto const head = std::stoull(c.pg.psql("SELECT seq FROM roster_head"));
    BOOST_TEST_REQUIRE(eventually([&] { return std::stoull(c.pg.psql("SELECT min_seq FROM roster_head")) == head; },
                                  5000ms));
    ::kill(c.nodes[2]->pid(), SIGCONT);
    BOOST_TEST(eventually([&] { return c.nodes[2]->log().find("reloaded the directory") != std::string::npos; }));
    BOOST_TEST(c.nodes[2]->log().find("trimmed past this node") != std::string::npos);
    all_present(c.port(2), later);
    // A node started now loads what the trimmed log no longer holds.
    c.dirs.push_back(std::make_unique<temp_dir>());
    c.nodes.emplace_back();
    c.start(3);
    all_present(c.port(3), later);
    c.check_converged();
}

// A node at change 0 (a store that was imported and never written) that
// falls behind a trimmed log reloads too; it used to retry the gap for ever.
BOOST_AUTO_TEST_CASE(a_node_at_change_0_behind_a_trimmed_log_reloads)
{
    postgres_server pg;
    temp_dir dir;
    {
        server_process server({"--bootstrap-token", root_token}, dir.path() / "local");
        BOOST_TEST(server.stop() == 0);
    }
    auto const imported = run_to_exit({"import", "--store", pg.uri(), "--data-dir", (dir.path() / "local").string()});
    BOOST_TEST_REQUIRE(imported.exit_code == 0, imported.output);
    std::vector<std::string> const trim_all{"--log-keep-changes", "0", "--log-keep-age", "0", "--log-trim-interval", "1"};
    server_process idle({"--store", pg.uri(), "--bootstrap-token", root_token}, dir.path() / "idle");
    BOOST_TEST_REQUIRE(pg.psql("SELECT seq FROM roster_head").substr(0, 1) == "0");
    ::kill(idle.pid(), SIGSTOP);
    std::vector<std::string> args{"--store", pg.uri(), "--bootstrap-token", root_token};
    args.insert(args.end(), trim_all.begin(), trim_all.end());
    server_process writer(args, dir.path() / "writer");
    api_client a(writer.port(), root_token);
    std::vector<std::uint64_t> later;
    for (int i = 0; i < 5; ++i)
        later.push_back(a.create("/user", R"({"firstName":"later"})"));
    auto const head = std::stoull(pg.psql("SELECT seq FROM roster_head"));
    BOOST_TEST_REQUIRE(eventually([&] { return std::stoull(pg.psql("SELECT min_seq FROM roster_head")) == head; },
                                  5000ms));
    ::kill(idle.pid(), SIGCONT);
    BOOST_TEST(eventually([&] { return idle.log().find("reloaded the directory") != std::string::npos; }));
    all_present(idle.port(), later);
}

BOOST_AUTO_TEST_CASE(nodes_reload_when_the_store_goes_back_in_time)
{
    cluster c;
    auto a = c.api(0);
    auto const kept = a.create("/user", R"({"firstName":"kept"})");
    // A backup of the store, as pg_dump would take it...
    c.pg.psql("CREATE TABLE saved_head AS SELECT * FROM roster_head; "
              "CREATE TABLE saved_change AS SELECT * FROM roster_change; "
              "CREATE TABLE saved_record AS SELECT * FROM roster_record");
    std::vector<std::uint64_t> lost;
    for (int i = 0; i < 3; ++i)
        lost.push_back(a.create("/user", R"({"firstName":"lost"})"));
    for (std::size_t i = 0; i < 3; ++i)
        all_present(c.port(i), lost);
    // ...restored under the running nodes: the log now ends before them.
    c.pg.psql("BEGIN; DELETE FROM roster_head; INSERT INTO roster_head SELECT * FROM saved_head; "
              "DELETE FROM roster_change; INSERT INTO roster_change SELECT * FROM saved_change; "
              "DELETE FROM roster_record; INSERT INTO roster_record SELECT * FROM saved_record; COMMIT");
    for (std::size_t i = 0; i < 3; ++i) {
        BOOST_TEST(eventually([&] {
            return status_of(c.port(i), verb::get, "/user/" + std::to_string(lost.back())) == 404;
        }), "node " << i);
        BOOST_TEST(c.nodes[i]->log().find("reloading the directory") != std::string::npos);
        BOOST_TEST(status_of(c.port(i), verb::get, "/user/" + std::to_string(kept)) == 200u);
    }
    // Writing goes on from the restored state.
    a.create("/user", R"({"firstName":"after"})");
    c.check_converged();
}

BOOST_AUTO_TEST_CASE(import_and_export_move_a_directory_in_and_out)
{
    postgres_server pg;
    temp_dir dir;
    auto const local = dir.path() / "local";
    std::string before;
    {
        server_process server({"--bootstrap-token", root_token}, local);
        api_client api(server.port(), root_token);
        auto const g = api.create("/usergroup", R"({"name":"staff"})");
        for (int i = 0; i < 5; ++i)
            api.create("/user", R"({"firstName":"u)" + std::to_string(i) + R"("})",
                       "?userGroupId=" + std::to_string(g));
        api.new_token(2, R"({"description":"laptop"})");
        before = view_of(server.port());
        BOOST_TEST(server.stop() == 0);
    }
    auto const imported = run_to_exit({"import", "--store", pg.uri(), "--data-dir", local.string()});
    BOOST_TEST_REQUIRE(imported.exit_code == 0, imported.output);
    // Only into an empty store.
    auto const again = run_to_exit({"import", "--store", pg.uri(), "--data-dir", local.string()});
    BOOST_TEST(again.exit_code != 0);
    BOOST_TEST(again.output.find("empty store") != std::string::npos, again.output);
    auto const exported = dir.path() / "exported";
    {
        server_process node({"--store", pg.uri(), "--bootstrap-token", root_token}, dir.path() / "node");
        BOOST_TEST(view_of(node.port()) == before);
        auto const id = api_client(node.port(), root_token).create("/user", R"({"firstName":"in the cluster"})");
        BOOST_TEST(id == 7u); // ids go on from the imported directory's
        before = view_of(node.port());
        auto const out = run_to_exit({"export", "--store", pg.uri(), "--data-dir", exported.string()});
        BOOST_TEST_REQUIRE(out.exit_code == 0, out.output);
    }
    server_process back({"--bootstrap-token", root_token}, exported);
    BOOST_TEST(view_of(back.port()) == before);
    BOOST_TEST(api_client(back.port(), root_token).create("/user", "{}") == 8u);
}
