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

// Writes `dir` to `path` (through `path`.tmp). The caller must not hold the
// directory's lock. Returns false, with the temp file removed, on any error
// or if `before_rename` (run once the file is synced, before it takes the
// snapshot's name) returns false: what makes the batches the walk saw
// durable elsewhere, so that a snapshot never holds a batch a crash would
// take from the journal.
bool write_snapshot(store::directory const& dir, std::uint64_t seq, std::filesystem::path const& path, file_io& io,
                    std::function<bool()> const& before_rename = {});

// Loads the snapshot at `path` into an empty `dir`; its seq, or nullopt if
// there is no snapshot. Throws corruption_error for any damage: a snapshot
// is never torn, since it is renamed into place only when complete.
std::optional<std::uint64_t> load_snapshot(std::filesystem::path const& path, store::directory& dir);

// The same for a snapshot's bytes; `path` only names it in errors.
std::uint64_t load_snapshot_bytes(std::string_view data, std::filesystem::path const& path, store::directory& dir);

} // namespace rosterd::persist
