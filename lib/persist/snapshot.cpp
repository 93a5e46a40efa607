#include "persist/snapshot.hpp"

#include "persist/codec.hpp"
#include "persist/decoded_chunks.hpp"
#include "persist/journal_reader.hpp"

#include <fcntl.h>
#include <openssl/rand.h>
#include <sys/stat.h>
#include <unistd.h>

#include <chrono>
#include <thread>
#include <vector>

namespace rosterd::persist {

namespace {

constexpr std::size_t flush_bytes = 1 << 20;
// Written data is pushed to the disk every this many bytes, rather than
// all at the final fdatasync: a large snapshot's dirty pages, flushed at
// once, made the journal's own fdatasync wait behind them (PUT p99 of
// 100 ms while snapshots of a million users were written).
constexpr std::size_t writeback_bytes = 1 << 20;

// Where the records from an id on start, in a map or table by id or in the
// audit trail; and the record an entry holds.
template <class Map>
auto first_from(Map const& map, store::record_id id) { return map.lower_bound(id); }
auto first_from(store::directory::audit_trail const& trail, store::record_id id)
{
    return store::directory::first_event_from(trail, id);
}
// (A map's entry holds it; a table's or the trail's element is it.)
template <class Key, class Record>
Record const& record_of(std::pair<Key const, Record> const& entry) { return entry.second; }
template <class Record>
Record const& record_of(Record const& r) { return r; }

// Walks `records` (ordered by id) one chunk per read-lock hold, calling
// `between` after each chunk with the lock released: that is where file
// I/O goes, so that no write waits on the disk.
template <class Records, class Fn, class Between>
void for_each_chunked(store::directory const& dir, Records const& records, Fn&& fn, Between&& between)
{
    store::record_id next = 0;
    for (bool more = true; more;) {
        {
            auto lock = dir.read_lock();
            auto it = first_from(records, next);
            for (std::size_t n = 0; it != records.end() && n < snapshot_chunk; ++it, ++n)
                fn(record_of(*it));
            more = it != records.end();
            if (more)
                next = record_of(*it).id;
        }
        between();
    }
}

} // namespace

std::uint64_t new_snapshot_id()
{
    std::uint64_t id = 0;
    while (id == 0) {
        if (RAND_bytes(reinterpret_cast<unsigned char*>(&id), sizeof id) != 1)
            throw std::runtime_error("no randomness for a snapshot id");
    }
    return id;
}

std::string journal_begin_record(std::uint64_t snapshot_id, bool empty_start)
{
    std::string payload, out;
    encoder e(payload);
    e.u64(snapshot_id);
    e.boolean(empty_start);
    append_record(out, record_type::journal_begin, payload);
    return out;
}

bool write_snapshot(store::directory const& dir, std::uint64_t seq, snapshot_ids ids, std::filesystem::path const& path,
                    file_io& io, std::function<bool()> const& before_rename)
{
    auto const tmp = tmp_of(path);
    fd_guard fd(::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600));
    if (fd.get() < 0)
        return false;

    std::string out, payload;
    bool ok = true;
    std::uint64_t written = 0, written_back = 0;
    auto flush = [&] {
        ok = ok && write_all(io, fd.get(), out);
        written += out.size();
        out.clear();
        if (ok && written - written_back >= writeback_bytes) {
            // Advisory: the final fdatasync is what makes the file durable.
            ::sync_file_range(fd.get(), static_cast<off_t>(written_back), static_cast<off_t>(written - written_back),
                              SYNC_FILE_RANGE_WAIT_BEFORE | SYNC_FILE_RANGE_WRITE | SYNC_FILE_RANGE_WAIT_AFTER);
            written_back = written;
        }
    };
    {
        auto lock = dir.read_lock();
        encoder e(payload);
        e.u64(seq);
        e.u64(dir.next_user_id());
        e.u64(dir.next_group_id());
        e.u64(dir.next_token_id());
        e.u64(dir.next_audit_id());
        e.u64(ids.id);
        e.u64(ids.predecessor);
        append_record(out, record_type::snapshot_begin, payload);
    }
    std::uint64_t items = 0;
    auto item = [&](auto const& record) {
        payload.clear();
        encoder e(payload);
        encode_put(e, record);
        append_record(out, record_type::snapshot_item, payload);
        ++items;
    };
    auto maybe_flush = [&] {
        if (out.size() >= flush_bytes)
            flush();
    };
    for_each_chunked(dir, dir.groups(), item, maybe_flush);
    for_each_chunked(dir, dir.users(), item, maybe_flush);
    for_each_chunked(dir, dir.tokens(), item, maybe_flush);
    for_each_chunked(dir, dir.audit(), item, maybe_flush);
    for_each_chunked(dir, dir.answers(), item, maybe_flush);
    payload.clear();
    encoder(payload).u64(items);
    append_record(out, record_type::snapshot_end, payload);
    flush();

    ok = ok && io.fdatasync(fd.get()) == 0;
    ::close(fd.release());
    ok = ok && (!before_rename || before_rename());
    auto const retired = retired_of(path);
    bool const kept = ok && ::link(path.c_str(), retired.c_str()) == 0;
    bool const renamed = ok && io.rename(tmp.c_str(), path.c_str()) == 0;
    ok = renamed && sync_directory(io, path.parent_path());
    int const failure = errno; // for the caller's report, not unlink's
    if (!renamed)
        ::unlink(tmp.c_str());
    if (kept && renamed)
        remove_paced(io, retired); // the old snapshot's file alone now
    else if (kept)
        ::unlink(retired.c_str()); // a second name of the snapshot in place
    errno = failure;
    return ok;
}

std::filesystem::path retired_of(std::filesystem::path const& path) { return path.string() + ".old"; }

void remove_paced(file_io& io, std::filesystem::path const& path)
{
    constexpr off_t step = 8 << 20;
    constexpr std::chrono::milliseconds pause{2};
    {
        fd_guard fd(::open(path.c_str(), O_WRONLY | O_CLOEXEC));
        struct stat st{};
        if (fd.get() >= 0 && ::fstat(fd.get(), &st) == 0) {
            for (auto size = st.st_size; size > step;) {
                size -= step;
                if (io.ftruncate(fd.get(), size) != 0)
                    break;
                std::this_thread::sleep_for(pause);
            }
        }
    }
    ::unlink(path.c_str());
}

std::optional<snapshot_info> load_snapshot(std::filesystem::path const& path, store::directory& dir)
{
    if (!std::filesystem::exists(path))
        return std::nullopt;
    mapped_file const file(path);
    return load_snapshot_bytes(file.bytes(), path, dir);
}

namespace {

struct snapshot_header {
    snapshot_info info;
    std::uint64_t next_user = 0, next_group = 0, next_token = 0, next_audit = 0;
};

// Checks and decodes the snapshot `data`, handing its items in chunks to
// `push` (false: stop), the header filled in before the first.
template <class Push>
void decode_snapshot(std::string_view data, std::filesystem::path const& path, snapshot_header& header,
                     Push&& push)
{
    bool begun = false, ended = false, abandoned = false;
    std::uint64_t items = 0;
    // Grown, not reserved: a chunk is most of a megabyte, and a small
    // snapshot (every fuzzer input) would allocate one per load.
    decoded_chunks::chunk chunk;
    auto const result = scan_records(data, path, [&](record_type type, std::string_view payload, std::uint64_t off) {
        if (abandoned)
            return;
        try {
            decoder d(payload);
            if (ended)
                throw decode_error("data after the end record");
            if (!begun && type != record_type::snapshot_begin)
                throw decode_error("does not start with a snapshot header");
            switch (type) {
            case record_type::snapshot_begin:
                if (begun)
                    throw decode_error("second snapshot header");
                begun = true;
                header.info.seq = d.u64();
                header.next_user = d.u64();
                header.next_group = d.u64();
                header.next_token = d.u64();
                if (!d.done()) // since the audit trail
                    header.next_audit = d.u64();
                if (!d.done()) { // since snapshots have names
                    header.info.ids.id = d.u64();
                    header.info.ids.predecessor = d.u64();
                }
                break;
            case record_type::snapshot_item: {
                auto c = decode_change(d);
                if (!is_record_image(c))
                    throw decode_error("a removal in a snapshot");
                chunk.push_back(std::move(c));
                ++items;
                if (chunk.size() == decoded_chunks::chunk_size)
                    abandoned = !push(chunk);
                break;
            }
            case record_type::snapshot_end:
                if (d.u64() != items)
                    throw decode_error("item count does not match");
                ended = true;
                break;
            default:
                throw decode_error("unexpected record type");
            }
            if (!d.done())
                throw decode_error("trailing bytes in record");
        } catch (decode_error const& e) {
            throw corruption_error(path, off, e.what());
        }
    });
    if (abandoned)
        return;
    if (result.torn() || !ended)
        throw corruption_error(path, result.valid_end, "snapshot is incomplete");
    if (!chunk.empty())
        push(chunk);
}

} // namespace

snapshot_info load_snapshot_bytes(std::string_view data, std::filesystem::path const& path, store::directory& dir)
{
    snapshot_header header;
    // Below a few MB a second thread costs more than it saves.
    constexpr std::size_t parallel_from = 1 << 20;
    if (data.size() < parallel_from)
        decode_snapshot(data, path, header, [&](decoded_chunks::chunk& chunk) {
            apply_chunk(dir, chunk);
            chunk.clear();
            return true;
        });
    else
        load_beside(dir, [&](auto push) { decode_snapshot(data, path, header, push); });
    dir.raise_sequences(header.next_user, header.next_group, header.next_token, header.next_audit);
    return header.info;
}

} // namespace rosterd::persist
