#include "persist/pg/connection.hpp"

#include <poll.h>

#include <cerrno>
#include <charconv>

namespace rosterd::persist::pg {

namespace {

// libpq's messages end with a newline.
std::string trimmed(char const* message)
{
    std::string s = message ? message : "";
    while (!s.empty() && (s.back() == '\n' || s.back() == ' '))
        s.pop_back();
    return s;
}

} // namespace

std::int64_t result::number(int row, int col) const
{
    auto const t = text(row, col);
    std::int64_t v = 0;
    auto const [end, ec] = std::from_chars(t.data(), t.data() + t.size(), v);
    if (ec != std::errc{} || end != t.data() + t.size())
        throw error("PostgreSQL returned '" + std::string(t) + "' where a number was expected", {}, false);
    return v;
}

std::int64_t result::binary_int8(int row, int col) const
{
    auto const t = text(row, col);
    if (t.size() != 8)
        throw error("PostgreSQL returned " + std::to_string(t.size()) + " bytes where an int8 was expected", {},
                    false);
    std::uint64_t v = 0;
    for (char c : t)
        v = (v << 8) | static_cast<unsigned char>(c);
    return static_cast<std::int64_t>(v);
}

void connection::close()
{
    if (conn_)
        PQfinish(conn_);
    conn_ = nullptr;
    prepared_.clear();
    session_ = {};
}

void connection::fail(std::string const& what, bool lose)
{
    std::string message = what;
    if (conn_ && message.empty())
        message = trimmed(PQerrorMessage(conn_));
    if (lose)
        close();
    throw error(message.empty() ? "PostgreSQL connection lost" : message, {}, lose);
}

bool connection::wait(bool for_write, deadline until, int wake_fd)
{
    for (;;) {
        auto const left = std::chrono::duration_cast<std::chrono::milliseconds>(until - clock::now()).count();
        if (left <= 0)
            return false;
        pollfd fds[2] = {{PQsocket(conn_), static_cast<short>(POLLIN | (for_write ? POLLOUT : 0)), 0},
                         {wake_fd, POLLIN, 0}};
        int const n = ::poll(fds, wake_fd >= 0 ? 2 : 1, static_cast<int>(left) + 1);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0)
            fail("poll failed", true);
        if (n > 0)
            return true;
    }
}

void connection::connect(deadline until)
{
    close();
    // Defaults the URI may override (values after "dbname" would win over it).
    char const* const keys[] = {"connect_timeout", "application_name", "keepalives", "keepalives_idle",
                                "keepalives_interval", "keepalives_count", "dbname", nullptr};
    char const* const values[] = {"5", "rosterd", "1", "5", "2", "3", uri_.c_str(), nullptr};
    conn_ = PQconnectStartParams(keys, values, 1);
    if (!conn_)
        throw error("cannot start a PostgreSQL connection: out of memory", {}, true);
    if (PQstatus(conn_) == CONNECTION_BAD)
        fail("", true);
    for (auto state = PGRES_POLLING_WRITING;;) {
        if (state == PGRES_POLLING_OK)
            break;
        if (state == PGRES_POLLING_FAILED)
            fail("cannot connect to PostgreSQL: " + trimmed(PQerrorMessage(conn_)), true);
        if (!wait(state == PGRES_POLLING_WRITING, until))
            fail("cannot connect to PostgreSQL: timed out", true);
        state = PQconnectPoll(conn_);
    }
    if (PQsetnonblocking(conn_, 1) != 0)
        fail("", true);
    // The server's notices (a shutdown's "terminating connection") would go
    // to stderr unformatted; what matters surfaces as errors anyway.
    PQsetNoticeProcessor(conn_, [](void*, char const*) {}, nullptr);
    auto const r = exec("SELECT set_config('synchronous_commit', 'on', false), "
                        "set_config('idle_in_transaction_session_timeout', '2s', false), "
                        "(SELECT backend_start::text FROM pg_stat_activity WHERE pid = pg_backend_pid())",
                        until);
    session_.pid = PQbackendPID(conn_);
    session_.started = r.rows() == 1 ? std::string(r.text(0, 2)) : std::string();
}

void connection::send(std::string_view sql, std::span<param const> params, deadline until, format f,
                      char const* prepared)
{
    queue(sql, params, f, prepared);
    flush(until);
}

void connection::queue(std::string_view sql, std::span<param const> params, format f, char const* prepared)
{
    if (!conn_)
        throw error("not connected to PostgreSQL", {}, true);
    // Text parameters must end with a NUL: copied, back to back, into one
    // buffer that is never reallocated once the pointers are taken.
    std::size_t text_bytes = 0;
    for (auto const& p : params)
        text_bytes += p.binary ? 0 : p.value.size() + 1;
    std::string texts;
    texts.reserve(text_bytes);
    std::vector<char const*> values;
    std::vector<int> lengths, formats;
    for (auto const& p : params) {
        if (p.binary) {
            values.push_back(p.value.data());
        } else {
            values.push_back(texts.data() + texts.size());
            texts.append(p.value).push_back('\0');
        }
        lengths.push_back(static_cast<int>(p.value.size()));
        formats.push_back(p.binary ? 1 : 0);
    }
    int const n = static_cast<int>(params.size());
    int const sent = prepared
        ? PQsendQueryPrepared(conn_, prepared, n, values.data(), lengths.data(), formats.data(), static_cast<int>(f))
        : PQsendQueryParams(conn_, std::string(sql).c_str(), n, nullptr, values.data(), lengths.data(),
                            formats.data(), static_cast<int>(f));
    if (!sent)
        fail("", PQstatus(conn_) == CONNECTION_BAD);
}

void connection::flush(deadline until)
{
    for (;;) {
        int const r = PQflush(conn_);
        if (r == 0)
            return;
        if (r < 0)
            fail("", true);
        if (!wait(true, until))
            fail("PostgreSQL did not answer in time", true);
        if (!PQconsumeInput(conn_))
            fail("", true);
    }
}

PGresult* connection::next_result(deadline until)
{
    while (PQisBusy(conn_)) {
        if (!wait(false, until))
            fail("PostgreSQL did not answer in time", true);
        if (!PQconsumeInput(conn_))
            fail("", true);
    }
    return PQgetResult(conn_);
}

std::optional<error> connection::error_of(PGresult* r) const
{
    auto const status = PQresultStatus(r);
    if (status != PGRES_FATAL_ERROR && status != PGRES_BAD_RESPONSE && status != PGRES_NONFATAL_ERROR)
        return std::nullopt;
    char const* state = PQresultErrorField(r, PG_DIAG_SQLSTATE);
    return error(trimmed(PQresultErrorMessage(r)), state ? state : "", PQstatus(conn_) == CONNECTION_BAD);
}

void connection::check(PGresult* r)
{
    auto e = error_of(r);
    if (!e)
        return;
    PQclear(r);
    // Drain the statement, so that the connection can be used again.
    deadline const soon = clock::now() + std::chrono::seconds(1);
    while (PGresult* rest = next_result(soon))
        PQclear(rest);
    e->lost = e->lost || PQstatus(conn_) == CONNECTION_BAD;
    if (e->lost)
        close();
    throw *e;
}

std::vector<result> connection::pipeline(std::span<statement const> statements, deadline until)
{
    if (!conn_)
        throw error("not connected to PostgreSQL", {}, true);
    if (!PQenterPipelineMode(conn_))
        fail("", true);
    std::vector<result> results;
    std::optional<error> failed;
    try {
        std::vector<char const*> preparing; // per statement: the name it is prepared under here
        for (auto const& s : statements) {
            char const* prepare = s.name && !prepared_.contains(s.name) ? s.name : nullptr;
            if (prepare && !PQsendPrepare(conn_, prepare, std::string(s.sql).c_str(), 0, nullptr))
                fail("", true);
            preparing.push_back(prepare);
            queue(s.sql, s.params, s.f, s.name);
        }
        if (!PQpipelineSync(conn_))
            fail("", true);
        flush(until);
        // Each command's results end with a null; a command after a failed
        // one yields PGRES_PIPELINE_ABORTED.
        auto command = [&]() -> PGresult* {
            PGresult* last = nullptr;
            while (PGresult* r = next_result(until)) {
                if (!failed)
                    failed = error_of(r);
                if (last)
                    PQclear(last);
                last = r;
            }
            return last;
        };
        for (std::size_t i = 0; i < statements.size(); ++i) {
            if (preparing[i]) {
                bool const ok = !failed;
                if (PGresult* r = command())
                    PQclear(r);
                if (ok && !failed)
                    prepared_.insert(preparing[i]);
            }
            PGresult* r = command();
            if (!r)
                fail("", true);
            results.emplace_back(r);
        }
        PGresult* sync = next_result(until);
        bool const synced = sync && PQresultStatus(sync) == PGRES_PIPELINE_SYNC;
        if (sync)
            PQclear(sync);
        if (!synced || !PQexitPipelineMode(conn_))
            fail("", true);
    } catch (error& e) {
        // A connection left in pipeline mode would refuse every later
        // statement: whatever went wrong midway, it is given up.
        if (conn_) {
            close();
            e.lost = true;
        }
        throw;
    }
    if (failed)
        throw *failed;
    return results;
}

result connection::exec(std::string_view sql, std::span<param const> params, deadline until, format f)
{
    send(sql, params, until, f);
    return collect(until);
}

result connection::exec_prepared(char const* name, std::string_view sql, std::span<param const> params,
                                 deadline until, format f)
{
    if (!conn_)
        throw error("not connected to PostgreSQL", {}, true);
    if (!prepared_.contains(name)) {
        std::string const statement(sql);
        if (!PQsendPrepare(conn_, name, statement.c_str(), 0, nullptr))
            fail("", PQstatus(conn_) == CONNECTION_BAD);
        flush(until);
        collect(until);
        prepared_.insert(name);
    }
    send(sql, params, until, f, name);
    return collect(until);
}

result connection::collect(deadline until)
{
    PGresult* last = nullptr;
    while (PGresult* r = next_result(until)) {
        if (last)
            PQclear(last);
        last = nullptr;
        check(r);
        last = r;
    }
    if (!last)
        fail("", true);
    return result(last);
}

void connection::exec_rows(std::string_view sql, std::span<param const> params, deadline until, format f,
                           std::function<void(result const&)> const& row)
{
    send(sql, params, until, f);
    PQsetSingleRowMode(conn_);
    while (PGresult* r = next_result(until)) {
        check(r);
        result const one(r);
        if (PQresultStatus(r) == PGRES_SINGLE_TUPLE)
            row(one);
    }
}

void connection::run_script(std::string_view sql, deadline until)
{
    if (!conn_)
        throw error("not connected to PostgreSQL", {}, true);
    if (!PQsendQuery(conn_, std::string(sql).c_str()))
        fail("", PQstatus(conn_) == CONNECTION_BAD);
    flush(until);
    collect(until);
}

void connection::copy_in(std::string_view sql, std::string_view data, deadline until)
{
    send(sql, {}, until);
    PGresult* r = next_result(until);
    if (!r)
        fail("", true);
    check(r);
    if (PQresultStatus(r) != PGRES_COPY_IN) {
        PQclear(r);
        fail("COPY did not start", true);
    }
    PQclear(r);
    constexpr std::size_t piece = 1 << 20;
    for (std::size_t at = 0; at < data.size();) {
        auto const n = std::min(piece, data.size() - at);
        int const sent = PQputCopyData(conn_, data.data() + at, static_cast<int>(n));
        if (sent < 0)
            fail("", true);
        if (sent == 0) {
            if (!wait(true, until))
                fail("PostgreSQL did not take the data in time", true);
            continue;
        }
        at += n;
    }
    for (;;) {
        int const ended = PQputCopyEnd(conn_, nullptr);
        if (ended < 0)
            fail("", true);
        if (ended == 1)
            break;
        if (!wait(true, until))
            fail("PostgreSQL did not take the data in time", true);
    }
    flush(until);
    collect(until);
}

std::optional<std::uint64_t> connection::wait_for_notification(deadline until, int wake_fd)
{
    auto drain = [this]() -> std::optional<std::uint64_t> {
        std::optional<std::uint64_t> highest;
        if (!PQconsumeInput(conn_))
            fail("", true);
        while (PGnotify* n = PQnotifies(conn_)) {
            std::uint64_t v = 0;
            std::string_view const payload = n->extra ? n->extra : "";
            auto const [end, ec] = std::from_chars(payload.data(), payload.data() + payload.size(), v);
            if (ec != std::errc{} || end != payload.data() + payload.size())
                v = 0;
            highest = std::max(highest.value_or(0), v);
            PQfreemem(n);
        }
        return highest;
    };
    if (auto got = drain())
        return got;
    if (!wait(false, until, wake_fd))
        return std::nullopt;
    return drain();
}

} // namespace rosterd::persist::pg
