#pragma once
// A snapshot: the whole directory as of journal sequence `seq`, written
// atomically (temp file, fdatasync, rename, fsync of the directory).
//
// Writing is fuzzy: the directory's read lock is held for one chunk of
// records at a time, so requests go on while a large directory is written,
// and a record may be seen as it was after `seq`. That is harmless because
// journal records are after-images: replaying every record after `seq` on
// top of the snapshot yields the same directory, whichever version of a
// record the snapshot caught.

#include "persist/file_io.hpp"
#include "store/directory.hpp"

#include <cstdint>
#include <filesystem>
#include <functional>
#include <optional>

namespace rosterd::persist {

// Records per read-lock hold while writing.
inline constexpr std::size_t snapshot_chunk = 512;

// Names that tie a journal to the snapshot it continues, so that start-up
// never replays a journal onto a snapshot of another history (a restore
// interrupted, files copied by hand). `id` names this snapshot: the journal
// started after it names it in its journal_begin record (journal_format.hpp).
// `predecessor` is the snapshot that the journal in place when it was
// written continues: the journal is replaced only after the snapshot takes
// its name, so a crash may leave the two together, and that pair is whole.
// 0 is "none": a snapshot or journal written before there were names, or
// the journal of a directory that never had a snapshot.
struct snapshot_ids {
    std::uint64_t id = 0;
    std::uint64_t predecessor = 0;
    bool continued_by(std::uint64_t journal_continues) const
    {
        return journal_continues == id || journal_continues == predecessor;
    }
};

// A fresh random id, never 0.
std::uint64_t new_snapshot_id();

// A journal's first record: it continues the snapshot `snapshot_id`, or
// (`empty_start`) a directory that had no snapshot, then named so.
std::string journal_begin_record(std::uint64_t snapshot_id, bool empty_start = false);

struct snapshot_info {
    std::uint64_t seq = 0;
    snapshot_ids ids;
};

// Writes `dir` to `path` (through `path`.tmp). The caller must not hold the
// directory's lock. Returns false, with the temp file removed, on any error
// or if `before_rename` (run once the file is synced, before it takes the
// snapshot's name) returns false: what makes the batches the walk saw
// durable elsewhere, so that a snapshot never holds a batch a crash would
// take from the journal. The snapshot replaced is kept as retired_of(path)
// while it is taken apart a few megabytes at a time (remove_paced).
bool write_snapshot(store::directory const& dir, std::uint64_t seq, snapshot_ids ids, std::filesystem::path const& path,
                    file_io& io, std::function<bool()> const& before_rename = {});

// Where a replaced snapshot (or journal) waits to be removed: a second name
// of it, made before the rename over it, so that the rename frees nothing.
// Start-up removes one a crash left (unlinked only: it may still be the
// file in place).
std::filesystem::path retired_of(std::filesystem::path const& path);

// Gives a file's blocks back a few megabytes at a time, then unlinks it:
// freeing a snapshot of a million users (160 MB) in one unlink held the
// file system's journal for 50 ms, and every journal fdatasync meanwhile
// waited (RocksDB's DeleteScheduler truncates files likewise). Only for a
// file no other name shares.
void remove_paced(file_io& io, std::filesystem::path const& path);

// Loads the snapshot at `path` into an empty `dir`; its seq and ids, or
// nullopt if there is no snapshot. Throws corruption_error for any damage: a snapshot
// is never torn, since it is renamed into place only when complete.
std::optional<snapshot_info> load_snapshot(std::filesystem::path const& path, store::directory& dir);

// The same for a snapshot's bytes; `path` only names it in errors.
snapshot_info load_snapshot_bytes(std::string_view data, std::filesystem::path const& path, store::directory& dir);

} // namespace rosterd::persist
