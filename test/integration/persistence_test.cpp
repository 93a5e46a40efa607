// Persistence on the real binary: what a restart keeps, after a clean stop
// and after kill -9; the data directory's lock; damage stops the start; and
// the crash test - concurrent writers, kill -9 mid-load, every acknowledged
// write still there.
#define BOOST_TEST_MODULE integration_persistence
#include <boost/test/unit_test.hpp>

#include "../support/faulty_io.hpp"
#include "../support/journal_end.hpp"
#include "../support/server_process.hpp"

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include <atomic>
#include <cstdlib>
#include <thread>

using namespace rosterd::test;
using bhttp::verb;
namespace json = boost::json;

namespace {

std::string const root = "1fe8fe3939f71748b0071871bad4529d";

std::string body_of(client& c, verb method, std::string const& target, std::optional<std::string> body = {},
                    std::string const& token = root, unsigned expect = 0)
{
    auto const res = c.request(method, target, std::move(body), token);
    if (expect)
        BOOST_TEST(res.result_int() == expect, method << " " << target << ": " << res.body());
    return res.body();
}

struct state_before {
    std::string kept_token, revoked_token;
    std::uint64_t admin = 0, deleted = 0, group = 0;
};

// Users, a group with an admin, a token kept and one revoked, a deletion.
state_before make_state(client& c)
{
    state_before s;
    s.group = std::stoull(body_of(c, verb::post, "/usergroup", R"({"name":"kept","clientId":4})", root, 201));
    s.admin = std::stoull(body_of(c, verb::post, "/user?userGroupId=" + std::to_string(s.group) + "&groupAdmin=true",
                                  R"({"firstName":"Ann","phoneNumber":"+31850607337","autoRemoveAfter":"YEAR"})", root, 201));
    s.deleted = std::stoull(body_of(c, verb::post, "/user", R"({"firstName":"Gone"})", root, 201));
    auto const kept = json::parse(body_of(c, verb::post, "/user/" + std::to_string(s.admin) + "/token", "{}", root, 201));
    auto const revoked = json::parse(body_of(c, verb::post, "/user/" + std::to_string(s.admin) + "/token", "{}", root, 201));
    s.kept_token = std::string(kept.at("token").as_string());
    s.revoked_token = std::string(revoked.at("token").as_string());
    body_of(c, verb::delete_, "/token/" + std::to_string(revoked.at("id").as_int64()), {}, root, 200);
    body_of(c, verb::delete_, "/user/" + std::to_string(s.deleted), {}, root, 200);
    body_of(c, verb::put, "/user/" + std::to_string(s.admin), R"({"lastName":"Lee"})", s.kept_token, 200);
    return s;
}

void check_state(client& c, state_before const& s)
{
    auto const admin = json::parse(body_of(c, verb::get, "/user/" + std::to_string(s.admin), {}, root, 200));
    BOOST_TEST(admin.at("firstName").as_string() == "Ann");
    BOOST_TEST(admin.at("lastName").as_string() == "Lee");
    BOOST_TEST(admin.at("phoneNumber").as_string() == "+31850607337");
    BOOST_TEST(admin.at("removeAt").is_string());
    BOOST_TEST(json::serialize(admin.at("userGroups")) == R"([{"id":)" + std::to_string(s.group) + R"(,"admin":true}])");
    auto const group = json::parse(body_of(c, verb::get, "/usergroup/" + std::to_string(s.group), {}, root, 200));
    BOOST_TEST(group.at("clientId").as_int64() == 4);
    BOOST_TEST(c.request(verb::get, "/user/1", {}, s.kept_token).result_int() == 403u); // works, but not for user 1
    BOOST_TEST(c.request(verb::get, "/user/" + std::to_string(s.admin), {}, s.kept_token).result_int() == 200u);
    BOOST_TEST(c.request(verb::get, "/user/1", {}, s.revoked_token).result_int() == 401u);
    BOOST_TEST(c.request(verb::get, "/user/" + std::to_string(s.deleted), {}, root).result_int() == 404u);
    // Sequences: a new user, group and token never reuse an id.
    auto const next_user = std::stoull(body_of(c, verb::post, "/user", "{}", root, 201));
    BOOST_TEST(next_user == s.deleted + 1);
}

} // namespace

BOOST_AUTO_TEST_CASE(a_restart_keeps_everything)
{
    for (int signal : {SIGTERM, SIGKILL}) {
        BOOST_TEST_CONTEXT("stopped by signal " << signal) {
            temp_dir data;
            state_before s;
            {
                server_process server({"--bootstrap-token", root}, data.path());
                client c(server.port());
                s = make_state(c);
                BOOST_TEST(server.stop(signal) == (signal == SIGTERM ? 0 : 128 + SIGKILL));
            }
            server_process server({"--bootstrap-token", "4c5db8fdeafe205096663b2af425a7c0"}, data.path());
            // Ignored, but not in silence.
            BOOST_TEST(server.log().find("--bootstrap-token is ignored") != std::string::npos, server.log());
            client c(server.port());
            check_state(c, s);
            BOOST_TEST(c.request(verb::get, "/user/1", {}, "4c5db8fdeafe205096663b2af425a7c0").result_int() == 401u);
        }
    }
}

BOOST_AUTO_TEST_CASE(a_second_server_on_the_same_directory_refuses_to_start)
{
    temp_dir data;
    server_process first({}, data.path());
    auto const second = run_to_exit({"--listen", "127.0.0.1:0", "--data-dir", data.path().string()});
    BOOST_TEST(second.exit_code != 0);
    BOOST_TEST(second.output.find("another rosterd is running") != std::string::npos);
    client c(first.port());
    BOOST_TEST(c.request(verb::get, "/healthz").result_int() == 200u);
}

BOOST_AUTO_TEST_CASE(a_damaged_journal_stops_the_start_naming_file_and_offset)
{
    temp_dir data;
    {
        server_process server({"--bootstrap-token", root}, data.path());
        client c(server.port());
        for (int i = 0; i < 3; ++i)
            body_of(c, verb::post, "/user", "{}", root, 201);
        server.stop(SIGKILL);
    }
    auto bytes = read_file(data.path() / "journal");
    BOOST_TEST_REQUIRE(bytes.size() > 100u);
    bytes[20] = static_cast<char>(bytes[20] ^ 0x01); // inside the first record
    {
        std::ofstream out(data.path() / "journal", std::ios::binary | std::ios::trunc);
        out << bytes;
    }
    auto const r = run_to_exit({"--listen", "127.0.0.1:0", "--data-dir", data.path().string()});
    BOOST_TEST(r.exit_code == 2);
    BOOST_TEST(r.output.find((data.path() / "journal").string() + ":0:") != std::string::npos, r.output);
    // With the command that keeps what precedes the damage.
    BOOST_TEST(r.output.find("truncate -s 0 '" + (data.path() / "journal").string() + "'") != std::string::npos,
               r.output);
}

BOOST_AUTO_TEST_CASE(a_torn_last_record_is_cut_with_a_warning)
{
    temp_dir data;
    {
        server_process server({"--bootstrap-token", root}, data.path());
        client c(server.port());
        body_of(c, verb::post, "/user", R"({"firstName":"kept"})", root, 201);
        body_of(c, verb::post, "/user", R"({"firstName":"torn"})", root, 201);
        server.stop(SIGKILL);
    }
    auto const size = journal_end(data.path() / "journal");
    std::filesystem::resize_file(data.path() / "journal", size - 5);
    server_process server({}, data.path());
    BOOST_TEST(server.log().find("torn tail cut off, ") != std::string::npos, server.log());
    client c(server.port());
    BOOST_TEST(c.request(verb::get, "/user/2", {}, root).result_int() == 200u);
    BOOST_TEST(c.request(verb::get, "/user/3", {}, root).result_int() == 404u);
}

// The last record's header reached the disk and its payload's page did
// not: it reads as zeros. A torn tail, not damage that stops the start.
BOOST_AUTO_TEST_CASE(a_last_record_whose_payload_reads_as_zeros_is_cut_and_the_server_starts)
{
    temp_dir data;
    std::uintmax_t before_last = 0;
    {
        server_process server({"--bootstrap-token", root}, data.path());
        client c(server.port());
        body_of(c, verb::post, "/user", R"({"firstName":"kept"})", root, 201);
        before_last = journal_end(data.path() / "journal");
        body_of(c, verb::post, "/user", R"({"firstName":"torn"})", root, 201);
        server.stop(SIGKILL);
    }
    auto bytes = read_file(data.path() / "journal");
    // Everything of the last request after its first record's 13-byte
    // header reads as zeros.
    BOOST_TEST_REQUIRE(bytes.size() > before_last + 13);
    std::fill(bytes.begin() + static_cast<std::ptrdiff_t>(before_last) + 13, bytes.end(), '\0');
    {
        std::ofstream out(data.path() / "journal", std::ios::binary | std::ios::trunc);
        out << bytes;
    }
    server_process server({}, data.path());
    BOOST_TEST(server.log().find("torn tail cut off, ") != std::string::npos, server.log());
    client c(server.port());
    BOOST_TEST(c.request(verb::get, "/user/2", {}, root).result_int() == 200u);
    BOOST_TEST(c.request(verb::get, "/user/3", {}, root).result_int() == 404u);
    BOOST_TEST(std::filesystem::file_size(data.path() / "journal") == before_last);
}

// kill -9 under concurrent writers, then restart: each writer's last
// acknowledged value (or a later one, whose answer the kill cut off) is there.
// CRASH_TEST_ROUNDS sets the number of rounds (scripts/crash-test).
BOOST_AUTO_TEST_CASE(acknowledged_writes_survive_kill_9_under_load)
{
    char const* env = std::getenv("CRASH_TEST_ROUNDS");
    int const rounds = env ? std::atoi(env) : 3;
    constexpr int writers = 8;
    for (int round = 0; round < rounds; ++round) {
        BOOST_TEST_CONTEXT("round " << round) {
            temp_dir data;
            std::vector<std::uint64_t> users;
            std::vector<std::atomic<long>> acked(writers);
            {
                server_process server({"--bootstrap-token", root}, data.path());
                {
                    client c(server.port());
                    for (int w = 0; w < writers; ++w)
                        users.push_back(std::stoull(body_of(c, verb::post, "/user", "{}", root, 201)));
                }
                std::atomic<bool> stop{false};
                std::vector<std::thread> threads;
                for (int w = 0; w < writers; ++w) {
                    threads.emplace_back([&, w] {
                        try {
                            client c(server.port());
                            for (long n = 1; !stop; ++n) {
                                auto const res = c.request(verb::put, "/user/" + std::to_string(users[w]),
                                                           R"({"description":")" + std::to_string(n) + R"("})", root);
                                if (res.result_int() != 200)
                                    return;
                                acked[w] = n;
                            }
                        } catch (...) {
                            // The connection died with the server: expected.
                        }
                    });
                }
                std::this_thread::sleep_for(std::chrono::milliseconds(300 + 100 * (round % 3)));
                server.stop(SIGKILL);
                stop = true;
                for (auto& t : threads)
                    t.join();
            }
            server_process server({}, data.path());
            client c(server.port());
            long total = 0;
            for (int w = 0; w < writers; ++w) {
                auto const u = json::parse(body_of(c, verb::get, "/user/" + std::to_string(users[w]), {}, root, 200));
                long const stored = u.at("description").is_null() ? 0 : std::stol(std::string(u.at("description").as_string()));
                BOOST_TEST(stored >= acked[w].load(), "writer " << w << ": stored " << stored << " < acknowledged " << acked[w]);
                BOOST_TEST(stored <= acked[w].load() + 1);
                total += acked[w];
            }
            BOOST_TEST(total > 0);
            BOOST_TEST_MESSAGE("round " << round << ": " << total << " acknowledged writes checked");
        }
    }
}
