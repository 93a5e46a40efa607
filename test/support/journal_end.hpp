#pragma once
// Where a journal's records end: the file is grown ahead with zeros
// (persist/local/committer.hpp), so its size says only how far it was grown.

#include "persist/journal_reader.hpp"

#include <cstdint>
#include <filesystem>

namespace rosterd::test {

inline std::uint64_t journal_end(std::filesystem::path const& journal)
{
    auto const bytes = persist::read_whole_file(journal);
    return persist::scan_records(bytes, journal, [](persist::record_type, std::string_view, std::uint64_t) {})
        .valid_end;
}

} // namespace rosterd::test
