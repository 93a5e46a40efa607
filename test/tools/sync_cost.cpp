// Measures what a journal commit costs the disk under DIR, the two ways a
// journal can grow:
//   sync_cost DIR [COMMITS, default 2000]
// append: a 256-byte record appended (O_APPEND), then fdatasync; the file's
//   size changes, so each sync also commits the file system's metadata.
// overwrite: the same records written over a file whose blocks were written
//   (zeros) and synced before, then fdatasync: data only.
// Prints the wall time and this process's CPU time per commit for each.
// Not a test: what it reports is a property of the machine's disk.
#include <fcntl.h>
#include <sys/resource.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <string>

namespace {

constexpr std::size_t record_bytes = 256;

double cpu_seconds()
{
    rusage r{};
    ::getrusage(RUSAGE_SELF, &r);
    auto seconds = [](timeval t) { return static_cast<double>(t.tv_sec) + static_cast<double>(t.tv_usec) / 1e6; };
    return seconds(r.ru_utime) + seconds(r.ru_stime);
}

struct cost {
    double wall_us, cpu_us;
};

// Runs `commit(i)` `n` times, timed.
template <class Commit>
cost timed(int n, Commit&& commit)
{
    auto const cpu_start = cpu_seconds();
    auto const start = std::chrono::steady_clock::now();
    for (int i = 0; i < n; ++i)
        commit(i);
    std::chrono::duration<double, std::micro> const wall = std::chrono::steady_clock::now() - start;
    return {wall.count() / n, (cpu_seconds() - cpu_start) * 1e6 / n};
}

void must(bool ok, char const* what)
{
    if (!ok) {
        std::perror(what);
        std::exit(1);
    }
}

} // namespace

int main(int argc, char** argv)
{
    if (argc < 2 || argc > 3) {
        std::fprintf(stderr, "usage: sync_cost DIR [COMMITS]\n");
        return 2;
    }
    std::filesystem::path const dir(argv[1]);
    int const n = argc == 3 ? std::stoi(argv[2]) : 2000;
    std::string const record(record_bytes, 'r');

    auto const appended = dir / "sync_cost.append";
    std::filesystem::remove(appended);
    int fd = ::open(appended.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
    must(fd >= 0, "open");
    auto const append = timed(n, [&](int) {
        must(::write(fd, record.data(), record.size()) == static_cast<ssize_t>(record.size()), "write");
        must(::fdatasync(fd) == 0, "fdatasync");
    });
    ::close(fd);
    std::filesystem::remove(appended);

    auto const zeroed = dir / "sync_cost.zeroed";
    std::filesystem::remove(zeroed);
    fd = ::open(zeroed.c_str(), O_WRONLY | O_CREAT | O_CLOEXEC, 0600);
    must(fd >= 0, "open");
    std::string const zeros(record_bytes * static_cast<std::size_t>(n), '\0');
    must(::write(fd, zeros.data(), zeros.size()) == static_cast<ssize_t>(zeros.size()), "write");
    must(::fsync(fd) == 0, "fsync");
    auto const overwrite = timed(n, [&](int i) {
        auto const at = static_cast<off_t>(record_bytes) * i;
        must(::pwrite(fd, record.data(), record.size(), at) == static_cast<ssize_t>(record.size()), "pwrite");
        must(::fdatasync(fd) == 0, "fdatasync");
    });
    ::close(fd);
    std::filesystem::remove(zeroed);

    std::printf("append + fdatasync:    %6.1f us per commit, %5.1f us of CPU\n", append.wall_us, append.cpu_us);
    std::printf("overwrite + fdatasync: %6.1f us per commit, %5.1f us of CPU\n", overwrite.wall_us, overwrite.cpu_us);
    return 0;
}
