// The record grammar and the torn-tail rules, leveldb style: build a file,
// damage it one way, and assert what is kept, what is dropped, and what is
// refused.
#define BOOST_TEST_MODULE journal_reader
#include <boost/test/unit_test.hpp>

#include "persist/journal_reader.hpp"

#include <algorithm>
#include <vector>

using namespace rosterd::persist;

namespace {

struct journal_bytes {
    std::string data;
    std::vector<std::size_t> starts; // offset of each record

    void add(std::string const& payload, record_type type = record_type::change)
    {
        starts.push_back(data.size());
        append_record(data, type, payload);
    }

    // The payloads `scan_records` accepts, and the scan's result.
    std::pair<std::vector<std::string>, scan_result> read() const
    {
        std::vector<std::string> got;
        auto const r = scan_records(data, "journal", [&](record_type, std::string_view p, std::uint64_t) {
            got.emplace_back(p);
        });
        return {got, r};
    }

    void flip(std::size_t at) { data[at] = static_cast<char>(data[at] ^ 0x40); }
    void shrink(std::size_t by) { data.resize(data.size() - by); }
    // Rewrites record i's header CRC to match its (possibly edited) fields.
    void fix_header_crc(std::size_t i)
    {
        auto const crc = header_crc(data.data() + starts[i] + 4);
        for (int b = 0; b < 4; ++b)
            data[starts[i] + static_cast<std::size_t>(b)] = static_cast<char>(crc >> (8 * b));
    }
    void set_length(std::size_t i, std::uint32_t length)
    {
        for (int b = 0; b < 4; ++b)
            data[starts[i] + 4 + static_cast<std::size_t>(b)] = static_cast<char>(length >> (8 * b));
    }
};

journal_bytes three_records()
{
    journal_bytes j;
    j.add("first");
    j.add(std::string(100, 'x'));
    j.add("third");
    return j;
}

std::uint64_t corruption_offset(journal_bytes const& j)
{
    try {
        j.read();
    } catch (corruption_error const& e) {
        return e.offset;
    }
    BOOST_FAIL("no corruption reported");
    return 0;
}

} // namespace

BOOST_AUTO_TEST_CASE(whole_records_are_read_in_order)
{
    auto const j = three_records();
    auto const [got, r] = j.read();
    BOOST_TEST(got == (std::vector<std::string>{"first", std::string(100, 'x'), "third"}), boost::test_tools::per_element());
    BOOST_TEST(!r.torn());
    BOOST_TEST(r.valid_end == j.data.size());
}

BOOST_AUTO_TEST_CASE(an_empty_file_has_no_records)
{
    journal_bytes j;
    auto const [got, r] = j.read();
    BOOST_TEST(got.empty());
    BOOST_TEST(!r.torn());
}

BOOST_AUTO_TEST_CASE(a_header_cut_short_is_a_torn_tail)
{
    auto j = three_records();
    j.shrink(j.data.size() - j.starts[2] - 5); // 5 bytes of the third header left
    auto const [got, r] = j.read();
    BOOST_TEST(got.size() == 2u);
    BOOST_TEST(r.torn());
    BOOST_TEST(r.valid_end == j.starts[2]);
}

BOOST_AUTO_TEST_CASE(a_payload_cut_short_is_a_torn_tail)
{
    auto j = three_records();
    j.shrink(2);
    auto const [got, r] = j.read();
    BOOST_TEST(got.size() == 2u);
    BOOST_TEST(r.valid_end == j.starts[2]);
}

BOOST_AUTO_TEST_CASE(zeros_to_the_end_are_a_torn_tail)
{
    auto j = three_records();
    j.data.append(4096, '\0');
    auto const [got, r] = j.read();
    BOOST_TEST(got.size() == 3u);
    BOOST_TEST(r.torn());
    BOOST_TEST(r.valid_end == j.starts[2] + header_size + 5);
}

BOOST_AUTO_TEST_CASE(a_valid_header_whose_length_runs_past_the_end_is_torn)
{
    auto j = three_records();
    j.set_length(2, 1000);
    j.fix_header_crc(2);
    auto const [got, r] = j.read();
    BOOST_TEST(got.size() == 2u);
    BOOST_TEST(r.valid_end == j.starts[2]);
}

BOOST_AUTO_TEST_CASE(a_damaged_length_is_corruption_not_a_torn_tail)
{
    auto j = three_records();
    j.flip(j.starts[1] + 4); // the second record's length, header CRC left alone
    BOOST_TEST(corruption_offset(j) == j.starts[1]);
}

BOOST_AUTO_TEST_CASE(a_damaged_length_in_the_last_record_is_still_corruption)
{
    auto j = three_records();
    j.flip(j.starts[2] + 4);
    BOOST_TEST(corruption_offset(j) == j.starts[2]);
}

BOOST_AUTO_TEST_CASE(a_bad_payload_crc_mid_file_stops_start)
{
    auto j = three_records();
    j.flip(j.starts[1] + header_size + 50);
    BOOST_TEST(corruption_offset(j) == j.starts[1]);
}

// The last record's header reached the disk and some of its payload's
// pages did not: as PostgreSQL and RocksDB read a WAL, a torn tail.
BOOST_AUTO_TEST_CASE(a_last_record_whose_payload_reads_as_zeros_is_a_torn_tail)
{
    auto j = three_records();
    std::fill(j.data.begin() + static_cast<std::ptrdiff_t>(j.starts[2] + header_size), j.data.end(), '\0');
    auto const [got, r] = j.read();
    BOOST_TEST(got.size() == 2u);
    BOOST_TEST(r.torn());
    BOOST_TEST(r.valid_end == j.starts[2]);
}

BOOST_AUTO_TEST_CASE(a_bad_payload_crc_in_the_last_record_is_a_torn_tail)
{
    auto j = three_records();
    j.flip(j.data.size() - 1);
    BOOST_TEST(j.read().second.valid_end == j.starts[2]);
    // And with zeros after it: the file was preallocated, or its size
    // reached the disk before its data.
    j.data.append(8192, '\0');
    auto const [got, r] = j.read();
    BOOST_TEST(got.size() == 2u);
    BOOST_TEST(r.valid_end == j.starts[2]);
}

BOOST_AUTO_TEST_CASE(a_bad_payload_crc_with_anything_but_zeros_after_it_is_corruption)
{
    auto j = three_records();
    j.flip(j.data.size() - 1);
    j.data.append(100, '\0');
    j.data.push_back('x');
    BOOST_TEST(corruption_offset(j) == j.starts[2]);
}

// The journal is written over zeros, and the pages of a write that was
// never synced reach the disk in any order: records whole on a later page
// after a page that never came are what a crash leaves, not damage.
namespace {

// Records after a first one, to 3 pages; the file grown to 4.
journal_bytes a_write_over_pages()
{
    journal_bytes j;
    j.add("durable");
    while (j.data.size() < 3 * page_size)
        j.add(std::string(700, 'w'));
    j.data.resize(4 * page_size, '\0');
    return j;
}

void zero_page(journal_bytes& j, std::size_t page, std::size_t from = 0)
{
    std::fill(j.data.begin() + static_cast<std::ptrdiff_t>(std::max(page * page_size, from)),
              j.data.begin() + static_cast<std::ptrdiff_t>((page + 1) * page_size), '\0');
}

} // namespace

BOOST_AUTO_TEST_CASE(a_write_whose_first_page_never_came_ends_where_it_begins)
{
    auto j = a_write_over_pages();
    zero_page(j, 0, j.starts[1]); // the first page as the last sync left it
    auto const [got, r] = j.read();
    BOOST_TEST(got.size() == 1u);
    BOOST_TEST(r.valid_end == j.starts[1]);
}

BOOST_AUTO_TEST_CASE(a_write_missing_a_middle_page_ends_at_the_record_that_reaches_it)
{
    auto j = a_write_over_pages();
    zero_page(j, 1);
    auto const [got, r] = j.read();
    auto const first_torn = *std::find_if(j.starts.begin(), j.starts.end(), [&](std::size_t start) {
        return start + header_size + 700 > page_size;
    });
    BOOST_TEST(r.valid_end == first_torn);
    BOOST_TEST(got.size() < j.starts.size());
}

BOOST_AUTO_TEST_CASE(damage_that_is_not_a_page_of_zeros_still_stops_the_start)
{
    auto j = a_write_over_pages();
    // A page of garbage, and zeros shorter than a page: both corruption.
    std::fill(j.data.begin() + page_size, j.data.begin() + 2 * page_size, 'g');
    auto const first_damaged = *std::find_if(j.starts.begin(), j.starts.end(), [&](std::size_t start) {
        return start + header_size + 700 > page_size;
    });
    BOOST_TEST(corruption_offset(j) == first_damaged);
    j = a_write_over_pages();
    std::fill(j.data.begin() + static_cast<std::ptrdiff_t>(j.starts[2]),
              j.data.begin() + static_cast<std::ptrdiff_t>(j.starts[2] + 200), '\0');
    BOOST_TEST(corruption_offset(j) == j.starts[2]);
}

BOOST_AUTO_TEST_CASE(garbage_after_the_last_record_is_corruption)
{
    auto j = three_records();
    j.data.append("this is not a record at all");
    BOOST_TEST(corruption_offset(j) == j.data.size() - 27);
}

BOOST_AUTO_TEST_CASE(an_oversized_length_with_a_valid_header_crc_is_corruption)
{
    auto j = three_records();
    j.set_length(1, max_record_size + 1);
    j.fix_header_crc(1);
    BOOST_TEST(corruption_offset(j) == j.starts[1]);
}

BOOST_AUTO_TEST_CASE(crc32c_matches_the_standard_check_value)
{
    // CRC-32C("123456789") = 0xE3069283 (RFC 3720, appendix B.4).
    BOOST_TEST(crc32c("123456789") == 0xE3069283u);
    BOOST_TEST(crc32c_portable("123456789") == 0xE3069283u);
    BOOST_TEST(mask_crc(0) != 0u);
}

BOOST_AUTO_TEST_CASE(crc32c_agrees_with_the_portable_table_at_every_length_and_alignment)
{
    std::string bytes;
    for (int i = 0; i < 600; ++i)
        bytes.push_back(static_cast<char>(i * 131 + 7));
    for (std::size_t start = 0; start < 8; ++start)
        for (std::size_t n = 0; start + n <= bytes.size(); n += 1 + n / 16) {
            std::string_view const part(bytes.data() + start, n);
            BOOST_TEST_REQUIRE(crc32c(part) == crc32c_portable(part), "start " << start << " length " << n);
        }
}
