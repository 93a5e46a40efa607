#include "persist/recovery.hpp"

#include "log/log.hpp"
#include "persist/codec.hpp"
#include "persist/journal_reader.hpp"
#include "persist/snapshot.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace rosterd::persist {

recovered recover(data_dir const& files, store::directory& dir, file_io& io)
{
    // A snapshot.tmp is a snapshot that never finished: never read it.
    std::filesystem::remove(std::filesystem::path(files.snapshot().string() + ".tmp"));
    std::filesystem::remove(std::filesystem::path(files.journal().string() + ".tmp"));

    recovered r;
    auto const snapshot_seq = load_snapshot(files.snapshot(), dir).value_or(0);
    r.last_seq = snapshot_seq;

    auto const path = files.journal();
    mapped_file const file(path);
    auto const data = file.bytes();
    std::uint64_t previous = 0;
    auto const scan = scan_records(data, path, [&](record_type type, std::string_view payload, std::uint64_t off) {
        try {
            if (type != record_type::change)
                throw decode_error("not a change record");
            decoder d(payload);
            auto const seq = d.u64();
            auto c = decode_change(d);
            if (!d.done())
                throw decode_error("trailing bytes in record");
            if (seq <= previous)
                throw decode_error("sequence " + std::to_string(seq) + " does not follow " + std::to_string(previous));
            previous = seq;
            if (seq > snapshot_seq) {
                dir.apply(std::move(c));
                ++r.replayed;
            }
            r.last_seq = std::max(r.last_seq, seq);
        } catch (decode_error const& e) {
            throw corruption_error(path, off, e.what());
        }
    });

    r.journal_bytes = scan.valid_end;
    if (scan.torn()) {
        r.torn_bytes = scan.size - scan.valid_end;
        fd_guard fd(::open(path.c_str(), O_WRONLY | O_CLOEXEC));
        if (fd.get() < 0 || io.ftruncate(fd.get(), static_cast<off_t>(scan.valid_end)) != 0 || io.fsync(fd.get()) != 0)
            throw std::runtime_error(path.string() + ": cannot cut the torn last record: " + std::strerror(errno));
        log::warn(path.string() + ":" + std::to_string(scan.valid_end) + ": torn last record cut off, " +
                  std::to_string(r.torn_bytes) + " bytes dropped");
    }
    return r;
}

} // namespace rosterd::persist
