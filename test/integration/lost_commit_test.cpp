// A node on a real PostgreSQL through a TCP proxy that loses what a commit
// sends or answers, as a network does: the node's answer must never
// contradict what the log holds. A write answered 201 is in the log once;
// a write answered 503 says its outcome is unknown unless nothing was
// changed, and then nothing was.
#define BOOST_TEST_MODULE lost_commit
#include <boost/test/unit_test.hpp>

#include "../support/api_client.hpp"
#include "../support/postgres.hpp"

#include <boost/json.hpp>

#include <atomic>
#include <cstdlib>
#include <chrono>
#include <memory>
#include <mutex>
#include <thread>

using namespace rosterd::test;
using namespace std::chrono_literals;
using verb = bhttp::verb;

namespace {

std::string const root_token = "5f0e2c9d71a34b68e3d2a1c7b9f4e608";

// Forwards connections to PostgreSQL, and loses one commit when told to:
// the bytes that carry `marker` (a call of rosterd_append) are passed on and
// the answer dropped, or the bytes themselves dropped; either way both sides
// are closed. It can also refuse new connections for a while.
class faulty_proxy {
public:
    enum class fault { none, lose_answer, lose_request };

    explicit faulty_proxy(unsigned short upstream)
        : upstream_(upstream), acceptor_(ioc_, tcp::endpoint(boost::asio::ip::make_address("127.0.0.1"), 0))
    {
        thread_ = std::thread([this] { accept_loop(); });
    }
    ~faulty_proxy()
    {
        stopping_ = true;
        {
            // A blocking accept is woken by a connection, not by a close.
            boost::system::error_code ec;
            tcp::socket wake(ioc_);
            wake.connect(acceptor_.local_endpoint(), ec);
        }
        thread_.join();
        std::lock_guard lock(mutex_);
        for (auto& p : pipes_) {
            p->close();
            for (auto& t : p->threads)
                t.join();
        }
    }

    unsigned short port() const { return acceptor_.local_endpoint().port(); }

    // The next commit (bytes holding `marker`) meets `f`; then new
    // connections are refused for `refuse`.
    void arm(fault f, std::chrono::milliseconds refuse)
    {
        std::lock_guard lock(mutex_);
        armed_ = f;
        refuse_after_ = refuse;
        fired_ = false;
    }
    bool fired() const { return fired_; }

private:
    struct pipe {
        tcp::socket client, server;
        std::atomic<bool> drop_answers{false};
        std::vector<std::thread> threads;
        std::mutex close_mutex;
        pipe(tcp::socket c, tcp::socket s) : client(std::move(c)), server(std::move(s)) {}
        void close()
        {
            std::lock_guard lock(close_mutex);
            boost::system::error_code ec;
            client.shutdown(tcp::socket::shutdown_both, ec);
            server.shutdown(tcp::socket::shutdown_both, ec);
        }
    };

    void accept_loop()
    {
        while (!stopping_) {
            boost::system::error_code ec;
            tcp::socket client(ioc_);
            acceptor_.accept(client, ec);
            if (ec || stopping_)
                return;
            if (std::chrono::steady_clock::now() < refuse_until_.load()) {
                client.close(ec);
                continue;
            }
            tcp::socket server(ioc_);
            server.connect(tcp::endpoint(boost::asio::ip::make_address("127.0.0.1"), upstream_), ec);
            if (ec)
                continue;
            auto p = std::make_shared<pipe>(std::move(client), std::move(server));
            p->threads.emplace_back([this, p] { requests(*p); });
            p->threads.emplace_back([p] { answers(*p); });
            std::lock_guard lock(mutex_);
            pipes_.push_back(p);
        }
    }

    void requests(pipe& p)
    {
        std::array<char, 65536> buf;
        for (;;) {
            boost::system::error_code ec;
            auto const n = p.client.read_some(boost::asio::buffer(buf), ec);
            if (ec)
                break;
            fault f = fault::none;
            if (std::string_view(buf.data(), n).find("rosterd_append") != std::string_view::npos) {
                std::lock_guard lock(mutex_);
                f = armed_;
                armed_ = fault::none;
            }
            if (f != fault::none)
                fire();
            if (f == fault::lose_request)
                break;
            if (f == fault::lose_answer)
                p.drop_answers = true;
            boost::asio::write(p.server, boost::asio::buffer(buf.data(), n), ec);
            if (ec)
                break;
        }
        p.close();
    }

    static void answers(pipe& p)
    {
        std::array<char, 65536> buf;
        for (;;) {
            boost::system::error_code ec;
            auto const n = p.server.read_some(boost::asio::buffer(buf), ec);
            if (ec || p.drop_answers)
                break; // the answer to the commit never arrives
            boost::asio::write(p.client, boost::asio::buffer(buf.data(), n), ec);
            if (ec)
                break;
        }
        p.close();
    }

    void fire()
    {
        refuse_until_ = std::chrono::steady_clock::now() + refuse_after_;
        fired_ = true;
    }

    unsigned short upstream_;
    boost::asio::io_context ioc_;
    tcp::acceptor acceptor_;
    std::thread thread_;
    std::mutex mutex_;
    std::vector<std::shared_ptr<pipe>> pipes_;
    fault armed_ = fault::none;
    std::chrono::milliseconds refuse_after_{0};
    std::atomic<std::chrono::steady_clock::time_point> refuse_until_{};
    std::atomic<bool> fired_{false};
    std::atomic<bool> stopping_{false};
};

// The users a node shows, once it has caught up with the log.
std::size_t user_count(unsigned short port)
{
    client c(port);
    auto const res = c.request(verb::get, "/user?limit=1000", {}, root_token);
    if (res.result_int() != 200)
        return 0;
    return boost::json::parse(res.body()).as_array().size();
}

struct node_behind_proxy {
    postgres_server pg;
    faulty_proxy proxy{pg.port()};
    temp_dir dir;
    std::string uri = [this] {
        auto u = pg.uri();
        auto const port = std::to_string(pg.port());
        return u.replace(u.find(":" + port + "/"), port.size() + 1, ":" + std::to_string(proxy.port()));
    }();
    // A second node straight on PostgreSQL: what the log holds.
    temp_dir other_dir;
    server_process node{{"--store", uri, "--bootstrap-token", root_token, "--commit-timeout", "2000"},
                        dir.path() / "data"};
    server_process witness{{"--store", pg.uri(), "--bootstrap-token", root_token}, other_dir.path() / "data"};

    // POST /user through `port` (the node's by default), with an
    // Idempotency-Key when one is given: its status, and the body (a 503's
    // detail).
    std::pair<unsigned, std::string> create(std::string const& key = {}, unsigned short port = 0)
    {
        auto req = client::make_request(verb::post, "/user", std::string(R"({"firstName":"Once"})"), root_token);
        if (!key.empty())
            req.insert("Idempotency-Key", key);
        auto const res = client(port ? port : node.port()).send(req);
        if (res.result_int() == 503)
            return {503, std::string(boost::json::parse(res.body()).at("detail").as_string())};
        return {res.result_int(), res.body()};
    }

    // Waits until the witness shows `n` users, or a few seconds.
    bool log_holds(std::size_t n)
    {
        for (int i = 0; i < 500; ++i) {
            if (user_count(witness.port()) == n)
                return true;
            std::this_thread::sleep_for(20ms);
        }
        return false;
    }
};

} // namespace

BOOST_FIXTURE_TEST_SUITE(lost_commit, node_behind_proxy)

BOOST_AUTO_TEST_CASE(a_lost_answer_is_settled_from_the_log)
{
    // The commit reaches PostgreSQL, its answer is lost; the node
    // reconnects and finds the batch: 201, and one user more, not two.
    auto const before = user_count(witness.port());
    proxy.arm(faulty_proxy::fault::lose_answer, 0ms);
    auto const [status, detail] = create();
    BOOST_TEST(proxy.fired());
    BOOST_TEST(status == 201u, detail);
    BOOST_TEST(log_holds(before + 1));
}

BOOST_AUTO_TEST_CASE(a_lost_answer_and_a_second_of_refused_reconnects_still_settle)
{
    // Reconnects refused for 1 s, within the 2 s commit timeout: the node
    // tries again until it learns the outcome.
    auto const before = user_count(witness.port());
    proxy.arm(faulty_proxy::fault::lose_answer, 1000ms);
    auto const [status, detail] = create();
    BOOST_TEST(proxy.fired());
    BOOST_TEST(status == 201u, detail);
    BOOST_TEST(log_holds(before + 1));
}

BOOST_AUTO_TEST_CASE(an_answer_lost_for_longer_than_the_timeout_says_the_outcome_is_unknown)
{
    // Reconnects refused for 5 s: the node cannot learn the outcome. Its
    // 503 must not say that nothing was changed: the change is in the log.
    auto const before = user_count(witness.port());
    proxy.arm(faulty_proxy::fault::lose_answer, 5000ms);
    auto const [status, detail] = create();
    BOOST_TEST(proxy.fired());
    BOOST_TEST(status == 503u);
    BOOST_TEST(detail.find("may or may not") != std::string::npos, detail);
    BOOST_TEST(detail.find("nothing was changed") == std::string::npos, detail);
    BOOST_TEST(log_holds(before + 1));
}

BOOST_AUTO_TEST_CASE(a_lost_request_is_never_answered_as_made)
{
    // The commit never reaches PostgreSQL and reconnects are refused for
    // 5 s: nothing is in the log, and the answer does not say otherwise.
    auto const before = user_count(witness.port());
    proxy.arm(faulty_proxy::fault::lose_request, 5000ms);
    auto const [status, detail] = create();
    BOOST_TEST(proxy.fired());
    BOOST_TEST(status == 503u);
    BOOST_TEST(detail.find("may or may not") != std::string::npos, detail);
    std::this_thread::sleep_for(200ms);
    BOOST_TEST(user_count(witness.port()) == before);
}

// A client that retries with its Idempotency-Key until it gets an answer,
// half of the time through the other node (as behind a load balancer), for
// each fault: the user is made once, and no answer contradicts the log.
// ROSTERD_FAULT_ROUNDS sets the rounds per fault (scripts/fault-retries).
BOOST_AUTO_TEST_CASE(retries_with_a_key_make_one_user_whatever_is_lost)
{
    int const rounds = std::getenv("ROSTERD_FAULT_ROUNDS") ? std::atoi(std::getenv("ROSTERD_FAULT_ROUNDS")) : 1;
    struct variant {
        faulty_proxy::fault fault;
        std::chrono::milliseconds refuse;
        char const* name;
    };
    variant const variants[] = {
        {faulty_proxy::fault::lose_answer, 0ms, "answer lost"},
        {faulty_proxy::fault::lose_answer, 1000ms, "answer lost, reconnects refused 1 s"},
        {faulty_proxy::fault::lose_answer, 5000ms, "answer lost, reconnects refused 5 s"},
        {faulty_proxy::fault::lose_request, 0ms, "request lost"},
        {faulty_proxy::fault::lose_request, 1000ms, "request lost, reconnects refused 1 s"},
        {faulty_proxy::fault::lose_request, 5000ms, "request lost, reconnects refused 5 s"},
    };
    std::size_t attempts = 0, duplicates = 0, contradictions = 0, unsettled = 0;
    for (auto const& v : variants) {
        std::size_t first_201 = 0, first_unknown = 0, first_not_made = 0;
        for (int round = 0; round < rounds; ++round) {
            std::string key = "fault-"; // bare: the quotes are optional
            key.append(std::to_string(&v - variants)).append("-").append(std::to_string(round));
            auto const before = user_count(witness.port());
            auto const armed_at = std::chrono::steady_clock::now();
            proxy.arm(v.fault, v.refuse);
            // The next round starts once the node may connect again (its
            // writer waits a second after a failed connection).
            struct wait_out {
                std::chrono::steady_clock::time_point until;
                ~wait_out() { std::this_thread::sleep_until(until); }
            } const next_round{armed_at + v.refuse + 1200ms};
            auto const [status, body] = create(key);
            ++attempts;
            BOOST_TEST(proxy.fired());
            bool const not_made = status == 503 && body.find("nothing was changed") != std::string::npos;
            BOOST_TEST((status == 201 || status == 503), body);
            (status == 201 ? first_201 : not_made ? first_not_made : first_unknown) += 1;
            // What the first answer says must be what the log holds.
            if (status == 201 && !log_holds(before + 1))
                ++contradictions;
            if (not_made && user_count(witness.port()) != before)
                ++contradictions;
            // Retry with the key until an answer comes (well past the 5 s).
            std::pair<unsigned, std::string> last{status, body};
            for (int retry = 0; last.first == 503 && retry < 100; ++retry) {
                std::this_thread::sleep_for(100ms);
                last = create(key, retry % 2 ? witness.port() : node.port());
                ++attempts;
            }
            if (last.first != 201) {
                ++unsettled;
                continue;
            }
            if (status == 201 && last.second != body)
                ++contradictions;
            if (!log_holds(before + 1))
                ++duplicates;
        }
        BOOST_TEST_MESSAGE(v.name << ": first answers 201 " << first_201 << ", 503 unknown " << first_unknown
                                  << ", 503 nothing changed " << first_not_made);
    }
    BOOST_TEST_MESSAGE(rounds * std::size(variants) << " rounds, " << attempts << " requests: " << duplicates
                                                    << " duplicates, " << contradictions << " contradictions, "
                                                    << unsettled << " unsettled");
    BOOST_TEST(duplicates == 0u);
    BOOST_TEST(contradictions == 0u);
    BOOST_TEST(unsettled == 0u);
}

BOOST_AUTO_TEST_SUITE_END()
