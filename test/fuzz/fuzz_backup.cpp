// Bytes as the body of a backup file (rosterd restore). The fuzzer's bytes
// get a valid checksum appended, so that what lies behind it is reached:
// the framing of the sections, the snapshot loader, the journal's records.
#include "replay.hpp"

#include "persist/backup.hpp"
#include "persist/snapshot.hpp"

#include <openssl/evp.h>

using namespace rosterd;

extern "C" int LLVMFuzzerTestOneInput(std::uint8_t const* data, std::size_t size)
{
    std::string backup(reinterpret_cast<char const*>(data), size);
    unsigned char digest[32];
    unsigned int len = 0;
    EVP_Digest(backup.data(), backup.size(), digest, &len, EVP_sha256(), nullptr);
    backup.append(reinterpret_cast<char const*>(digest), len);
    try {
        auto const contents = persist::read_backup(backup);
        store::directory dir;
        persist::load_snapshot_bytes(contents.snapshot, "snapshot", dir);
        fuzz::replay(contents.journal, dir);
    } catch (persist::corruption_error const&) {
    } catch (persist::decode_error const&) {
    }
    return 0;
}
