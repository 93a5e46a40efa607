#pragma once
// Start-up: load the snapshot, replay the journal records after it (each
// request's records whole or not at all), cut a torn tail off the journal.
// Any other damage stops the start: the directory is never silently
// smaller than what was acknowledged.

#include "persist/data_dir.hpp"
#include "persist/file_io.hpp"
#include "persist/journal_reader.hpp"
#include "store/directory.hpp"

#include <cstdint>
#include <string>

namespace rosterd::persist {

struct recovered {
    std::uint64_t last_seq = 0;      // the newest sequence on disk
    std::uint64_t journal_bytes = 0; // the journal's size after any cut
    std::uint64_t replayed = 0;      // journal records applied
    std::uint64_t torn_bytes = 0;    // cut off the journal's end
};

// Fills the empty `dir` from `files`. Throws corruption_error ("<file>:<offset>: what")
// for damage, std::runtime_error for I/O errors.
recovered recover(data_dir const& files, store::directory& dir, file_io& io);

// What an operator can do about `damage` found in `files`: for the
// journal, the exact commands that keep what precedes it.
std::string damage_advice(corruption_error const& damage, data_dir const& files);

} // namespace rosterd::persist
