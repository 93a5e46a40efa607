#include "persist/data_dir.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <stdexcept>
#include <string>

namespace rosterd::persist {

namespace {

[[noreturn]] void fail(std::filesystem::path const& path, std::string_view what)
{
    throw std::runtime_error(path.string() + ": " + std::string(what) + ": " + std::strerror(errno));
}

} // namespace

data_dir::data_dir(std::filesystem::path root) : root_(std::move(root))
{
    std::error_code ec;
    if (root_.has_parent_path())
        std::filesystem::create_directories(root_.parent_path(), ec);
    if (::mkdir(root_.c_str(), 0700) != 0 && errno != EEXIST)
        fail(root_, "cannot create the data directory");
    struct stat st{};
    if (::stat(root_.c_str(), &st) != 0)
        fail(root_, "cannot read the data directory");
    if (!S_ISDIR(st.st_mode)) {
        errno = ENOTDIR;
        fail(root_, "not a directory");
    }
    if ((st.st_mode & 0077) != 0 && ::chmod(root_.c_str(), 0700) != 0)
        fail(root_, "cannot make the data directory private (mode 0700)");
}

data_dir::~data_dir()
{
    if (lock_fd_ >= 0)
        ::close(lock_fd_);
}

void data_dir::lock()
{
    auto const path = lock_file();
    int const fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
    if (fd < 0)
        fail(path, "cannot open");
    // An open file description lock: unlike a classic POSIX lock it also
    // conflicts within one process, and goes away with the descriptor.
    struct flock fl{};
    fl.l_type = F_WRLCK;
    fl.l_whence = SEEK_SET;
    if (::fcntl(fd, F_OFD_SETLK, &fl) != 0) {
        ::close(fd);
        throw std::runtime_error(root_.string() + ": another rosterd is running on this data directory (" +
                                 path.string() + " is locked)");
    }
    lock_fd_ = fd;
}

void data_dir::give_files_to_owner() const
{
    struct stat dir {};
    if (::geteuid() != 0 || ::stat(root_.c_str(), &dir) != 0 || dir.st_uid == 0)
        return;
    for (auto const& entry : std::filesystem::directory_iterator(root_)) {
        if (entry.is_regular_file() && ::chown(entry.path().c_str(), dir.st_uid, dir.st_gid) != 0)
            fail(entry.path(), "cannot give to the data directory's owner");
    }
}

void data_dir::write_bootstrap_token(std::string_view secret, file_io& io) const
{
    auto const path = bootstrap_token();
    int const fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0600);
    if (fd < 0)
        fail(path, "cannot create");
    std::string const line = std::string(secret) + "\n";
    bool const ok = ::fchmod(fd, 0600) == 0
        && ::write(fd, line.data(), line.size()) == static_cast<ssize_t>(line.size())
        && io.fsync(fd) == 0;
    int const saved = errno;
    ::close(fd);
    errno = saved;
    if (!ok)
        fail(path, "cannot write");
    // Its name, too: the only copy of the first superuser's secret.
    if (!sync_directory(io, root_))
        fail(root_, "cannot sync");
}

} // namespace rosterd::persist
