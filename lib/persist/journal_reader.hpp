#pragma once
// Reads framed records (journal_format.hpp) and tells a torn tail from
// corruption, as PostgreSQL's WAL replay and RocksDB's point-in-time
// recovery do. Only the last write can be torn: fewer bytes than a header
// left, a valid header whose length runs past the end, nothing but zeros
// from the record to the end, or a valid header whose payload fails its
// checksum with nothing but zeros (or nothing) after it (pages the kernel
// never wrote). The journal is written over zeros (committer.hpp), and the
// pages of a write that was never synced reach the disk in any order: a
// record that reaches into a page of zeros - from the record to its page's
// end, or a whole page it spans - is where such a write begins, whatever
// its later pages hold. Anything else that does not check out is
// corruption, with valid records after it: reported with its offset.

#include "persist/journal_format.hpp"

#include <cstdint>
#include <filesystem>
#include <functional>
#include <stdexcept>
#include <string>
#include <string_view>

namespace rosterd::persist {

// Damage that is not a torn tail: start-up must stop.
struct corruption_error : std::runtime_error {
    corruption_error(std::filesystem::path const& file, std::uint64_t offset, std::string const& what);
    std::filesystem::path file;
    std::uint64_t offset;
};

// The unit in which the disk writes a file's pages.
inline constexpr std::uint64_t page_size = 4096;

// Whether every byte of `bytes` is zero.
bool only_zeros(std::string_view bytes);

struct scan_result {
    std::uint64_t valid_end = 0; // bytes up to the end of the last whole record
    std::uint64_t size = 0;      // bytes in the input
    bool torn() const { return valid_end != size; }
};

using record_fn = std::function<void(record_type type, std::string_view payload, std::uint64_t offset)>;

// Calls `on_record` for every whole, checked record of `data` in order.
// Throws corruption_error (naming `file`) for damage other than a torn tail,
// and whatever `on_record` throws.
scan_result scan_records(std::string_view data, std::filesystem::path const& file, record_fn const& on_record);

// The whole file; an empty string if it does not exist. Throws
// std::runtime_error naming the file if it cannot be read.
std::string read_whole_file(std::filesystem::path const& file);

// The same, mapped read-only rather than copied: a snapshot may be hundreds
// of megabytes, and loading one should not first zero and fill a copy.
// The file must not shrink while mapped (the data directory's lock sees to
// that).
class mapped_file {
public:
    explicit mapped_file(std::filesystem::path const& file);
    ~mapped_file();
    mapped_file(mapped_file const&) = delete;
    mapped_file& operator=(mapped_file const&) = delete;

    std::string_view bytes() const { return {static_cast<char const*>(data_), size_}; }

private:
    void* data_ = nullptr;
    std::size_t size_ = 0;
};

} // namespace rosterd::persist
