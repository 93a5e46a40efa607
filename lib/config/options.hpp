#pragma once
// rosterd's options. Each is a command-line flag (--data-dir), an environment
// variable (ROSTERD_DATA_DIR) and a key in the INI file named by --config
// (data-dir = ...); a flag beats the environment, which beats the file.

#include "log/log.hpp"
#include "persist/local/committer.hpp"
#include "store/reaper.hpp"

#include <boost/asio/ip/tcp.hpp>

#include <chrono>
#include <map>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

namespace rosterd::config {

struct options {
    boost::asio::ip::tcp::endpoint listen{boost::asio::ip::make_address("127.0.0.1"), 8080};
    std::string data_dir = "./data";
    // --store: nullopt for "local" (the data directory's journal), or a
    // libpq URI of the PostgreSQL store several nodes share.
    std::optional<std::string> store_uri;
    std::chrono::milliseconds commit_timeout{2000};
    std::chrono::seconds max_staleness{30}; // 0: serve on, however stale
    std::uint64_t log_keep_changes = 100000;
    std::chrono::seconds log_keep_age{86400};
    std::chrono::seconds log_trim_interval{3600};
    std::chrono::seconds last_used_interval{30};
    persist::durability durability = persist::durability::strict;
    std::uint64_t snapshot_after = 64ull * 1024 * 1024;
    unsigned threads = 1;
    std::uint64_t max_body = 64 * 1024;
    std::size_t max_header = 8 * 1024;
    std::size_t max_json_depth = 16;
    std::size_t max_connections = 10000;
    std::size_t max_connections_per_ip = 256; // 0: no limit (behind a proxy)
    std::size_t max_tokens_per_user = 100;
    bool allow_self_verify = false;
    std::string phone_region; // ISO 3166 alpha-2, or empty
    bool console = true;      // serve the web console at /ui/
    std::string introspect_group; // its members may use POST /introspect
    store::audit_limits audit;
    std::chrono::seconds idle_timeout{60};
    std::chrono::seconds request_timeout{30};
    log::level log_level = log::level::info;
    log::format log_format = log::format::logfmt;
    std::optional<std::string> bootstrap_token;
    // Both or neither: HTTPS when given.
    std::optional<std::string> tls_cert;
    std::optional<std::string> tls_key;
    // `rosterd recover`: the superuser who gets a new token.
    std::uint64_t recover_user = 1;
    // `rosterd restore`: the backup to install.
    std::string restore_file;
};

// Bad options: one line per problem, each naming its option
// ("--threads: must be ..."); what() is the first.
struct option_error : std::runtime_error {
    explicit option_error(std::vector<std::string> all);
    explicit option_error(std::string const& one);
    std::vector<std::string> problems;
};

// `rosterd [options]` serves; `rosterd recover [options]` mints a token for
// a superuser of a stopped server's directory (see recover.hpp).
// `rosterd restore [options] FILE` installs a backup into a stopped server's
// data directory (persist/backup.hpp). `rosterd import` copies a stopped
// server's data directory into an empty PostgreSQL store; `rosterd export`
// copies a PostgreSQL store into an empty data directory.
enum class action { serve, help, version, check_config, recover, restore, import_store, export_store };

struct parsed {
    action what = action::serve;
    options opts;
    std::string help_text;
    // Each option's value as given or defaulted, by name: what a reload
    // compares to tell what changed.
    std::map<std::string, std::string> texts;
    // What the server should log once it starts: a secret file others may read.
    std::vector<std::string> warnings;
};

// Parses the command (an optional first word), flags, then the environment (`environ`-style "NAME=value" entries),
// then the --config file, and checks every value. Throws option_error with
// every problem found.
parsed parse(int argc, char const* const* argv, std::vector<std::string> const& environment);

// "host:port", "[v6]:port": a listening address.
boost::asio::ip::tcp::endpoint parse_endpoint(std::string const& text);

} // namespace rosterd::config
