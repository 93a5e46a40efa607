#include "server/data_commands.hpp"

#include "auth/recover.hpp"
#include "persist/backup.hpp"
#include "persist/data_dir.hpp"
#include "persist/pg/postgres_backend.hpp"
#include "persist/local/recovery.hpp"
#include "persist/snapshot.hpp"
#include "server/server.hpp"
#include "store/time.hpp"

#include <filesystem>
#include <fstream>
#include <iostream>
#include <sstream>

namespace rosterd::server {

int recover(config::options const& opts)
{
    try {
        persist::data_dir files(opts.data_dir);
        auto const done = auth::recover_access(files, opts.recover_user, store::system_now());
        std::cout << "rosterd: token " << done.token_id << " made for superuser " << opts.recover_user
                  << "; its secret is in " << done.token_file.string() << "\n";
        return exit_ok;
    } catch (persist::corruption_error const& e) {
        std::cerr << "rosterd: " << e.what() << "\n";
        return exit_bad_input;
    } catch (std::exception const& e) {
        std::cerr << "rosterd: " << e.what() << "\n";
        return exit_failure;
    }
}

int restore(config::options const& opts)
{
    try {
        // A device, FIFO or directory is no backup: /dev/zero would be read
        // until memory ran out.
        std::error_code ec;
        if (std::filesystem::exists(opts.restore_file, ec) && !std::filesystem::is_regular_file(opts.restore_file, ec)) {
            std::cerr << "rosterd: " << opts.restore_file << " is not a regular file (a backup is one); nothing was "
                      << "changed\n";
            return exit_bad_input;
        }
        std::ifstream file(opts.restore_file, std::ios::binary);
        if (!file)
            throw std::runtime_error(opts.restore_file + ": cannot read");
        std::ostringstream bytes;
        bytes << file.rdbuf();
        persist::data_dir files(opts.data_dir);
        files.lock();
        auto const r = persist::restore_backup(bytes.str(), files, persist::system_io());
        files.give_files_to_owner();
        std::cout << "rosterd: restored " << r.users << " users, " << r.groups << " groups, " << r.tokens
                  << " tokens and " << r.audit_events << " audit events (as of change " << r.seq << ") into "
                  << files.root().string()
                  << (r.replaced ? "; what was there is kept as *.before-restore\n" : "\n");
        return exit_ok;
    } catch (persist::corruption_error const& e) {
        std::cerr << "rosterd: " << opts.restore_file << " is not a usable backup: " << e.what()
                  << "; nothing was changed\n";
        return exit_bad_input;
    } catch (std::exception const& e) {
        std::cerr << "rosterd: " << e.what() << "\n";
        return exit_failure;
    }
}

std::string sizes_of(store::directory const& dir)
{
    return std::to_string(dir.users().size()) + " users, " + std::to_string(dir.groups().size()) + " groups, " +
           std::to_string(dir.token_count()) + " tokens";
}

// Generous: a large directory takes a while to copy.
constexpr std::chrono::minutes transfer_timeout{30};

// `rosterd import`: a stopped server's data directory into an empty store.
int import_store(config::options const& opts)
{
    try {
        persist::data_dir files(opts.data_dir);
        files.lock();
        store::directory dir;
        persist::recover(files, dir, persist::system_io());
        persist::pg::connection c(*opts.store_uri);
        auto const until = persist::pg::clock::now() + transfer_timeout;
        c.connect(until);
        persist::pg::ensure_schema(c, until);
        persist::pg::import_directory(c, dir, until);
        std::cout << "rosterd: imported " << sizes_of(dir) << " into the PostgreSQL store\n";
        return exit_ok;
    } catch (persist::corruption_error const& e) {
        std::cerr << "rosterd: " << e.what() << "; nothing was imported\n";
        return exit_bad_input;
    } catch (std::exception const& e) {
        std::cerr << "rosterd: " << e.what() << "; nothing was imported\n";
        return exit_failure;
    }
}

// `rosterd export`: the store into an empty data directory, as a snapshot.
int export_store(config::options const& opts)
{
    try {
        persist::data_dir files(opts.data_dir);
        files.lock();
        auto const holds = [](std::filesystem::path const& f) {
            std::error_code ec;
            auto const size = std::filesystem::file_size(f, ec);
            return !ec && size > 0;
        };
        if (holds(files.snapshot()) || holds(files.journal()))
            throw std::runtime_error(files.root().string() + " already holds a directory; export into an empty one");
        persist::pg::connection c(*opts.store_uri);
        auto const until = persist::pg::clock::now() + transfer_timeout;
        c.connect(until);
        persist::pg::ensure_schema(c, until);
        store::directory dir;
        auto const at = persist::pg::load_directory(c, dir, until);
        auto const id = persist::new_snapshot_id();
        if (!persist::write_snapshot(dir, 0, {id, id}, files.snapshot(), persist::system_io()))
            throw std::runtime_error(files.snapshot().string() + ": cannot write");
        files.give_files_to_owner();
        std::cout << "rosterd: exported " << sizes_of(dir) << " (as of change " << at.seq << ") into "
                  << files.root().string() << "\n";
        return exit_ok;
    } catch (std::exception const& e) {
        std::cerr << "rosterd: " << e.what() << "\n";
        return exit_failure;
    }
}

} // namespace rosterd::server
