#define BOOST_TEST_MODULE options
#include <boost/test/unit_test.hpp>

#include "config/options.hpp"

#include "../support/temp_dir.hpp"

#include <cstdio>
#include <filesystem>
#include <fstream>

using namespace rosterd::config;
namespace fs = std::filesystem;

namespace {

parsed run(std::vector<std::string> args, std::vector<std::string> env = {})
{
    args.insert(args.begin(), "rosterd");
    std::vector<char const*> argv;
    for (auto const& a : args)
        argv.push_back(a.c_str());
    return parse(static_cast<int>(argv.size()), argv.data(), env);
}

// The message of the option_error `args` causes, or "" if none.
std::string error_of(std::vector<std::string> args, std::vector<std::string> env = {})
{
    try {
        run(std::move(args), std::move(env));
    } catch (option_error const& e) {
        return e.what();
    }
    return "";
}

} // namespace

BOOST_AUTO_TEST_CASE(defaults)
{
    auto const o = run({}).opts;
    BOOST_TEST(o.listen.port() == 8080);
    BOOST_TEST(o.listen.address().to_string() == "127.0.0.1");
    BOOST_TEST(o.data_dir == "./data");
    BOOST_TEST(o.threads == 1u);
    BOOST_TEST(o.max_body == 65536u);
    BOOST_TEST(!o.bootstrap_token);
}

BOOST_AUTO_TEST_CASE(flag_beats_environment_beats_file)
{
    auto const ini = std::filesystem::temp_directory_path() / "rosterd-options-test.conf";
    {
        std::ofstream f(ini);
        f << "# comment\nthreads = 3\nmax-body = 1000\nidle-timeout = 9\n";
    }
    auto const o = run({"--config", ini.string(), "--threads", "2"},
                       {"ROSTERD_THREADS=4", "ROSTERD_MAX_BODY=2000", "PATH=/bin"}).opts;
    BOOST_TEST(o.threads == 2u);
    BOOST_TEST(o.max_body == 2000u);
    BOOST_TEST(o.idle_timeout.count() == 9);
    std::filesystem::remove(ini);
}

BOOST_AUTO_TEST_CASE(caps_and_verification_options)
{
    auto const d = run({}).opts;
    BOOST_TEST(d.max_connections_per_ip == 256u);
    BOOST_TEST(d.max_tokens_per_user == 100u);
    BOOST_TEST(!d.allow_self_verify);
    auto const o = run({"--max-connections-per-ip", "0", "--max-tokens-per-user", "5", "--allow-self-verify"}).opts;
    BOOST_TEST(o.max_connections_per_ip == 0u);
    BOOST_TEST(o.max_tokens_per_user == 5u);
    BOOST_TEST(o.allow_self_verify);
    BOOST_TEST(!run({}, {"ROSTERD_ALLOW_SELF_VERIFY=false"}).opts.allow_self_verify);
    BOOST_TEST(error_of({"--allow-self-verify=perhaps"}).starts_with("--allow-self-verify:"));
    BOOST_TEST(error_of({"--max-tokens-per-user", "0"}).starts_with("--max-tokens-per-user:"));
}

BOOST_AUTO_TEST_CASE(the_console_is_on_unless_turned_off)
{
    BOOST_TEST(run({}).opts.console);
    BOOST_TEST(!run({"--console", "off"}).opts.console);
    BOOST_TEST(!run({}, {"ROSTERD_CONSOLE=off"}).opts.console);
    BOOST_TEST(run({"--console", "on"}).opts.console);
    BOOST_TEST(error_of({"--console", "maybe"}).starts_with("--console:"));
    BOOST_TEST(run({}).opts.introspect_group.empty());
    BOOST_TEST(run({"--introspect-group", "services"}).opts.introspect_group == "services");
}

BOOST_AUTO_TEST_CASE(audit_trail_limits)
{
    auto const d = run({}).opts.audit;
    BOOST_TEST(d.retention == 90 * 86400);
    BOOST_TEST(d.max_events == 1'000'000u);
    auto const o = run({"--audit-retention", "0", "--audit-max-events", "10"}).opts.audit;
    BOOST_TEST(o.retention == 0);
    BOOST_TEST(o.max_events == 10u);
    BOOST_TEST(run({}, {"ROSTERD_AUDIT_RETENTION=7"}).opts.audit.retention == 7 * 86400);
    BOOST_TEST(error_of({"--audit-retention", "-1"}).starts_with("--audit-retention:"));
    BOOST_TEST(error_of({"--audit-retention", "36501"}).starts_with("--audit-retention:"));
    BOOST_TEST(error_of({"--audit-max-events", "0"}).starts_with("--audit-max-events:"));
}

BOOST_AUTO_TEST_CASE(recover_is_a_command_with_its_own_option)
{
    auto const r = run({"recover", "--data-dir", "/srv/rosterd", "--user", "7"});
    BOOST_TEST((r.what == action::recover));
    BOOST_TEST(r.opts.data_dir == "/srv/rosterd");
    BOOST_TEST(r.opts.recover_user == 7u);
    BOOST_TEST(run({"recover"}).opts.recover_user == 1u);
    BOOST_TEST(error_of({"--user", "7"}).starts_with("--user:"));
    BOOST_TEST((run({}, {"ROSTERD_USER=7"}).what == action::serve)); // not taken from the environment
}

BOOST_AUTO_TEST_CASE(listen_addresses)
{
    BOOST_TEST(run({"--listen", "[::1]:9000"}).opts.listen.address().to_string() == "::1");
    BOOST_TEST(run({"--listen", "0.0.0.0:0"}).opts.listen.port() == 0);
    BOOST_TEST(error_of({"--listen", "localhost:80"}).starts_with("--listen:"));
    BOOST_TEST(error_of({"--listen", "127.0.0.1"}).starts_with("--listen:"));
    BOOST_TEST(error_of({"--listen", "127.0.0.1:70000"}).starts_with("--listen:"));
}

BOOST_AUTO_TEST_CASE(bad_values_name_the_option)
{
    BOOST_TEST(error_of({"--threads", "0"}).starts_with("--threads:"));
    BOOST_TEST(error_of({"--threads", "many"}).find("threads") != std::string::npos);
    BOOST_TEST(error_of({"--log-level", "loud"}).starts_with("--log-level:"));
    BOOST_TEST(error_of({"--durability", "sometimes"}).starts_with("--durability:"));
    BOOST_TEST(error_of({"--bootstrap-token", "short"}).starts_with("--bootstrap-token:"));
    BOOST_TEST(error_of({}, {"ROSTERD_MAX_BODY=huge"}).find("max-body") != std::string::npos);
    BOOST_TEST(error_of({"--no-such-option"}).find("no-such-option") != std::string::npos);
    BOOST_TEST(error_of({"--config", "/nonexistent/rosterd.conf"}).starts_with("--config:"));
}

BOOST_AUTO_TEST_CASE(help_and_version)
{
    auto const help = run({"--help"});
    BOOST_TEST((help.what == action::help));
    for (auto name : {"--listen", "--data-dir", "--durability", "--threads", "--max-body", "--max-connections",
                      "--idle-timeout", "--request-timeout", "--log-level", "--bootstrap-token", "--config"})
        BOOST_TEST(help.help_text.find(name) != std::string::npos, name);
    BOOST_TEST((run({"--version"}).what == action::version));
}

BOOST_AUTO_TEST_CASE(every_problem_is_reported_one_per_line)
{
    auto const ini = std::filesystem::temp_directory_path() / "rosterd-options-problems.conf";
    {
        std::ofstream f(ini);
        f << "threads = 0\nlisten = nowhere\ncolour = blue\nlog-level = loud\n";
    }
    std::vector<std::string> problems;
    try {
        run({"--config", ini.string(), "--check-config", "--max-body", "x"});
        BOOST_FAIL("no problems reported");
    } catch (option_error const& e) {
        problems = e.problems;
    }
    std::filesystem::remove(ini);
    BOOST_TEST_REQUIRE(problems.size() == 5u);
    std::string const all = [&] { std::string s; for (auto const& p : problems) s += p + "\n"; return s; }();
    for (auto const* needle : {"unknown option 'colour'", "--listen:", "--threads:", "--max-body:", "--log-level:"})
        BOOST_TEST(all.find(needle) != std::string::npos, needle);
}

BOOST_AUTO_TEST_CASE(check_config_on_a_valid_configuration)
{
    BOOST_TEST((run({"--check-config"}).what == action::check_config));
}

BOOST_AUTO_TEST_CASE(store_is_local_or_a_postgresql_uri)
{
    BOOST_TEST(!run({}).opts.store_uri);
    BOOST_TEST(!run({"--store", "local"}).opts.store_uri);
    auto const shared = run({"--store", "postgresql://rosterd@db:5432/rosterd?sslmode=verify-full"}).opts;
    BOOST_TEST(*shared.store_uri == "postgresql://rosterd@db:5432/rosterd?sslmode=verify-full");
    BOOST_TEST(shared.commit_timeout.count() == 2000);
    BOOST_TEST(shared.max_staleness.count() == 30);
    auto const env = run({}, {"ROSTERD_STORE=postgres://db/r", "ROSTERD_MAX_STALENESS=0"}).opts;
    BOOST_TEST(*env.store_uri == "postgres://db/r");
    BOOST_TEST(env.max_staleness.count() == 0);
    BOOST_TEST(error_of({"--store", "mysql://db/r"}).starts_with("--store:"));
    BOOST_TEST(error_of({"--commit-timeout", "0"}).starts_with("--commit-timeout:"));
}

BOOST_AUTO_TEST_CASE(secrets_come_from_files_and_systemd_credentials)
{
    rosterd::test::temp_dir dir;
    auto const write = [&](std::string const& name, std::string const& text, fs::perms mode) {
        auto const path = dir.path() / name;
        std::ofstream(path) << text;
        fs::permissions(path, mode);
        return path.string();
    };
    auto const owner = fs::perms::owner_read | fs::perms::owner_write;
    auto const uri = "postgresql://rosterd:s3cret@db/rosterd";
    auto const token = std::string("6ad1bb0c2f9b4f6e8f3d3a4b0c9e7d21");
    auto const store_file = write("store", std::string(uri) + "\n", owner);
    auto const token_file = write("token", token + "\n", owner);

    auto const from_files = run({"--store-file", store_file, "--bootstrap-token-file", token_file});
    BOOST_TEST(*from_files.opts.store_uri == uri);
    BOOST_TEST(*from_files.opts.bootstrap_token == token);
    BOOST_TEST(from_files.warnings.empty());
    BOOST_TEST(*run({}, {"ROSTERD_STORE_FILE=" + store_file}).opts.store_uri == uri);

    // LoadCredential=store:... and friends, when nothing else names them.
    auto const credentials = dir.path() / "credentials";
    fs::create_directory(credentials);
    fs::copy_file(store_file, credentials / "store");
    fs::copy_file(token_file, credentials / "bootstrap-token");
    std::ofstream(credentials / "tls-cert") << "cert";
    std::ofstream(credentials / "tls-key") << "key";
    fs::permissions(credentials / "tls-key", owner);
    auto const systemd = run({}, {"CREDENTIALS_DIRECTORY=" + credentials.string()}).opts;
    BOOST_TEST(*systemd.store_uri == uri);
    BOOST_TEST(*systemd.bootstrap_token == token);
    BOOST_TEST(*systemd.tls_key == (credentials / "tls-key").string());
    BOOST_TEST(*systemd.tls_cert == (credentials / "tls-cert").string());
    // An option given beats the credential.
    auto const given = run({"--store", "local", "--tls-cert", "c.pem", "--tls-key", "k.pem"},
                           {"CREDENTIALS_DIRECTORY=" + credentials.string()}).opts;
    BOOST_TEST(!given.store_uri);
    BOOST_TEST(*given.tls_key == "k.pem");

    // Both ways at once, an unreadable or empty file, a weak token: refused.
    BOOST_TEST(error_of({"--store", uri, "--store-file", store_file}).starts_with("--store-file: give --store or"));
    BOOST_TEST(error_of({"--store-file", (dir.path() / "none").string()}).starts_with("--store-file: cannot read"));
    BOOST_TEST(error_of({"--bootstrap-token-file", write("empty", "\n", owner)}).find("is empty") !=
               std::string::npos);
    BOOST_TEST(error_of({"--bootstrap-token-file", write("weak", "password\n", owner)})
                   .starts_with("--bootstrap-token: too easy"));
    // A device, a directory or a file too large for a secret is no secret file.
    BOOST_TEST(error_of({"--store-file", "/dev/zero"}).find("is not a regular file") != std::string::npos);
    BOOST_TEST(error_of({"--bootstrap-token-file", dir.path().string()}).find("is not a regular file") !=
               std::string::npos);
    BOOST_TEST(error_of({"--store-file", write("huge", std::string(70 * 1024, 'x'), owner)})
                   .find("larger than 64 KiB") != std::string::npos);
    // A secret others may read is named in a warning (never its value).
    auto const open = run({"--store-file", write("open", uri, owner | fs::perms::others_read)});
    BOOST_TEST_REQUIRE(open.warnings.size() == 1u);
    BOOST_TEST(open.warnings[0].find("readable by every user") != std::string::npos);
    BOOST_TEST(open.warnings[0].find("s3cret") == std::string::npos);
}

BOOST_AUTO_TEST_CASE(import_and_export_name_a_postgresql_store)
{
    BOOST_TEST((run({"import", "--store", "postgresql://db/r"}).what == action::import_store));
    BOOST_TEST((run({"export", "--store", "postgresql://db/r"}).what == action::export_store));
    BOOST_TEST(error_of({"import"}).find("--store postgresql://") != std::string::npos);
    BOOST_TEST(error_of({"export", "--store", "local"}).find("--store postgresql://") != std::string::npos);
}
