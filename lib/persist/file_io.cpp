#include "persist/file_io.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>

namespace rosterd::persist {

ssize_t file_io::write(int fd, void const* data, std::size_t n) { return ::write(fd, data, n); }
ssize_t file_io::pwrite(int fd, void const* data, std::size_t n, off_t offset)
{
    return ::pwrite(fd, data, n, offset);
}
int file_io::fdatasync(int fd) { return ::fdatasync(fd); }
int file_io::fsync(int fd) { return ::fsync(fd); }
int file_io::ftruncate(int fd, off_t size) { return ::ftruncate(fd, size); }
int file_io::rename(char const* from, char const* to) { return std::rename(from, to); }

file_io& system_io()
{
    static file_io io;
    return io;
}

bool write_all(file_io& io, int fd, std::string_view data)
{
    while (!data.empty()) {
        auto const n = io.write(fd, data.data(), data.size());
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return false;
        data.remove_prefix(static_cast<std::size_t>(n));
    }
    return true;
}

bool pwrite_all(file_io& io, int fd, std::string_view data, std::uint64_t offset)
{
    while (!data.empty()) {
        auto const n = io.pwrite(fd, data.data(), data.size(), static_cast<off_t>(offset));
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return false;
        data.remove_prefix(static_cast<std::size_t>(n));
        offset += static_cast<std::uint64_t>(n);
    }
    return true;
}

std::string errno_text() { return std::strerror(errno); }

std::filesystem::path tmp_of(std::filesystem::path const& path) { return path.string() + ".tmp"; }

bool sync_directory(file_io& io, std::filesystem::path const& dir)
{
    fd_guard fd(::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
    return fd.get() >= 0 && io.fsync(fd.get()) == 0;
}

fd_guard::~fd_guard()
{
    if (fd_ >= 0)
        ::close(fd_);
}

fd_guard& fd_guard::operator=(fd_guard&& other) noexcept
{
    if (this != &other) {
        if (fd_ >= 0)
            ::close(fd_);
        fd_ = other.release();
    }
    return *this;
}

} // namespace rosterd::persist
