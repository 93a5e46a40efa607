#include "persist/journal_reader.hpp"

#include "persist/file_io.hpp"

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

namespace rosterd::persist {

corruption_error::corruption_error(std::filesystem::path const& file, std::uint64_t offset, std::string const& what)
    : std::runtime_error(file.string() + ":" + std::to_string(offset) + ": " + what), file(file), offset(offset)
{
}

bool only_zeros(std::string_view bytes)
{
    return std::all_of(bytes.begin(), bytes.end(), [](char c) { return c == 0; });
}

namespace {

// Whether the bytes [from, to) reach into a page the disk never wrote: from
// `from` to the end of its page, or a whole page that starts before `to`,
// reads as zeros.
bool reaches_unwritten_page(std::string_view data, std::uint64_t from, std::uint64_t to)
{
    to = std::min<std::uint64_t>(to, data.size());
    for (auto start = from; start < to; start = (start / page_size + 1) * page_size) {
        auto const end = std::min<std::uint64_t>((start / page_size + 1) * page_size, data.size());
        if (only_zeros(data.substr(start, end - start)))
            return true;
    }
    return false;
}

} // namespace

scan_result scan_records(std::string_view data, std::filesystem::path const& file, record_fn const& on_record)
{
    scan_result result{0, data.size()};
    std::uint64_t pos = 0;
    while (pos < data.size()) {
        auto const rest = data.substr(pos);
        if (rest.size() < header_size)
            return result; // torn: a header cut short
        char const* h = rest.data();
        if (get_u32(h) != header_crc(h + 4)) {
            if (only_zeros(rest) || reaches_unwritten_page(data, pos, pos + header_size))
                return result; // torn: zeros to the end of the file, or a page never written
            throw corruption_error(file, pos, "damaged record header");
        }
        auto const length = get_u32(h + 4);
        auto const type = static_cast<record_type>(static_cast<unsigned char>(h[8]));
        if (length > max_record_size)
            throw corruption_error(file, pos, "record length " + std::to_string(length) + " over the limit");
        if (rest.size() - header_size < length)
            return result; // torn: the record runs past the end of the file
        auto const payload = rest.substr(header_size, length);
        if (get_u32(h + 9) != mask_crc(crc32c(payload))) {
            // Its header made it to disk, some of its pages did not (they
            // read as zeros, or as whatever the last record left there).
            if (only_zeros(rest.substr(header_size + length))
                || reaches_unwritten_page(data, pos, pos + header_size + length))
                return result; // torn: the last record, whole in length but not in content
            throw corruption_error(file, pos, "record checksum mismatch");
        }
        on_record(type, payload, pos);
        pos += header_size + length;
        result.valid_end = pos;
    }
    return result;
}

std::string read_whole_file(std::filesystem::path const& file)
{
    fd_guard fd(::open(file.c_str(), O_RDONLY | O_CLOEXEC));
    if (fd.get() < 0) {
        if (errno == ENOENT)
            return {};
        throw std::runtime_error(file.string() + ": cannot open: " + std::strerror(errno));
    }
    struct stat st{};
    if (::fstat(fd.get(), &st) != 0)
        throw std::runtime_error(file.string() + ": cannot stat: " + std::strerror(errno));
    std::string data(static_cast<std::size_t>(st.st_size), '\0');
    std::size_t got = 0;
    while (got < data.size()) {
        auto const n = ::read(fd.get(), data.data() + got, data.size() - got);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0)
            throw std::runtime_error(file.string() + ": cannot read: " + std::strerror(errno));
        if (n == 0)
            break;
        got += static_cast<std::size_t>(n);
    }
    data.resize(got);
    return data;
}

mapped_file::mapped_file(std::filesystem::path const& file)
{
    fd_guard fd(::open(file.c_str(), O_RDONLY | O_CLOEXEC));
    if (fd.get() < 0) {
        if (errno == ENOENT)
            return;
        throw std::runtime_error(file.string() + ": cannot open: " + std::strerror(errno));
    }
    struct stat st{};
    if (::fstat(fd.get(), &st) != 0)
        throw std::runtime_error(file.string() + ": cannot stat: " + std::strerror(errno));
    if (st.st_size == 0)
        return;
    void* const data = ::mmap(nullptr, static_cast<std::size_t>(st.st_size), PROT_READ, MAP_PRIVATE, fd.get(), 0);
    if (data == MAP_FAILED)
        throw std::runtime_error(file.string() + ": cannot map: " + std::strerror(errno));
    ::madvise(data, static_cast<std::size_t>(st.st_size), MADV_SEQUENTIAL);
    data_ = data;
    size_ = static_cast<std::size_t>(st.st_size);
}

mapped_file::~mapped_file()
{
    if (data_)
        ::munmap(data_, size_);
}

} // namespace rosterd::persist
