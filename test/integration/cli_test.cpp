// `rosterd user|group|token|audit ...` as a person runs it: the real binary
// against a real server, with the token in a file. Tables, --json, the
// server's problem on stderr, and the exit status by outcome.
#define BOOST_TEST_MODULE integration_cli
#include <boost/test/unit_test.hpp>

#include "../support/server_process.hpp"

#include <boost/json/parse.hpp>

#include <fstream>

using namespace rosterd::test;
namespace json = boost::json;

namespace {

std::string const root_token = "51f0f2a0c5d04f6a9b8c7d6e5f4a3b2c";

struct cli_fixture {
    server_process server{{"--bootstrap-token", root_token}};
    temp_dir dir;
    fs::path token_file = dir.path() / "token";

    cli_fixture() { std::ofstream(token_file) << root_token << "\n"; }

    run_result rosterd(std::vector<std::string> args) const
    {
        args.push_back("--url=http://127.0.0.1:" + std::to_string(server.port()));
        args.push_back("--token-file=" + token_file.string());
        return run_to_exit(args);
    }
};

bool has(run_result const& r, std::string const& text) { return r.output.find(text) != std::string::npos; }

} // namespace

BOOST_FIXTURE_TEST_SUITE(cli, cli_fixture)

BOOST_AUTO_TEST_CASE(everyday_work_with_users_groups_and_tokens)
{
    auto const group = rosterd({"group", "add", "name=ops", "clientId:=7"});
    BOOST_TEST(group.exit_code == 0);
    BOOST_TEST(group.output == "group 1 added\n");
    auto const ann = rosterd({"user", "add", "firstName=Ann", "userName=ann", "--group", "1", "--admin"});
    BOOST_TEST(ann.exit_code == 0);
    BOOST_TEST(ann.output == "user 2 added\n");

    auto const list = rosterd({"user", "list"});
    BOOST_TEST(list.exit_code == 0);
    BOOST_TEST(list.output.starts_with("ID  USERNAME  FIRST  LAST  EMAIL  SUPER  ACTIVE\n"), list.output);
    BOOST_TEST(has(list, "\n2   ann       Ann    "));
    auto const found = rosterd({"user", "list", "-q", "an", "--json"});
    BOOST_TEST(json::parse(found.output).as_array().size() == 1u);

    BOOST_TEST(rosterd({"user", "set", "2", "description=night shift", "clientId:=7"}).output == "user 2 changed\n");
    auto const shown = rosterd({"user", "show", "2"});
    BOOST_TEST(has(shown, "description                 night shift\n"), shown.output);
    BOOST_TEST(has(shown, "userGroups                  {\"id\":1,\"admin\":true}\n"));

    auto const token = rosterd({"token", "add", "2", "description=laptop"});
    BOOST_TEST(token.exit_code == 0);
    BOOST_TEST(has(token, "shown this once"));
    BOOST_TEST(has(rosterd({"token", "list", "2"}), "laptop"));
    BOOST_TEST(rosterd({"token", "rm", "2"}).output == "token 2 removed\n");
    BOOST_TEST(has(rosterd({"group", "list"}), "\n1   ops   7       1        1\n"));
    auto const audit = rosterd({"audit", "list", "--user", "2", "--limit", "2"});
    BOOST_TEST(has(audit, "token.deleted"), audit.output);
    BOOST_TEST(rosterd({"user", "rm", "2"}).output == "user 2 removed\n");
    // Nothing the binary printed holds the caller's token.
    BOOST_TEST(!has(shown, root_token));
}

BOOST_AUTO_TEST_CASE(exit_status_and_message_say_what_happened)
{
    auto const missing = rosterd({"user", "show", "99"});
    BOOST_TEST(missing.exit_code == 3);
    BOOST_TEST(missing.output == "rosterd: 404 Not Found: user 99 not found\n");
    auto const invalid = rosterd({"user", "set", "1", "phoneNumber=12"});
    BOOST_TEST(invalid.exit_code == 2);
    BOOST_TEST(has(invalid, "400 Bad Request: phoneNumber:"));
    std::ofstream(token_file) << "0123456789abcdef0123456789abcdef\n";
    BOOST_TEST(rosterd({"user", "list"}).exit_code == 4);
    auto const unreachable = run_to_exit({"user", "list", "--url=http://127.0.0.1:1", "--token-file=" + token_file.string()});
    BOOST_TEST(unreachable.exit_code == 1);
    BOOST_TEST(has(unreachable, "cannot reach http://127.0.0.1:1"));
}

BOOST_AUTO_TEST_CASE(a_bad_command_line_says_what_is_wrong)
{
    auto const verb = rosterd({"user", "frob"});
    BOOST_TEST(verb.exit_code == 2);
    BOOST_TEST(has(verb, "'user frob' is not a command; user takes list, show, add, set, rm"));
    BOOST_TEST(has(rosterd({"user", "show", "07"}), "'07' is not an id"));
    BOOST_TEST(has(rosterd({"user", "add", "clientId:=seven"}), "clientId:= takes JSON"));
    BOOST_TEST(has(rosterd({"user", "list", "--lisen", "x"}), "unrecognised option '--lisen'"));
    auto const no_token = run_to_exit({"user", "list", "--url=http://127.0.0.1:1"});
    BOOST_TEST(no_token.exit_code == 2);
    BOOST_TEST(has(no_token, "--token-file FILE or ROSTERD_TOKEN_FILE"));
    // The server's own command line names unknown words too.
    BOOST_TEST(has(run_to_exit({"frob"}), "unknown command 'frob'"));
    BOOST_TEST(has(run_to_exit({"--lisen", "x"}), "unknown option 'lisen'"));
}

BOOST_AUTO_TEST_SUITE_END()
