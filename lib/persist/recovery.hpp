#pragma once
// Start-up: load the snapshot, replay the journal records after it, cut a
// torn last record off the journal. Any other damage stops the start: the
// directory is never silently smaller than what was acknowledged.

#include "persist/data_dir.hpp"
#include "persist/file_io.hpp"
#include "store/directory.hpp"

#include <cstdint>

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

} // namespace rosterd::persist
