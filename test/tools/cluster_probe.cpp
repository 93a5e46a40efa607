// Measures, on running rosterd nodes that share a PostgreSQL store, how soon
// a change made on the first node is seen on the others, for
// scripts/bench-cluster:
//   cluster_probe TOKEN ROUNDS PORT PORT...
// visibility: PUT a new description of user 1 on the first node, then GET
//   it on every other node until all show it.
// revocation: make a token on the first node and wait until every node
//   accepts it; DELETE it on the first node, then use it on every other
//   node until all answer 401.
// Each time runs from the first node's answer to the last node's; rounds
// are paced (5 ms apart, under 200 writes a second). Prints one line per
// measurement: name, rounds, p50, p99 and max in milliseconds. Ends by
// comparing every node's list of users with the first's: "divergence N"
// counts the nodes that differ.
#include "../support/server_process.hpp"

#include <boost/json.hpp>

#include <algorithm>
#include <cstdio>
#include <memory>

using namespace rosterd::test;
using verb = bhttp::verb;
using clock_type = std::chrono::steady_clock;

namespace {

std::string token;

void report(char const* name, std::vector<double> ms)
{
    std::sort(ms.begin(), ms.end());
    auto at = [&](double q) {
        return ms[std::min(ms.size() - 1, static_cast<std::size_t>(q * static_cast<double>(ms.size())))];
    };
    std::printf("%-11s rounds %zu p50_ms %.2f p99_ms %.2f max_ms %.2f\n", name, ms.size(), at(0.5), at(0.99),
                ms.back());
}

// Polls every one of `others` until `done` holds for its answer; when the
// last one did, in ms since `from`.
template <class Done>
double until_all(std::vector<std::unique_ptr<client>>& others, clock_type::time_point from, Done done)
{
    for (auto& c : others) {
        auto const give_up = clock_type::now() + std::chrono::seconds(10);
        while (!done(*c)) {
            if (clock_type::now() > give_up)
                throw std::runtime_error("a node never caught up");
        }
    }
    return std::chrono::duration<double, std::milli>(clock_type::now() - from).count();
}

std::string users_of(client& c)
{
    std::string all;
    for (std::size_t offset = 0;; offset += 1000) {
        auto const res = c.request(verb::get, "/user?limit=1000&offset=" + std::to_string(offset), {}, token);
        auto const page = boost::json::parse(res.body()).as_array();
        all += res.body();
        if (page.size() < 1000)
            return all;
    }
}

} // namespace

int main(int argc, char** argv)
{
    if (argc < 5) {
        std::fprintf(stderr, "usage: cluster_probe TOKEN ROUNDS PORT PORT...\n");
        return 2;
    }
    token = argv[1];
    int const rounds = std::atoi(argv[2]);
    auto first = std::make_unique<client>(static_cast<unsigned short>(std::atoi(argv[3])));
    std::vector<std::unique_ptr<client>> others;
    for (int i = 4; i < argc; ++i)
        others.push_back(std::make_unique<client>(static_cast<unsigned short>(std::atoi(argv[i]))));

    std::vector<double> visible, revoked;
    for (int r = 0; r < rounds; ++r) {
        auto const value = "probe-" + std::to_string(r);
        auto const res = first->request(verb::put, "/user/1", R"({"description":")" + value + R"("})", token);
        if (res.result_int() != 200)
            throw std::runtime_error("PUT answered " + std::to_string(res.result_int()));
        auto const acked = clock_type::now();
        visible.push_back(until_all(others, acked, [&](client& c) {
            auto const got = c.request(verb::get, "/user/1", {}, token);
            return got.result_int() == 200 && boost::json::parse(got.body()).at("description") == value.c_str();
        }));
        std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
    for (int r = 0; r < rounds; ++r) {
        auto const made = first->request(verb::post, "/user/1/token", "{}", token);
        if (made.result_int() != 201)
            throw std::runtime_error("POST token answered " + std::to_string(made.result_int()));
        auto const v = boost::json::parse(made.body());
        auto const id = v.at("id").to_number<std::uint64_t>();
        std::string const secret(v.at("token").as_string());
        until_all(others, clock_type::now(), [&](client& c) {
            return c.request(verb::get, "/user/1", {}, secret).result_int() == 200;
        });
        auto const gone = first->request(verb::delete_, "/token/" + std::to_string(id), {}, token);
        if (gone.result_int() != 200)
            throw std::runtime_error("DELETE token answered " + std::to_string(gone.result_int()));
        auto const acked = clock_type::now();
        revoked.push_back(until_all(others, acked, [&](client& c) {
            return c.request(verb::get, "/user/1", {}, secret).result_int() == 401;
        }));
        std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
    report("visible", visible);
    report("revoked", revoked);
    std::this_thread::sleep_for(std::chrono::milliseconds(500));
    auto const reference = users_of(*first);
    int differ = 0;
    for (auto& c : others)
        differ += users_of(*c) != reference;
    std::printf("divergence %d\n", differ);
    return differ == 0 ? 0 : 1;
}
