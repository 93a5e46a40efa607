// Bytes as the body of a backup file (rosterd restore). The fuzzer's bytes
// get a valid checksum appended, so that what lies behind it is reached:
// the framing of the sections, the snapshot loader, the journal's records.
#include "persist/backup.hpp"
#include "persist/codec.hpp"
#include "persist/journal_reader.hpp"
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
        persist::scan_records(contents.journal, "journal", [&](persist::record_type, std::string_view payload,
                                                               std::uint64_t) {
            persist::decoder d(payload);
            d.u64();
            dir.apply(persist::decode_change(d));
        });
    } catch (persist::corruption_error const&) {
    } catch (persist::decode_error const&) {
    }
    return 0;
}
