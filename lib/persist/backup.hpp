#pragma once
// Online backup: one file holding a snapshot of the directory and the
// journal records that bring it to one point in time, with a checksum.
//
//   "rosterd backup 1\n"
//   snapshot_length: u64 LE | snapshot: a snapshot file's bytes (snapshot.hpp)
//   journal_length:  u64 LE | journal:  journal records (journal_format.hpp)
//   sha256: 32 bytes, of everything before it
//
// make_backup() takes one from a running server without stopping it: it
// starts capturing the committer's durable records, writes a fuzzy
// snapshot (the read lock held a chunk at a time, as for any snapshot),
// then ends the capture. Replaying the captured records over the snapshot
// gives the directory exactly as it was when the capture ended: journal
// records are after-images, and one request is one record.
//
// restore_backup() checks the checksum, then that the contents load (in a
// staging directory, with the same recovery as a start), then installs them
// as the data directory's snapshot and journal, keeping what they replace.
// The pair is installed as one: the staging directory is renamed to
// restore.ready (the moment the restore is decided), then each file moved
// into place; a crash in between is finished by the next start
// (finish_restore), so no start ever sees one file of the backup beside
// one of the directory it replaces.

#include "persist/backend.hpp"
#include "persist/data_dir.hpp"
#include "persist/file_io.hpp"
#include "store/directory.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace rosterd::persist {

// The backup's bytes; nullopt when the committer keeps no journal (memory
// mode) or another backup is being taken. Throws std::runtime_error when
// the snapshot cannot be written. Thread safety: from any thread but the
// committer's, holding no lock of the directory.
std::optional<std::string> make_backup(backend& log, store::directory const& dir, data_dir const& files,
                                       file_io& io);

// The two sections of a backup.
struct backup_contents {
    std::string_view snapshot;
    std::string_view journal;
};

// Checks a backup's framing and checksum: its sections, pointing into
// `backup`. Throws corruption_error.
backup_contents read_backup(std::string_view backup);

struct restored {
    std::size_t users = 0;
    std::size_t groups = 0;
    std::size_t tokens = 0;
    std::size_t audit_events = 0;
    std::uint64_t seq = 0; // the last change the backup holds
    bool replaced = false; // the directory had a snapshot or journal, now *.before-restore
};

// Installs `backup` into `files`, whose lock the caller holds. Throws
// corruption_error for a damaged or foreign file (nothing is changed then),
// std::runtime_error for I/O errors.
restored restore_backup(std::string_view backup, data_dir const& files, file_io& io);

// Finishes installing a restore that was decided (restore.ready exists) but
// interrupted; removes one that was not (restore/). Whether one was
// finished. Throws std::runtime_error for I/O errors. Run by recover().
bool finish_restore(data_dir const& files, file_io& io);

} // namespace rosterd::persist
