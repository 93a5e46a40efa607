#pragma once

#include <unistd.h>

#include <filesystem>
#include <string>

namespace rosterd::test {

// A fresh, empty directory under the system's temp directory, removed on destruction.
class temp_dir {
public:
    temp_dir()
    {
        static int n = 0;
        path_ = std::filesystem::temp_directory_path()
            / ("rosterd-unit-" + std::to_string(::getpid()) + "-" + std::to_string(n++));
        std::filesystem::remove_all(path_);
        std::filesystem::create_directories(path_);
    }
    ~temp_dir()
    {
        std::error_code ec;
        std::filesystem::remove_all(path_, ec);
    }
    std::filesystem::path const& path() const { return path_; }

private:
    std::filesystem::path path_;
};

} // namespace rosterd::test
