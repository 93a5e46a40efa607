// Bytes as a journal file: framing, checksums, decoding, replay.
#include "replay.hpp"

using namespace rosterd;

extern "C" int LLVMFuzzerTestOneInput(std::uint8_t const* data, std::size_t size)
{
    store::directory dir;
    try {
        fuzz::replay(std::string_view(reinterpret_cast<char const*>(data), size), dir);
    } catch (persist::corruption_error const&) {
    } catch (persist::decode_error const&) {
    }
    return 0;
}
