#pragma once
// Start-up: finish a restore that was interrupted, load the snapshot,
// check that the journal continues it, replay the journal records after it
// (each request's records whole or not at all), cut a torn tail off the
// journal. Any other damage stops the start: the directory is never
// silently smaller than what was acknowledged, nor a mix of two histories.

#include "persist/data_dir.hpp"
#include "persist/file_io.hpp"
#include "persist/journal_reader.hpp"
#include "persist/snapshot.hpp"
#include "store/directory.hpp"

#include <cstdint>
#include <optional>
#include <string>

namespace rosterd::persist {

struct recovered {
    std::uint64_t last_seq = 0;      // the newest sequence on disk
    std::uint64_t journal_bytes = 0; // where its records end (zeros may follow)
    std::uint64_t replayed = 0;      // journal records applied
    std::uint64_t torn_bytes = 0;    // cut off the journal's end
    std::optional<snapshot_ids> snapshot; // of the snapshot loaded
    std::uint64_t journal_continues = 0;  // what the journal's begin record names
};

// A journal that does not continue the snapshot beside it: replaying it
// would mix two histories.
struct history_error : corruption_error {
    using corruption_error::corruption_error;
};

// Fills the empty `dir` from `files`. Throws corruption_error ("<file>:<offset>: what")
// for damage (history_error for a journal of another history),
// std::runtime_error for I/O errors.
recovered recover(data_dir const& files, store::directory& dir, file_io& io);

// What an operator can do about `damage` found in `files`: for the
// journal, the exact commands that keep what precedes it.
std::string damage_advice(corruption_error const& damage, data_dir const& files);

} // namespace rosterd::persist
