// Bytes as a snapshot file.
#include "persist/journal_reader.hpp"
#include "persist/snapshot.hpp"

using namespace rosterd;

extern "C" int LLVMFuzzerTestOneInput(std::uint8_t const* data, std::size_t size)
{
    store::directory dir;
    try {
        persist::load_snapshot_bytes(std::string_view(reinterpret_cast<char const*>(data), size), "snapshot", dir);
    } catch (persist::corruption_error const&) {
    }
    return 0;
}
