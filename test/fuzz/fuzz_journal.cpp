// Bytes as a journal file: framing, checksums, decoding, replay.
#include "persist/codec.hpp"
#include "persist/journal_reader.hpp"
#include "store/directory.hpp"

using namespace rosterd;

extern "C" int LLVMFuzzerTestOneInput(std::uint8_t const* data, std::size_t size)
{
    store::directory dir;
    try {
        persist::scan_records(std::string_view(reinterpret_cast<char const*>(data), size), "journal",
                              [&](persist::record_type, std::string_view payload, std::uint64_t) {
                                  persist::decoder d(payload);
                                  d.u64();
                                  dir.apply(persist::decode_change(d));
                              });
    } catch (persist::corruption_error const&) {
    } catch (persist::decode_error const&) {
    }
    return 0;
}
