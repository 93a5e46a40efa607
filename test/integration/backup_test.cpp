// Online backup on the real binary: GET /backup while writes go on,
// `rosterd restore` into a fresh data directory, and a server on it that
// holds the directory as it was at one point in time, nothing half-applied.
#define BOOST_TEST_MODULE integration_backup
#include <boost/test/unit_test.hpp>

#include "../support/api_client.hpp"

#include <sys/stat.h>

#include <atomic>
#include <map>
#include <thread>

using namespace rosterd::test;
using bhttp::verb;
namespace json = boost::json;

namespace {

std::string const root_token = "7af2672f5fc5cbcb6498ae6d435b0d5c";

// GET /backup: the status and the file's bytes.
std::pair<unsigned, std::string> take_backup(unsigned short port, std::string const& token = root_token)
{
    client c(port);
    auto const res = c.request(verb::get, "/backup", {}, token);
    BOOST_TEST(hardening_header_problems(res) == "");
    return {res.result_int(), res.body()};
}

fs::path write_file(fs::path const& path, std::string const& bytes)
{
    std::ofstream(path, std::ios::binary) << bytes;
    return path;
}

std::map<std::string, std::string> files_in(fs::path const& dir)
{
    std::map<std::string, std::string> out;
    for (auto const& e : fs::directory_iterator(dir))
        if (e.is_regular_file())
            out[e.path().filename().string()] = read_file(e.path());
    return out;
}

} // namespace

BOOST_AUTO_TEST_CASE(a_backup_taken_under_write_load_restores_one_point_in_time)
{
    temp_dir restored;
    std::string backup;
    {
        server_process server({"--bootstrap-token", root_token});
        // The writer's step i: create group g<i>, create user u<i> in it,
        // delete group g<i-1> (which takes u<i-1> out of it). Each request is
        // one change; a state half-way through one would show.
        std::atomic<bool> stop{false};
        std::atomic<int> steps{0};
        std::thread writer([&] {
            api_client api(server.port(), root_token);
            std::uint64_t previous = 0;
            for (int i = 1; !stop; ++i) {
                auto const g = api.create("/usergroup", R"({"name":"g)" + std::to_string(i) + R"("})");
                api.create("/user", R"({"firstName":"u)" + std::to_string(i) + R"("})", "?userGroupId=" + std::to_string(g));
                if (previous)
                    BOOST_TEST(api.call(verb::delete_, "/usergroup/" + std::to_string(previous)).result_int() == 200u);
                previous = g;
                steps = i;
            }
        });
        while (steps < 30)
            std::this_thread::sleep_for(std::chrono::milliseconds(5));
        auto [status, bytes] = take_backup(server.port());
        auto const at_backup = steps.load();
        while (steps < at_backup + 30)
            std::this_thread::sleep_for(std::chrono::milliseconds(5));
        stop = true;
        writer.join();
        BOOST_TEST_REQUIRE(status == 200u);
        backup = std::move(bytes);
        BOOST_TEST_MESSAGE("backup of " << backup.size() << " bytes taken after step " << at_backup);
    }

    auto const file = write_file(restored.path() / "rosterd.backup", backup);
    auto const data = restored.path() / "data";
    auto const done = run_to_exit({"restore", "--data-dir", data.string(), file.string()});
    BOOST_TEST_REQUIRE(done.exit_code == 0, done.output);
    BOOST_TEST(done.output.find("restored") != std::string::npos, done.output);

    server_process server({}, data);
    api_client api(server.port(), root_token);
    std::map<int, std::vector<int>> groups_of_user; // u<i> -> the g<j> it is in
    std::map<std::uint64_t, int> group_number;      // group id -> j
    auto const groups = json::parse(api.call(verb::get, "/usergroup?limit=1000").body()).as_array();
    for (auto const& g : groups)
        group_number[g.at("id").to_number<std::uint64_t>()] = std::stoi(std::string(g.at("name").as_string()).substr(1));
    auto const users = json::parse(api.call(verb::get, "/user?limit=1000").body()).as_array();
    int newest = 0;
    for (auto const& u : users) {
        auto const name = std::string(u.at("firstName").as_string());
        if (name.empty())
            continue; // user 1
        int const i = std::stoi(name.substr(1));
        newest = std::max(newest, i);
        for (auto const& m : u.at("userGroups").as_array()) {
            auto const it = group_number.find(m.at("id").to_number<std::uint64_t>());
            BOOST_TEST_REQUIRE((it != group_number.end()), "u" << i << " is in a group that does not exist");
            groups_of_user[i].push_back(it->second);
        }
    }
    BOOST_TEST_REQUIRE(newest >= 30);
    BOOST_TEST(users.size() == static_cast<std::size_t>(newest) + 1); // u1..u<newest>, no gaps, and user 1
    // The states the writer passes through, after u<n> was created:
    //   {g<n-1>, g<n>}, u<n-1> in g<n-1>, u<n> in g<n>   (before the delete)
    //   {g<n>},         u<n> in g<n>                      (step n done)
    //   {g<n>, g<n+1>}, u<n> in g<n>                      (step n+1 begun)
    std::vector<int> group_list;
    for (auto const& [id, j] : group_number)
        group_list.push_back(j);
    BOOST_TEST((groups_of_user[newest] == std::vector<int>{newest}));
    bool const before_delete = group_list == std::vector<int>{newest - 1, newest};
    bool const step_done = group_list == std::vector<int>{newest};
    bool const next_begun = group_list == std::vector<int>{newest, newest + 1};
    BOOST_TEST((before_delete || step_done || next_begun), "groups at restore do not match one moment");
    for (int i = 1; i < newest; ++i) {
        auto const expected = before_delete && i == newest - 1 ? std::vector<int>{i} : std::vector<int>{};
        BOOST_TEST((groups_of_user[i] == expected), "u" << i);
    }
}

BOOST_AUTO_TEST_CASE(restore_refuses_a_damaged_backup_and_a_running_server)
{
    temp_dir work;
    std::string backup;
    {
        server_process server({"--bootstrap-token", root_token});
        api_client api(server.port(), root_token);
        api.create("/user", R"({"firstName":"Kept"})");
        auto [status, bytes] = take_backup(server.port());
        BOOST_TEST_REQUIRE(status == 200u);
        backup = std::move(bytes);
    }
    auto const data = work.path() / "data";
    {
        // A server running on the target directory: refused.
        server_process running({"--bootstrap-token", root_token}, data);
        auto const busy = run_to_exit({"restore", "--data-dir", data.string(),
                                       write_file(work.path() / "good", backup).string()});
        BOOST_TEST(busy.exit_code == 1);
        BOOST_TEST(busy.output.find("another rosterd is running") != std::string::npos, busy.output);
        BOOST_TEST(running.stop() == 0);
    }
    auto const before = files_in(data);
    for (std::size_t at : {std::size_t(0), backup.size() / 2, backup.size() - 1}) {
        auto damaged = backup;
        damaged[at] = static_cast<char>(damaged[at] ^ 0x20);
        auto const r = run_to_exit({"restore", "--data-dir", data.string(),
                                    write_file(work.path() / "damaged", damaged).string()});
        BOOST_TEST(r.exit_code == 2, r.output);
        BOOST_TEST(r.output.find("nothing was changed") != std::string::npos, r.output);
        BOOST_TEST((files_in(data) == before));
    }
    auto const cut = run_to_exit({"restore", "--data-dir", data.string(),
                                  write_file(work.path() / "cut", backup.substr(0, backup.size() / 3)).string()});
    BOOST_TEST(cut.exit_code == 2);
    BOOST_TEST((files_in(data) == before));

    // What is not a regular file is refused at once: /dev/zero would be
    // read until memory ran out.
    ::mkfifo((work.path() / "fifo").c_str(), 0600);
    for (std::string const& odd : {std::string("/dev/zero"), work.path().string(), (work.path() / "fifo").string()}) {
        auto const r = run_to_exit({"restore", "--data-dir", data.string(), odd});
        BOOST_TEST(r.exit_code == 2, odd << ": " << r.output);
        BOOST_TEST(r.output.find("nothing was changed") != std::string::npos, r.output);
        BOOST_TEST((files_in(data) == before));
    }

    auto const good = run_to_exit({"restore", "--data-dir", data.string(), (work.path() / "good").string()});
    BOOST_TEST_REQUIRE(good.exit_code == 0, good.output);
    BOOST_TEST(fs::exists(data / "snapshot.before-restore"));
    server_process server({}, data);
    api_client api(server.port(), root_token);
    BOOST_TEST(api.call(verb::get, "/user/2").body().find(R"("firstName":"Kept")") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(only_a_superuser_takes_a_backup)
{
    {
        server_process server({"--bootstrap-token", root_token});
        api_client api(server.port(), root_token);
        auto const plain = api.token_for(api.create("/user", "{}"));
        BOOST_TEST(take_backup(server.port(), plain).first == 403u);
        BOOST_TEST(take_backup(server.port(), "").first == 401u);
    }
    server_process memory({"--bootstrap-token", root_token, "--durability", "memory"});
    BOOST_TEST(take_backup(memory.port()).first == 409u);
}
