#pragma once
// A file_io that fails the n-th write or pwrite of data, or of zeros (the
// journal grown ahead), (optionally after writing part of it)
// or the n-th fdatasync with EIO, and every ftruncate or rename if told to,
// and counts calls. Thread-safe. before_sync,
// if set, runs on the syncing thread before every fdatasync, with the fd;
// before_fill before every write of zeros; before_rename before every rename.

#include "persist/file_io.hpp"
#include "persist/journal_reader.hpp"
#include "temp_dir.hpp"

#include <atomic>
#include <cerrno>
#include <sys/stat.h>
#include <functional>

namespace rosterd::test {

class faulty_io : public persist::file_io {
public:
    std::atomic<int> writes{0}, fills{0}, syncs{0}, directory_syncs{0};
    int fail_write = 0;      // 1-based; 0: never
    int fail_fill = 0;       // of the zero-filling pwrites, 1-based; 0: never
    int fail_sync = 0;       // 1-based; 0: never
    bool short_write = false; // the failing write first writes half its bytes
    bool fail_truncate = false; // every ftruncate fails
    bool fail_rename = false;   // every rename fails
    std::function<void(int fd)> before_sync;
    std::function<void(int fd, std::size_t zeros)> before_fill;
    std::function<void(char const* from, char const* to)> before_rename;
    std::function<void(int fd)> before_truncate;

    int rename(char const* from, char const* to) override
    {
        if (before_rename)
            before_rename(from, to);
        if (fail_rename) {
            errno = EIO;
            return -1;
        }
        return persist::file_io::rename(from, to);
    }

    int fsync(int fd) override
    {
        struct stat st{};
        if (::fstat(fd, &st) == 0 && S_ISDIR(st.st_mode))
            ++directory_syncs;
        return persist::file_io::fsync(fd);
    }

    int ftruncate(int fd, off_t size) override
    {
        if (before_truncate)
            before_truncate(fd);
        if (fail_truncate) {
            errno = EIO;
            return -1;
        }
        return persist::file_io::ftruncate(fd, size);
    }

    ssize_t write(int fd, void const* data, std::size_t n) override
    {
        if (++writes == fail_write) {
            if (short_write && n > 1)
                persist::file_io::write(fd, data, n / 2);
            errno = EIO;
            return -1;
        }
        return persist::file_io::write(fd, data, n);
    }

    ssize_t pwrite(int fd, void const* data, std::size_t n, off_t offset) override
    {
        if (persist::only_zeros({static_cast<char const*>(data), n})) {
            // The journal grown ahead: counted apart, so that the n-th
            // write is the n-th batch's.
            if (before_fill)
                before_fill(fd, n);
            if (++fills == fail_fill) {
                errno = EIO;
                return -1;
            }
            return persist::file_io::pwrite(fd, data, n, offset);
        }
        if (++writes == fail_write) {
            if (short_write && n > 1)
                persist::file_io::pwrite(fd, data, n / 2, offset);
            errno = EIO;
            return -1;
        }
        return persist::file_io::pwrite(fd, data, n, offset);
    }

    int fdatasync(int fd) override
    {
        if (before_sync)
            before_sync(fd);
        if (++syncs == fail_sync) {
            errno = EIO;
            return -1;
        }
        return persist::file_io::fdatasync(fd);
    }
};

} // namespace rosterd::test
