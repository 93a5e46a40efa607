#include "config/options.hpp"

#include "auth/token.hpp"

#include <boost/program_options.hpp>
#include <boost/url/parse.hpp>

#include <charconv>
#include <fstream>
#include <sstream>

namespace rosterd::config {

namespace po = boost::program_options;

namespace {

constexpr std::string_view env_prefix = "ROSTERD_";
constexpr unsigned max_threads = 256;
constexpr std::uint64_t max_body_limit = 64ull * 1024 * 1024;

[[noreturn]] void fail(std::string_view option, std::string_view why)
{
    throw option_error("--" + std::string(option) + ": " + std::string(why));
}

template <class T>
T bounded(po::variables_map const& vm, char const* name, T low, T high)
{
    auto const v = vm[name].as<T>();
    if (v < low || v > high)
        fail(name, "must be from " + std::to_string(low) + " to " + std::to_string(high));
    return v;
}

po::options_description describe()
{
    po::options_description desc("Options (each also ROSTERD_<NAME> in the environment, and NAME = value in --config)");
    desc.add_options()
        ("help,h", "print this help and exit")
        ("version", "print the version and exit")
        ("config", po::value<std::string>(), "INI file of options")
        ("listen", po::value<std::string>()->default_value("127.0.0.1:8080"), "address:port to serve HTTP on")
        ("data-dir", po::value<std::string>()->default_value("./data"), "directory of the server's files")
        ("durability", po::value<std::string>()->default_value("strict"),
         "strict: a write is answered once it is on disk (group commit); relaxed: disk sync at most once a "
         "second; memory: nothing is kept (tests and benchmarks)")
        ("snapshot-after", po::value<std::uint64_t>()->default_value(64ull * 1024 * 1024),
         "journal bytes after which a snapshot is written and the journal starts over")
        ("threads", po::value<unsigned>()->default_value(1), "threads serving requests (1-256)")
        ("max-body", po::value<std::uint64_t>()->default_value(64 * 1024), "largest request body in bytes (413 past it)")
        ("max-connections", po::value<std::size_t>()->default_value(10000), "open connections at most; more are refused")
        ("idle-timeout", po::value<unsigned>()->default_value(60), "seconds a connection may wait between requests")
        ("request-timeout", po::value<unsigned>()->default_value(30), "seconds a client may take to send one request")
        ("log-level", po::value<std::string>()->default_value("info"), "debug, info, warn or error")
        ("bootstrap-token", po::value<std::string>(),
         "the first superuser's token, used on first start only (16-256 visible ASCII characters)");
    return desc;
}

} // namespace

boost::asio::ip::tcp::endpoint parse_endpoint(std::string const& text)
{
    auto const authority = boost::urls::parse_authority(text);
    if (!authority || !authority->has_port() || authority->port().empty() || authority->has_userinfo())
        fail("listen", "must be address:port, e.g. 127.0.0.1:8080 or [::1]:8080");
    std::string host = authority->host_address();
    if (host.size() > 1 && host.front() == '[')
        host = host.substr(1, host.size() - 2);
    boost::system::error_code ec;
    auto const address = boost::asio::ip::make_address(host, ec);
    if (ec)
        fail("listen", "'" + host + "' is not an IP address");
    auto const port_text = std::string(authority->port());
    unsigned port = 0;
    auto const [end, perr] = std::from_chars(port_text.data(), port_text.data() + port_text.size(), port);
    if (perr != std::errc{} || end != port_text.data() + port_text.size() || port > 65535)
        fail("listen", "port must be from 0 to 65535");
    return {address, static_cast<unsigned short>(port)};
}

parsed parse(int argc, char const* const* argv, std::vector<std::string> const& environment)
{
    auto const desc = describe();
    po::variables_map vm;
    try {
        po::store(po::parse_command_line(argc, argv, desc), vm);

        // The environment, as ROSTERD_DATA_DIR=... for data-dir.
        std::vector<std::string> env_args;
        for (auto const& entry : environment) {
            auto const eq = entry.find('=');
            if (entry.rfind(env_prefix, 0) != 0 || eq == std::string::npos)
                continue;
            std::string name = entry.substr(env_prefix.size(), eq - env_prefix.size());
            for (char& c : name)
                c = c == '_' ? '-' : static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
            if (name == "help" || name == "version" || !desc.find_nothrow(name, false))
                continue;
            env_args.push_back("--" + name + "=" + entry.substr(eq + 1));
        }
        po::store(po::command_line_parser(env_args).options(desc).run(), vm);

        if (vm.count("config")) {
            auto const path = vm["config"].as<std::string>();
            std::ifstream file(path);
            if (!file)
                fail("config", "cannot read " + path);
            po::store(po::parse_config_file(file, desc), vm);
        }
        po::notify(vm);
    } catch (option_error const&) {
        throw;
    } catch (po::error const& e) {
        throw option_error(e.what());
    }

    parsed result;
    if (vm.count("help")) {
        std::ostringstream text;
        text << "Usage: rosterd [options]\n\n" << desc;
        result.what = action::help;
        result.help_text = text.str();
        return result;
    }
    if (vm.count("version")) {
        result.what = action::version;
        return result;
    }

    options& o = result.opts;
    o.listen = parse_endpoint(vm["listen"].as<std::string>());
    o.data_dir = vm["data-dir"].as<std::string>();
    if (o.data_dir.empty())
        fail("data-dir", "must not be empty");
    auto const mode = vm["durability"].as<std::string>();
    if (mode == "strict")
        o.durability = persist::durability::strict;
    else if (mode == "relaxed")
        o.durability = persist::durability::relaxed;
    else if (mode == "memory")
        o.durability = persist::durability::memory;
    else
        fail("durability", "must be strict, relaxed or memory");
    o.snapshot_after = bounded<std::uint64_t>(vm, "snapshot-after", 4096, 1ull << 40);
    o.threads = bounded<unsigned>(vm, "threads", 1, max_threads);
    o.max_body = bounded<std::uint64_t>(vm, "max-body", 1, max_body_limit);
    o.max_connections = bounded<std::size_t>(vm, "max-connections", 1, 1'000'000);
    o.idle_timeout = std::chrono::seconds(bounded<unsigned>(vm, "idle-timeout", 1, 86400));
    o.request_timeout = std::chrono::seconds(bounded<unsigned>(vm, "request-timeout", 1, 86400));
    auto const level = log::parse_level(vm["log-level"].as<std::string>());
    if (!level)
        fail("log-level", "must be debug, info, warn or error");
    o.log_level = *level;
    if (vm.count("bootstrap-token")) {
        auto const token = vm["bootstrap-token"].as<std::string>();
        if (!auth::acceptable_secret(token))
            fail("bootstrap-token", "must be 16 to 256 visible ASCII characters");
        o.bootstrap_token = token;
    }
    return result;
}

} // namespace rosterd::config
