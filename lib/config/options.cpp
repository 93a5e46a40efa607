#include "config/options.hpp"

#include "config/secrets.hpp"

#include "scim/phone.hpp"
#include "auth/token.hpp"

#include <boost/program_options.hpp>
#include <boost/url/parse.hpp>

#include <charconv>
#include <fstream>
#include <limits>
#include <sstream>

namespace rosterd::config {

namespace po = boost::program_options;

namespace {

constexpr std::string_view env_prefix = "ROSTERD_";
constexpr unsigned max_threads = 256;
constexpr std::uint64_t max_body_limit = 64ull * 1024 * 1024;

std::string problem(std::string_view option, std::string_view why)
{
    return "--" + std::string(option) + ": " + std::string(why);
}

po::options_description describe()
{
    // Values are read as text and checked below, so that every problem is
    // reported, not only the first one the parser meets.
    auto text = [] { return po::value<std::string>(); };
    po::options_description desc("Options (each also ROSTERD_<NAME> in the environment, and NAME = value in --config)");
    desc.add_options()
        ("help,h", "print this help and exit")
        ("version", "print the version and exit")
        ("check-config", "check the options (flags, environment, --config file) and exit: 0 if they are valid, "
                         "2 with one line per problem")
        ("config", text(), "INI file of options")
        ("listen", text()->default_value("127.0.0.1:8080"), "address:port to serve HTTP on")
        ("data-dir", text()->default_value("./data"), "directory of the server's files")
        ("store", text()->default_value("local"),
         "local: the data directory's journal and snapshots; or a PostgreSQL URI "
         "(postgresql://user@host:port/db?...) several nodes share")
        ("store-file", text(), "a file holding --store's value, so that a password in the URI is in neither the "
                               "command line nor the config file; also read from the systemd credential 'store'")
        ("commit-timeout", text()->default_value("2000"),
         "--store postgresql: milliseconds a write waits for PostgreSQL before it is answered 503")
        ("max-staleness", text()->default_value("30"),
         "--store postgresql: seconds a node unable to confirm it is current keeps answering authenticated "
         "requests from memory; then 503 until it is current (0: never refuse)")
        ("log-keep-changes", text()->default_value("100000"),
         "--store postgresql: changes the shared log keeps at least (a node further behind reloads)")
        ("log-keep-age", text()->default_value("86400"), "--store postgresql: seconds the shared log keeps a change at least")
        ("log-trim-interval", text()->default_value("3600"), "--store postgresql: seconds between trims of the shared log")
        ("last-used-interval", text()->default_value("30"),
         "--store postgresql: seconds between a node's exchanges of its tokens' lastUsed with the others")
        ("durability", text()->default_value("strict"),
         "strict: a write is answered once it is on disk (group commit); relaxed: disk sync at most once a "
         "second; memory: nothing is kept (tests and benchmarks)")
        ("snapshot-after", text()->default_value("67108864"),
         "journal bytes after which a snapshot is written and the journal starts over")
        ("threads", text()->default_value("1"), "threads serving requests (1-256)")
        ("max-body", text()->default_value("65536"), "largest request body in bytes (413 past it)")
        ("max-header", text()->default_value("8192"), "largest request line and headers in bytes (431 past it)")
        ("max-json-depth", text()->default_value("16"), "deepest nesting of a JSON body (400 past it)")
        ("max-connections", text()->default_value("10000"), "open connections at most; more are refused")
        ("max-connections-per-ip", text()->default_value("256"),
         "open connections from one client address at most (0: no limit, e.g. behind a proxy)")
        ("max-tokens-per-user", text()->default_value("100"), "API tokens one user may hold at most")
        ("allow-self-verify", text()->implicit_value("true")->default_value("false"),
         "let users mark their own phone number and e-mail address verified (true or false)")
        ("console", text()->default_value("on"), "serve the web console at /ui/ (on or off)")
        ("introspect-group", text()->default_value(""),
         "the user group whose members may introspect tokens (POST /introspect), besides superusers; none by default")
        ("phone-region", text()->default_value(""),
         "the region (ISO 3166 code, e.g. US) of phone numbers that SCIM clients send without a country code; "
         "none by default")
        ("audit-retention", text()->default_value("90"),
         "days the audit trail keeps an event (0: until the next trim, within a minute)")
        ("audit-max-events", text()->default_value("1000000"),
         "audit events kept at most, the oldest going first (about 100 bytes of memory each)")
        ("idle-timeout", text()->default_value("60"), "seconds a connection may wait between requests")
        ("request-timeout", text()->default_value("30"), "seconds a client may take to send one request")
        ("log-level", text()->default_value("info"), "debug, info, warn or error (info logs every request)")
        ("log-format", text()->default_value("logfmt"), "logfmt (key=value) or json: one object per line")
        ("bootstrap-token", text(),
         "the first superuser's token, used on first start only: 16-256 visible ASCII characters as hard to "
         "guess as a random 128-bit token (zxcvbn's estimate), e.g. from 'openssl rand -hex 16'")
        ("bootstrap-token-file", text(), "a file holding --bootstrap-token's value; also read from the systemd "
                                         "credential 'bootstrap-token'")
        ("tls-cert", text(), "PEM certificate chain: serve HTTPS (TLS 1.2 and 1.3) instead of HTTP")
        ("tls-key", text(), "PEM private key of --tls-cert; by default the systemd credential 'tls-key' (as "
                            "--tls-cert's is 'tls-cert'), when the service has one")
        ("user", text()->default_value("1"), "rosterd recover: the superuser to mint a token for");
    return desc;
}

// Reads the checked options out of `vm`, collecting a line per problem.
class reader {
public:
    explicit reader(po::variables_map const& vm) : vm_(vm) {}

    std::vector<std::string> problems;

    std::string text(char const* name) const { return vm_[name].as<std::string>(); }

    template <class T>
    T number(char const* name, T low, T high)
    {
        auto const value = text(name);
        T n{};
        auto const [end, ec] = std::from_chars(value.data(), value.data() + value.size(), n);
        if (value.empty() || ec != std::errc{} || end != value.data() + value.size() || n < low || n > high) {
            problems.push_back(problem(name, "must be a whole number from " + std::to_string(low) + " to " +
                                                 std::to_string(high) + ", not '" + value + "'"));
            return low;
        }
        return n;
    }

    template <class Fn>
    void check(Fn&& fn)
    {
        try {
            fn();
        } catch (option_error const& e) {
            problems.insert(problems.end(), e.problems.begin(), e.problems.end());
        }
    }

private:
    po::variables_map const& vm_;
};

// Unknown options, as problems rather than an exception at the first one.
void collect_unknown(po::parsed_options const& parsed, std::string_view where, std::vector<std::string>& out)
{
    for (auto const& opt : parsed.options)
        if (opt.unregistered)
            out.push_back(std::string(where) + ": unknown option '" + opt.string_key + "'");
}

// A secret option's value (see secrets.hpp) from the command line's view.
std::optional<std::string> secret_option(po::variables_map const& vm, reader& r,
                                         std::vector<std::string> const& environment, std::string const& name,
                                         std::vector<std::string>& warnings)
{
    auto const file_option = name + "-file";
    auto given = vm.count(name) && !vm[name].defaulted() ? std::optional(r.text(name.c_str())) : std::nullopt;
    auto file = vm.count(file_option) ? std::optional(r.text(file_option.c_str())) : std::nullopt;
    return secret_value(name, std::move(given), std::move(file), environment, r.problems, warnings);
}

} // namespace

option_error::option_error(std::vector<std::string> all)
    : std::runtime_error(all.empty() ? std::string("bad options") : all.front()), problems(std::move(all))
{
}

option_error::option_error(std::string const& one) : option_error(std::vector<std::string>{one}) {}

boost::asio::ip::tcp::endpoint parse_endpoint(std::string const& text)
{
    auto fail = [](std::string_view why) { throw option_error(problem("listen", why)); };
    auto const authority = boost::urls::parse_authority(text);
    if (!authority || !authority->has_port() || authority->port().empty() || authority->has_userinfo())
        fail("must be address:port, e.g. 127.0.0.1:8080 or [::1]:8080");
    std::string host = authority->host_address();
    if (host.size() > 1 && host.front() == '[')
        host = host.substr(1, host.size() - 2);
    boost::system::error_code ec;
    auto const address = boost::asio::ip::make_address(host, ec);
    if (ec)
        fail("'" + host + "' is not an IP address");
    auto const port_text = std::string(authority->port());
    unsigned port = 0;
    auto const [end, perr] = std::from_chars(port_text.data(), port_text.data() + port_text.size(), port);
    if (perr != std::errc{} || end != port_text.data() + port_text.size() || port > 65535)
        fail("port must be from 0 to 65535");
    return {address, static_cast<unsigned short>(port)};
}

namespace {

std::optional<bool> parse_bool(std::string_view text)
{
    if (text == "true" || text == "yes" || text == "on" || text == "1")
        return true;
    if (text == "false" || text == "no" || text == "off" || text == "0")
        return false;
    return std::nullopt;
}

} // namespace

parsed parse(int argc, char const* const* argv, std::vector<std::string> const& environment)
{
    auto const desc = describe();
    std::string_view const command = argc > 1 ? std::string_view(argv[1]) : std::string_view{};
    bool const recovering = command == "recover";
    bool const restoring = command == "restore";
    bool const importing = command == "import";
    bool const exporting = command == "export";
    if (recovering || restoring || importing || exporting) {
        --argc; // the command word; the options follow it
        ++argv;
    }
    // `rosterd restore [options] FILE`; any other word is reported below.
    po::positional_options_description file;
    if (restoring)
        file.add("backup-file", 1);
    file.add("unexpected", -1);
    po::options_description hidden;
    hidden.add_options()("backup-file", po::value<std::string>())("unexpected", po::value<std::vector<std::string>>());
    po::options_description all;
    all.add(desc).add(hidden);
    po::variables_map vm;
    std::vector<std::string> unknown;
    try {
        auto const cli = po::command_line_parser(argc, argv).options(all).positional(file).allow_unregistered().run();
        collect_unknown(cli, "command line", unknown);
        po::store(cli, vm);

        // The environment, as ROSTERD_DATA_DIR=... for data-dir.
        std::vector<std::string> env_args;
        for (auto const& entry : environment) {
            auto const eq = entry.find('=');
            if (entry.rfind(env_prefix, 0) != 0 || eq == std::string::npos)
                continue;
            std::string name = entry.substr(env_prefix.size(), eq - env_prefix.size());
            for (char& c : name)
                c = c == '_' ? '-' : static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
            if (name == "help" || name == "version" || name == "check-config" || name == "user"
                || !desc.find_nothrow(name, false))
                continue;
            env_args.push_back("--" + name + "=" + entry.substr(eq + 1));
        }
        po::store(po::command_line_parser(env_args).options(desc).run(), vm);

        if (vm.count("config")) {
            auto const path = vm["config"].as<std::string>();
            std::ifstream file(path);
            if (!file)
                throw option_error(problem("config", "cannot read " + path));
            auto const ini = po::parse_config_file(file, desc, true);
            collect_unknown(ini, path, unknown);
            po::store(ini, vm);
        }
        po::notify(vm);
    } catch (po::error const& e) {
        unknown.push_back(e.what());
        throw option_error(unknown);
    }

    parsed result;
    if (vm.count("help")) {
        std::ostringstream text;
        text << "Usage: rosterd [options]              serve the directory\n"
                "       rosterd recover [options]      with the server stopped: mint a new token for a superuser\n"
                "                                      (--user, default 1) into <data-dir>/bootstrap-token\n"
                "       rosterd restore [options] FILE  with the server stopped: install a backup (GET /backup)\n"
                "                                      as the data directory\n"
                "       rosterd import [options]       with the server stopped: copy the data directory into an\n"
                "                                      empty PostgreSQL --store\n"
                "       rosterd export [options]       copy the PostgreSQL --store into an empty data directory\n"
                "       rosterd user|group|token|audit VERB ...\n"
                "                                      work with a running server (rosterd user --help)\n\n"
             << desc;
        result.what = action::help;
        result.help_text = text.str();
        return result;
    }
    if (vm.count("version")) {
        result.what = action::version;
        return result;
    }
    if (vm.count("check-config"))
        result.what = action::check_config;
    else if (recovering)
        result.what = action::recover;
    else if (restoring)
        result.what = action::restore;
    else if (importing)
        result.what = action::import_store;
    else if (exporting)
        result.what = action::export_store;

    reader r(vm);
    r.problems = std::move(unknown);
    options& o = result.opts;
    r.check([&] { o.listen = parse_endpoint(r.text("listen")); });
    o.data_dir = r.text("data-dir");
    if (o.data_dir.empty())
        r.problems.push_back(problem("data-dir", "must not be empty"));
    auto const mode = r.text("durability");
    if (mode == "strict")
        o.durability = persist::durability::strict;
    else if (mode == "relaxed")
        o.durability = persist::durability::relaxed;
    else if (mode == "memory")
        o.durability = persist::durability::memory;
    else
        r.problems.push_back(problem("durability", "must be strict, relaxed or memory, not '" + mode + "'"));
    o.snapshot_after = r.number<std::uint64_t>("snapshot-after", 4096, 1ull << 40);
    auto const store = secret_option(vm, r, environment, "store", result.warnings).value_or("local");
    if (store.starts_with("postgresql://") || store.starts_with("postgres://"))
        o.store_uri = store;
    else if (store != "local")
        r.problems.push_back(problem("store", "must be local or a postgresql:// URI"));
    if ((importing || exporting) && !o.store_uri)
        r.problems.push_back(std::string(command) + ": name the PostgreSQL store: --store postgresql://...");
    o.commit_timeout = std::chrono::milliseconds(r.number<unsigned>("commit-timeout", 10, 600'000));
    o.max_staleness = std::chrono::seconds(r.number<unsigned>("max-staleness", 0, 86400 * 365));
    o.log_keep_changes = r.number<std::uint64_t>("log-keep-changes", 0, 1ull << 40);
    o.log_keep_age = std::chrono::seconds(r.number<std::uint64_t>("log-keep-age", 0, 86400ull * 3650));
    o.log_trim_interval = std::chrono::seconds(r.number<std::uint64_t>("log-trim-interval", 1, 86400ull * 365));
    o.last_used_interval = std::chrono::seconds(r.number<unsigned>("last-used-interval", 1, 86400));
    o.threads = r.number<unsigned>("threads", 1, max_threads);
    o.max_body = r.number<std::uint64_t>("max-body", 1, max_body_limit);
    o.max_header = r.number<std::size_t>("max-header", 1024, 1024 * 1024);
    o.max_json_depth = r.number<std::size_t>("max-json-depth", 1, 64);
    o.max_connections = r.number<std::size_t>("max-connections", 1, 1'000'000);
    o.max_connections_per_ip = r.number<std::size_t>("max-connections-per-ip", 0, 1'000'000);
    o.max_tokens_per_user = r.number<std::size_t>("max-tokens-per-user", 1, 1'000'000);
    if (auto const allow = parse_bool(r.text("allow-self-verify")))
        o.allow_self_verify = *allow;
    else
        r.problems.push_back(problem("allow-self-verify", "must be true or false"));
    if (auto const console = parse_bool(r.text("console")))
        o.console = *console;
    else
        r.problems.push_back(problem("console", "must be on or off"));
    o.introspect_group = r.text("introspect-group");
    o.phone_region = r.text("phone-region");
    if (!o.phone_region.empty() && !scim::is_phone_region(o.phone_region))
        r.problems.push_back(problem("phone-region", "must be a region libphonenumber knows, upper case, e.g. US or NL"));
    o.audit.retention = r.number<store::unix_time>("audit-retention", 0, 36500) * store::seconds_per_day;
    o.audit.max_events = r.number<std::size_t>("audit-max-events", 1, 1'000'000'000);
    o.recover_user = r.number<std::uint64_t>("user", 1, std::numeric_limits<std::int64_t>::max());
    if (vm.count("backup-file"))
        o.restore_file = vm["backup-file"].as<std::string>();
    if (restoring && o.restore_file.empty())
        r.problems.push_back("restore: name the backup file: rosterd restore --data-dir DIR FILE");
    if (vm.count("unexpected")) {
        auto const& words = vm["unexpected"].as<std::vector<std::string>>();
        // The first word of all, where a command goes.
        if (words.front() == command)
            r.problems.push_back("unknown command '" + words.front() + "'; the commands are recover, restore, "
                                 "import, export, user, group, token and audit (rosterd --help)");
        else
            r.problems.push_back("command line: unexpected '" + words.front() + "'");
    }
    if (recovering && o.store_uri)
        r.problems.push_back("recover works on a local data directory only; on a PostgreSQL store, have another "
                             "superuser make a token (rosterd token add USER, or POST /user/{id}/token)");
    if (!vm["user"].defaulted() && !recovering)
        r.problems.push_back(problem("user", "only goes with 'rosterd recover'"));
    o.idle_timeout = std::chrono::seconds(r.number<unsigned>("idle-timeout", 1, 86400));
    o.request_timeout = std::chrono::seconds(r.number<unsigned>("request-timeout", 1, 86400));
    auto const level = log::parse_level(r.text("log-level"));
    if (level)
        o.log_level = *level;
    else
        r.problems.push_back(problem("log-level", "must be debug, info, warn or error"));
    if (auto const format = log::parse_format(r.text("log-format")))
        o.log_format = *format;
    else
        r.problems.push_back(problem("log-format", "must be logfmt or json"));
    if (auto const token = secret_option(vm, r, environment, "bootstrap-token", result.warnings)) {
        if (auth::acceptable_secret(*token))
            o.bootstrap_token = *token;
        else
            r.problems.push_back(problem("bootstrap-token",
                                         "too easy to guess: use 16 to 256 visible ASCII characters as random "
                                         "as a 128-bit token, e.g. the output of 'openssl rand -hex 16'"));
    }
    if (vm.count("tls-cert"))
        o.tls_cert = r.text("tls-cert");
    else
        o.tls_cert = credential(environment, "tls-cert");
    if (vm.count("tls-key"))
        o.tls_key = r.text("tls-key");
    else
        o.tls_key = credential(environment, "tls-key");
    if (o.tls_cert.has_value() != o.tls_key.has_value())
        r.problems.push_back(problem(o.tls_cert ? "tls-key" : "tls-cert", "--tls-cert and --tls-key go together"));
    if (!r.problems.empty())
        throw option_error(std::move(r.problems));
    for (auto const& [name, value] : vm)
        if (auto const* text = boost::any_cast<std::string>(&value.value()))
            result.texts.emplace(name, *text);
    return result;
}

} // namespace rosterd::config
