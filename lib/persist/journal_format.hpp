#pragma once
// The on-disk record grammar, shared by the journal and the snapshot:
//
//   record  := header payload
//   header  := header_crc:u32 | length:u32 | type:u8 | payload_crc:u32   (13 bytes)
//   payload := length bytes
//
// Integers are little-endian. CRCs are CRC-32C, masked as leveldb masks them
// (a CRC of data that holds CRCs is then not itself a trivial value).
// header_crc covers length, type and payload_crc, so a damaged length is seen
// as corruption rather than mistaken for a record that runs past the end of
// the file (a torn tail).
//
// Journal payload := seq:u64 | change   (see codec.hpp)
// A journal starts with a journal_begin record naming the snapshot it
// continues (snapshot.hpp), or, in a directory that never had a snapshot,
// naming its empty start; journals written before there were names have
// none, and continue snapshot 0. Then it is a sequence of change records with
// strictly increasing seq,
// grouped into units, one per request: a request's changes but its last
// are change_part records and its last is a change record, which ends the
// unit (a request of one change is one change record, as before units
// existed). Replay is all-or-nothing per unit: parts that no change record
// ends are a torn tail.
// A snapshot is: snapshot_begin, then one put_* change record per group,
// user, token, audit event and kept answer, then snapshot_end.

#include <boost/crc.hpp>

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>

namespace rosterd::persist {

enum class record_type : std::uint8_t {
    change = 1,         // journal: a request's last (or only) change, ending its unit
    snapshot_begin = 2, // seq:u64 | next user, group, token id: u64 x3 [| next audit id: u64
                        //   [| snapshot id: u64 | predecessor id: u64]]
    snapshot_item = 3,  // a put_group / put_user / put_token change
    snapshot_end = 4,   // item count: u64
    change_part = 5,    // journal: a change of a request's unit that is not its last
    journal_begin = 6,  // journal: its first record: snapshot id: u64 | from an empty directory: u8
};

inline constexpr std::size_t header_size = 13;
inline constexpr std::uint32_t max_record_size = 16 * 1024 * 1024;

// CRC-32C (Castagnoli). crc32c() uses the CPU's crc32 instruction where
// there is one (SSE4.2): loading a large snapshot checks every byte, and the
// instruction is about ten times faster than Boost.CRC's table. Both give
// the same values; crc32c_portable() is the table, for any CPU.
std::uint32_t crc32c(std::string_view data);

inline std::uint32_t crc32c_portable(std::string_view data)
{
    boost::crc_optimal<32, 0x1EDC6F41, 0xFFFFFFFF, 0xFFFFFFFF, true, true> crc;
    crc.process_bytes(data.data(), data.size());
    return crc.checksum();
}

inline constexpr std::uint32_t mask_delta = 0xa282ead8u;
inline std::uint32_t mask_crc(std::uint32_t crc) { return ((crc >> 15) | (crc << 17)) + mask_delta; }

inline void put_u32(std::string& out, std::uint32_t v)
{
    for (int i = 0; i < 4; ++i)
        out.push_back(static_cast<char>(v >> (8 * i)));
}

inline std::uint32_t get_u32(char const* p)
{
    std::uint32_t v = 0;
    for (int i = 3; i >= 0; --i)
        v = (v << 8) | static_cast<unsigned char>(p[i]);
    return v;
}

// The header fields after header_crc, as header_crc covers them.
inline std::uint32_t header_crc(char const* after_crc)
{
    return mask_crc(crc32c(std::string_view(after_crc, header_size - 4)));
}

// Appends one framed record to `out`.
inline void append_record(std::string& out, record_type type, std::string_view payload)
{
    auto const start = out.size();
    put_u32(out, 0); // header_crc, filled below
    put_u32(out, static_cast<std::uint32_t>(payload.size()));
    out.push_back(static_cast<char>(type));
    put_u32(out, mask_crc(crc32c(payload)));
    auto const hcrc = header_crc(out.data() + start + 4);
    for (int i = 0; i < 4; ++i)
        out[start + static_cast<std::size_t>(i)] = static_cast<char>(hcrc >> (8 * i));
    out.append(payload);
}

} // namespace rosterd::persist
