#include "persist/local/recovery.hpp"

#include "log/log.hpp"
#include "persist/backup.hpp"
#include "persist/codec.hpp"
#include "persist/journal_reader.hpp"
#include "persist/snapshot.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <utility>
#include <vector>

namespace rosterd::persist {

namespace {

std::string hex(std::uint64_t id)
{
    char text[17];
    std::snprintf(text, sizeof text, "%016llx", static_cast<unsigned long long>(id));
    return text;
}

// What a journal's begin record says; a journal from before there were
// names has none, and continues snapshot 0.
struct journal_start {
    std::uint64_t continues = 0;
    bool empty_start = false;
    bool named = false;
};

// Whether the journal continues the snapshot loaded, if any.
void check_history(std::filesystem::path const& journal, std::optional<snapshot_info> const& snapshot,
                   journal_start const& start)
{
    auto const continues = start.continues;
    if (!snapshot && start.named && !start.empty_start)
        throw history_error(journal, 0, "the journal continues snapshot " + hex(continues) + ", and there is no snapshot");
    if (snapshot && !snapshot->ids.continued_by(continues))
        throw history_error(journal, 0,
                            "the journal continues snapshot " + hex(continues) + ", not the snapshot in place (" +
                                hex(snapshot->ids.id) + ")");
}

} // namespace

recovered recover(data_dir const& files, store::directory& dir, file_io& io)
{
    if (finish_restore(files, io))
        log::warn(files.root().string() + ": a restore that a crash interrupted was finished");
    // A snapshot.tmp is a snapshot that never finished: never read it.
    std::filesystem::remove(tmp_of(files.snapshot()));
    std::filesystem::remove(retired_of(files.snapshot()));
    std::filesystem::remove(retired_of(files.journal()));
    std::filesystem::remove(tmp_of(files.journal()));

    recovered r;
    auto const snapshot = load_snapshot(files.snapshot(), dir);
    auto const snapshot_seq = snapshot ? snapshot->seq : 0;
    r.last_seq = snapshot_seq;
    if (snapshot)
        r.snapshot = snapshot->ids;

    auto const path = files.journal();
    mapped_file const file(path);
    auto const data = file.bytes();
    std::uint64_t previous = 0;
    // The changes of the unit being read (journal_format.hpp), applied
    // once its last record is read; where the unit starts.
    std::vector<std::pair<std::uint64_t, store::change>> unit;
    std::uint64_t unit_start = 0;
    journal_start start;
    auto const scan = scan_records(data, path, [&](record_type type, std::string_view payload, std::uint64_t off) {
        try {
            decoder d(payload);
            if (type == record_type::journal_begin && off == 0) {
                start.named = true;
                start.continues = d.u64();
                start.empty_start = d.boolean();
                if (!d.done())
                    throw decode_error("trailing bytes in record");
                return;
            }
            if (type != record_type::change && type != record_type::change_part)
                throw decode_error("not a change record");
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

    // Checked before anything is cut: a journal of another history is left
    // as it is found. One with no whole record continues nothing.
    if (scan.valid_end != 0)
        check_history(path, snapshot, start);
    r.journal_continues = start.continues;

    // A unit that no change record ends was never whole on disk, so never
    // acknowledged: it goes with the torn tail.
    r.journal_bytes = unit.empty() ? scan.valid_end : unit_start;
    // Zeros past the end are the journal grown ahead (committer.hpp): kept
    // for the next writes. Anything else past it is cut.
    if (!only_zeros(data.substr(r.journal_bytes))) {
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
    if (dynamic_cast<history_error const*>(&damage)) {
        std::string advice = "the snapshot and the journal are of two histories (files copied or restored by "
                             "hand?): restore the data directory from a backup (rosterd restore), or, if the "
                             "snapshot is the one to keep, set the journal aside, losing its changes: mv '";
        advice.append(journal).append("' '").append(journal).append(".other'");
        return advice;
    }
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
