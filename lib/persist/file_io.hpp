#pragma once
// The system calls persistence makes, behind one seam so that tests can fail
// the n-th write or sync. system_io() is the real thing.
//
// Thread safety: system_io() is stateless; a test double must be safe for
// the committer and snapshot threads it is given to.

#include <sys/types.h>

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>

namespace rosterd::persist {

class file_io {
public:
    virtual ~file_io() = default;
    virtual ssize_t write(int fd, void const* data, std::size_t n);
    virtual ssize_t pwrite(int fd, void const* data, std::size_t n, off_t offset);
    virtual int fdatasync(int fd);
    virtual int fsync(int fd);
    virtual int ftruncate(int fd, off_t size);
    virtual int rename(char const* from, char const* to);
};

file_io& system_io();

// Writes all of `data` (retrying short writes); false on any error.
bool write_all(file_io& io, int fd, std::string_view data);
// The same at `offset`, leaving the file position alone.
bool pwrite_all(file_io& io, int fd, std::string_view data, std::uint64_t offset);
// fsync()s a directory, so that a rename or create in it is durable.
bool sync_directory(file_io& io, std::filesystem::path const& dir);

// strerror(errno).
std::string errno_text();
// Where a file is written before it is renamed to `path`: path.tmp.
std::filesystem::path tmp_of(std::filesystem::path const& path);

// An open file descriptor, closed on destruction.
class fd_guard {
public:
    explicit fd_guard(int fd = -1) : fd_(fd) {}
    ~fd_guard();
    fd_guard(fd_guard&& other) noexcept : fd_(other.release()) {}
    fd_guard& operator=(fd_guard&& other) noexcept;
    int get() const { return fd_; }
    int release() { int fd = fd_; fd_ = -1; return fd; }

private:
    int fd_;
};

} // namespace rosterd::persist
