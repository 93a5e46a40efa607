// Bytes as PostgreSQL might hand them back: a roster_change batch (its
// first and last sequence from the first 16 bytes, then its journal
// records) or a roster_record row, decoded and applied.
#include "persist/codec.hpp"
#include "persist/journal_reader.hpp"
#include "persist/pg/shared_log.hpp"

#include <cstring>

using namespace rosterd;

extern "C" int LLVMFuzzerTestOneInput(std::uint8_t const* data, std::size_t size)
{
    std::string_view bytes(reinterpret_cast<char const*>(data), size);
    store::directory dir;
    try {
        dir.apply(persist::pg::decode_record(bytes));
    } catch (persist::decode_error const&) {
    }
    if (size < 16)
        return 0;
    std::uint64_t first, last;
    std::memcpy(&first, data, 8);
    std::memcpy(&last, data + 8, 8);
    try {
        for (auto& c : persist::pg::decode_batch(bytes.substr(16), first, last))
            dir.apply(std::move(c));
    } catch (persist::corruption_error const&) {
    } catch (persist::decode_error const&) {
    }
    return 0;
}
