#pragma once
// The data directory and the names of the files in it. Every path the server
// writes comes from here. The directory is mode 0700, its files 0600.

#include <filesystem>
#include <string_view>

namespace rosterd::persist {

class data_dir {
public:
    // Creates the directory (and its parents) if missing. Throws
    // std::runtime_error naming the path when it cannot.
    explicit data_dir(std::filesystem::path root);

    std::filesystem::path const& root() const { return root_; }
    std::filesystem::path bootstrap_token() const { return root_ / "bootstrap-token"; }

    // Writes `secret` to bootstrap-token (mode 0600), durably.
    void write_bootstrap_token(std::string_view secret) const;

private:
    std::filesystem::path root_;
};

} // namespace rosterd::persist
