#pragma once
// What recovery does with a journal's bytes, for the fuzz targets: frame,
// check, decode and apply every record. Throws corruption_error or
// decode_error for bad input.

#include "persist/codec.hpp"
#include "persist/journal_reader.hpp"
#include "store/directory.hpp"

#include <string_view>

namespace rosterd::fuzz {

inline void replay(std::string_view journal, store::directory& dir)
{
    persist::scan_records(journal, "journal", [&](persist::record_type, std::string_view payload, std::uint64_t) {
        persist::decoder d(payload);
        d.u64();
        dir.apply(persist::decode_change(d));
    });
}

} // namespace rosterd::fuzz
