#include "persist/backup.hpp"

#include "auth/token.hpp"
#include "persist/journal_reader.hpp"
#include "persist/local/recovery.hpp"
#include "persist/snapshot.hpp"

#include <fcntl.h>

#include <array>
#include <cstring>
#include <fstream>
#include <sstream>

namespace rosterd::persist {

namespace {

constexpr std::string_view magic = "rosterd backup 1\n";
constexpr std::size_t digest_size = 32;
constexpr std::string_view backup_name = "backup";

void append_u64(std::string& out, std::uint64_t v)
{
    for (int i = 0; i < 8; ++i)
        out.push_back(static_cast<char>((v >> (8 * i)) & 0xff));
}

std::string read_whole(std::filesystem::path const& path)
{
    std::ifstream file(path, std::ios::binary);
    if (!file)
        throw std::runtime_error(path.string() + ": cannot read");
    std::ostringstream bytes;
    bytes << file.rdbuf();
    return std::move(bytes).str();
}

// Writes `data` to `path` durably and atomically: temp file, fdatasync,
// rename, fsync of the directory.
void write_durably(file_io& io, std::filesystem::path const& path, std::string_view data)
{
    auto const tmp = tmp_of(path);
    fd_guard fd(::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600));
    bool ok = fd.get() >= 0 && write_all(io, fd.get(), data) && io.fdatasync(fd.get()) == 0;
    fd = fd_guard();
    ok = ok && io.rename(tmp.c_str(), path.c_str()) == 0 && sync_directory(io, path.parent_path());
    if (!ok) {
        auto const why = std::string(std::strerror(errno));
        std::error_code ignored;
        std::filesystem::remove(tmp, ignored);
        throw std::runtime_error(path.string() + ": cannot write: " + why);
    }
}

} // namespace

backup_contents read_backup(std::string_view backup)
{
    auto fail = [](std::uint64_t at, std::string const& what) -> backup_contents {
        throw corruption_error(std::filesystem::path(backup_name), at, what);
    };
    if (!backup.starts_with(magic))
        return fail(0, "not a rosterd backup");
    if (backup.size() < magic.size() + digest_size)
        return fail(backup.size(), "too short");
    auto const body = backup.substr(0, backup.size() - digest_size);
    auto const digest = auth::sha256({body});
    if (std::memcmp(digest.data(), backup.data() + body.size(), digest_size) != 0)
        return fail(body.size(), "checksum mismatch: the file is damaged or incomplete");
    std::size_t at = magic.size();
    auto section = [&](std::string_view& out) {
        if (body.size() - at < 8)
            return false;
        std::uint64_t n = 0;
        for (int i = 0; i < 8; ++i)
            n |= std::uint64_t(static_cast<unsigned char>(body[at + i])) << (8 * i);
        at += 8;
        if (n > body.size() - at)
            return false;
        out = body.substr(at, n);
        at += n;
        return true;
    };
    backup_contents s;
    if (!section(s.snapshot) || !section(s.journal) || at != body.size())
        return fail(at, "sections do not add up");
    return s;
}

std::optional<std::string> make_backup(backend& log, store::directory const& dir, data_dir const& files,
                                       file_io& io)
{
    auto const seq = log.begin_capture();
    if (!seq)
        return std::nullopt;
    // A pair of its own: the journal continues this snapshot and no other.
    auto const id = new_snapshot_id();
    std::string snapshot;
    bool const written = write_snapshot(dir, *seq, {id, id}, files.backup_snapshot(), io);
    std::string journal = journal_begin_record(id) + log.end_capture();
    if (!written)
        throw std::runtime_error(files.backup_snapshot().string() + ": cannot write the backup's snapshot");
    snapshot = read_whole(files.backup_snapshot());
    std::error_code ignored;
    std::filesystem::remove(files.backup_snapshot(), ignored);

    std::string out(magic);
    out.reserve(magic.size() + 16 + snapshot.size() + journal.size() + digest_size);
    append_u64(out, snapshot.size());
    out.append(snapshot);
    append_u64(out, journal.size());
    out.append(journal);
    auto const digest = auth::sha256({out});
    out.append(reinterpret_cast<char const*>(digest.data()), digest.size());
    return out;
}

restored restore_backup(std::string_view backup, data_dir const& files, file_io& io)
{
    auto const s = read_backup(backup);

    // Check in a staging directory, with the very recovery a start runs.
    auto const staging_root = files.restore_staging();
    std::filesystem::remove_all(staging_root);
    restored r;
    try {
        data_dir staging(staging_root);
        write_durably(io, staging.snapshot(), s.snapshot);
        write_durably(io, staging.journal(), s.journal);
        store::directory dir;
        auto const loaded = recover(staging, dir, io);
        if (loaded.torn_bytes != 0)
            throw corruption_error(std::filesystem::path(backup_name), 0, "its journal ends in a torn record");
        r = {dir.users().size(), dir.groups().size(), dir.token_count(), dir.audit().size(), loaded.last_seq};
    } catch (...) {
        std::error_code ignored;
        std::filesystem::remove_all(staging_root, ignored);
        throw;
    }
    // Checked and durable: decide the restore with one rename, then install.
    r.replaced = std::filesystem::exists(files.snapshot()) || std::filesystem::exists(files.journal());
    std::filesystem::remove_all(files.restore_ready());
    if (io.rename(staging_root.c_str(), files.restore_ready().c_str()) != 0 || !sync_directory(io, files.root()))
        throw std::runtime_error(files.restore_ready().string() + ": cannot rename: " + std::strerror(errno));
    finish_restore(files, io);
    return r;
}

bool finish_restore(data_dir const& files, file_io& io)
{
    auto const ready = files.restore_ready();
    std::filesystem::remove_all(files.restore_staging());
    if (!std::filesystem::exists(ready))
        return false;
    auto fail = [](std::filesystem::path const& path, char const* what) {
        throw std::runtime_error(path.string() + ": " + what + ": " + std::strerror(errno));
    };
    // Each step can be run again after a crash: a file still in
    // restore.ready was not installed, so the one in its place (if any) is
    // what the restore replaces.
    for (auto const& path : {files.snapshot(), files.journal()}) {
        auto const staged = ready / path.filename();
        if (!std::filesystem::exists(staged))
            continue;
        auto const kept = std::filesystem::path(path.string() + ".before-restore");
        if (std::filesystem::exists(path) && io.rename(path.c_str(), kept.c_str()) != 0)
            fail(path, "cannot keep as .before-restore");
        if (io.rename(staged.c_str(), path.c_str()) != 0)
            fail(staged, "cannot install");
        if (!sync_directory(io, files.root()) || !sync_directory(io, ready))
            fail(files.root(), "cannot sync");
    }
    std::filesystem::remove_all(ready);
    if (!sync_directory(io, files.root()))
        fail(files.root(), "cannot sync");
    return true;
}

} // namespace rosterd::persist
