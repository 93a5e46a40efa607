#include "persist/recovery.hpp"

#include "log/log.hpp"
#include "persist/codec.hpp"
#include "persist/journal_reader.hpp"
#include "persist/snapshot.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <utility>
#include <vector>

namespace rosterd::persist {

recovered recover(data_dir const& files, store::directory& dir, file_io& io)
{
    // A snapshot.tmp is a snapshot that never finished: never read it.
    std::filesystem::remove(tmp_of(files.snapshot()));
    std::filesystem::remove(tmp_of(files.journal()));

    recovered r;
    auto const snapshot_seq = load_snapshot(files.snapshot(), dir).value_or(0);
    r.last_seq = snapshot_seq;

    auto const path = files.journal();
    mapped_file const file(path);
    auto const data = file.bytes();
    std::uint64_t previous = 0;
    // The changes of the unit being read (journal_format.hpp), applied
    // once its last record is read; where the unit starts.
    std::vector<std::pair<std::uint64_t, store::change>> unit;
    std::uint64_t unit_start = 0;
    auto const scan = scan_records(data, path, [&](record_type type, std::string_view payload, std::uint64_t off) {
        try {
            if (type != record_type::change && type != record_type::change_part)
                throw decode_error("not a change record");
            decoder d(payload);
            auto const seq = d.u64();
            auto c = decode_change(d);
            if (!d.done())
                throw decode_error("trailing bytes in record");
            if (seq <= previous)
                throw decode_error("sequence " + std::to_string(seq) + " does not follow " + std::to_string(previous));
            previous = seq;
            if (unit.empty())
                unit_start = off;
            unit.emplace_back(seq, std::move(c));
            if (type == record_type::change_part)
                return;
            for (auto& [s, change] : unit) {
                if (s > snapshot_seq) {
                    dir.apply(std::move(change));
                    ++r.replayed;
                }
                r.last_seq = std::max(r.last_seq, s);
            }
            unit.clear();
        } catch (decode_error const& e) {
            throw corruption_error(path, off, e.what());
        }
    });

    // A unit that no change record ends was never whole on disk, so never
    // acknowledged: it goes with the torn tail.
    r.journal_bytes = unit.empty() ? scan.valid_end : unit_start;
    if (r.journal_bytes != scan.size) {
        r.torn_bytes = scan.size - r.journal_bytes;
        fd_guard fd(::open(path.c_str(), O_WRONLY | O_CLOEXEC));
        if (fd.get() < 0 || io.ftruncate(fd.get(), static_cast<off_t>(r.journal_bytes)) != 0 || io.fsync(fd.get()) != 0)
            throw std::runtime_error(path.string() + ": cannot cut the torn tail: " + std::strerror(errno));
        log::warn(path.string() + ":" + std::to_string(r.journal_bytes) + ": torn tail cut off, " +
                  std::to_string(r.torn_bytes) + " bytes dropped" +
                  (unit.empty() ? std::string() : " (with " + std::to_string(unit.size()) + " change(s) of a request "
                                                  "whose last record was never written)"));
    }
    return r;
}

std::string damage_advice(corruption_error const& damage, data_dir const& files)
{
    if (damage.file != files.journal())
        return "the data directory is damaged: restore it from a backup (rosterd restore)";
    auto const journal = files.journal().string();
    auto const at = std::to_string(damage.offset);
    std::string advice = "the journal is damaged at byte ";
    advice.append(at).append(", with whole records after it, so this is not a torn tail: restore the data "
                             "directory from a backup (rosterd restore), or keep the journal up to the damage, "
                             "losing the changes from there on: cp '");
    advice.append(journal).append("' '").append(journal).append(".damaged' && truncate -s ").append(at);
    advice.append(" '").append(journal).append("'");
    return advice;
}

} // namespace rosterd::persist
