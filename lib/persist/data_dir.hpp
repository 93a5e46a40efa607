#pragma once
// The data directory and the names of the files in it. Every path the server
// writes comes from here. The directory is mode 0700, its files 0600.
//
//   journal          change records since the snapshot (journal_format.hpp)
//   snapshot         the whole directory as of a journal sequence
//   LOCK             held (fcntl) while a server runs on the directory
//   bootstrap-token  the first superuser's token, when none was given
//   backup.snapshot  the snapshot of a backup in progress (GET /backup)
//   restore/         a backup being checked before `rosterd restore`
//                    installs it
//   restore.ready/   a checked backup being installed: once the directory
//                    has this name the restore is decided, and start-up
//                    finishes it if a crash interrupted it; what it
//                    replaces is kept as *.before-restore

#include "persist/file_io.hpp"

#include <filesystem>
#include <string_view>

namespace rosterd::persist {

class data_dir {
public:
    // Creates the directory (and its parents) if missing. Throws
    // std::runtime_error naming the path when it cannot.
    explicit data_dir(std::filesystem::path root);
    ~data_dir();
    data_dir(data_dir const&) = delete;
    data_dir& operator=(data_dir const&) = delete;

    // Takes the LOCK file, held until destruction. Throws std::runtime_error
    // if another process holds it.
    void lock();

    std::filesystem::path const& root() const { return root_; }
    std::filesystem::path bootstrap_token() const { return root_ / "bootstrap-token"; }
    std::filesystem::path journal() const { return root_ / "journal"; }
    std::filesystem::path snapshot() const { return root_ / "snapshot"; }
    std::filesystem::path lock_file() const { return root_ / "LOCK"; }
    std::filesystem::path backup_snapshot() const { return root_ / "backup.snapshot"; }
    std::filesystem::path restore_staging() const { return root_ / "restore"; }
    std::filesystem::path restore_ready() const { return root_ / "restore.ready"; }

    // Writes `secret` to bootstrap-token (mode 0600), durably: the file and
    // its name in the directory.
    void write_bootstrap_token(std::string_view secret, file_io& io = system_io()) const;

    // Run as root on a directory someone else owns (the service's user):
    // gives that owner the files in it, so that `rosterd recover` and
    // `rosterd restore` leave files the server can read. Otherwise nothing.
    void give_files_to_owner() const;

private:
    std::filesystem::path root_;
    int lock_fd_ = -1;
};

} // namespace rosterd::persist
