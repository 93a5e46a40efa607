#pragma once
// One libpq connection, used from one thread, with a deadline on every
// call: libpq in non-blocking mode, poll() on its socket. A call that does
// not finish by its deadline closes the connection (its outcome is then
// unknown to the caller) rather than wait on a dead server.
//
// Every session forces synchronous_commit on: an acknowledged change must
// not live only in a commit the server could still lose.

#include <libpq-fe.h>

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <set>
#include <optional>
#include <span>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace rosterd::persist::pg {

using clock = std::chrono::steady_clock;
using deadline = clock::time_point;

// A failed call. `sqlstate` is PostgreSQL's error code ("40001"), empty
// when the connection failed, timed out or was closed (`lost`).
struct error : std::runtime_error {
    error(std::string const& what, std::string state, bool lost)
        : std::runtime_error(what), sqlstate(std::move(state)), lost(lost) {}
    std::string sqlstate;
    bool lost;
};

// A parameter, sent as text unless `binary` (bytea as raw bytes).
struct param {
    std::string_view value;
    bool binary = false;
};

// A PostgreSQL array literal of integers, for a `$1::bigint[]` parameter.
template <class T>
std::string array_text(std::vector<T> const& values)
{
    std::string s = "{";
    for (std::size_t i = 0; i < values.size(); ++i) {
        if (i)
            s.push_back(',');
        s.append(std::to_string(values[i]));
    }
    s.push_back('}');
    return s;
}

class result {
public:
    explicit result(PGresult* r) : r_(r, &PQclear) {}
    int rows() const { return PQntuples(r_.get()); }
    bool null(int row, int col) const { return PQgetisnull(r_.get(), row, col) != 0; }
    std::string_view text(int row, int col) const
    {
        return {PQgetvalue(r_.get(), row, col), static_cast<std::size_t>(PQgetlength(r_.get(), row, col))};
    }
    std::int64_t number(int row, int col) const;
    // An int8 column of a binary result.
    std::int64_t binary_int8(int row, int col) const;

private:
    std::unique_ptr<PGresult, decltype(&PQclear)> r_;
};

// One server session: its process id, and when it started. A pid alone
// may name another session (a server that restarted, or another server
// after a failover); the pair does not.
struct session_id {
    int pid = 0;
    std::string started; // pg_stat_activity.backend_start, as text
};

class connection {
public:
    // `uri`: a libpq connection string or URI. Does not connect.
    explicit connection(std::string uri) : uri_(std::move(uri)) {}
    ~connection() { close(); }
    connection(connection const&) = delete;
    connection& operator=(connection const&) = delete;

    // Connects (closing any connection first) and sets the session up.
    // Throws error.
    void connect(deadline until);
    bool connected() const { return conn_ != nullptr; }
    void close();
    // The session connected to (empty when not connected).
    session_id const& session() const { return session_; }

    // Runs one statement; its results in text format, or binary (integers
    // big-endian, bytea raw). Throws error (and closes the connection if
    // it was lost or the deadline passed).
    enum class format { text = 0, binary = 1 };
    result exec(std::string_view sql, std::span<param const> params, deadline until, format f = format::text);
    result exec(std::string_view sql, deadline until) { return exec(sql, {}, until); }
    // The same for a statement run again and again: prepared (parsed and
    // planned) once per session, under `name`.
    result exec_prepared(char const* name, std::string_view sql, std::span<param const> params, deadline until,
                         format f = format::text);
    // The same, one row at a time (single-row mode) for results too large
    // to hold twice: `row` is called for each, then nothing is returned.
    void exec_rows(std::string_view sql, std::span<param const> params, deadline until, format f,
                   std::function<void(result const&)> const& row);
    // One statement of a pipeline: prepared under `name` (in the same
    // pipeline, the first time) unless it is null.
    struct statement {
        std::string_view sql;
        std::span<param const> params = {};
        format f = format::text;
        char const* name = nullptr;
    };
    // Sends the statements at once and waits for all their results: one
    // round trip (libpq's pipeline mode). PostgreSQL skips the statements
    // after one that fails; the first failure is thrown, as exec() throws
    // it, once the pipeline has ended. A transaction begun in it stays
    // open past it until a later statement ends it.
    std::vector<result> pipeline(std::span<statement const> statements, deadline until);
    // Statements separated by semicolons, without parameters or results
    // (a schema).
    void run_script(std::string_view sql, deadline until);
    // COPY ... FROM STDIN: sends `data` in the statement's format.
    void copy_in(std::string_view sql, std::string_view data, deadline until);

    // Waits until a notification arrives, `wake_fd` becomes readable, or
    // the deadline; drains the notifications. Nullopt if none arrived, else
    // the largest number among their payloads (0 if none was a number).
    std::optional<std::uint64_t> wait_for_notification(deadline until, int wake_fd);

private:
    void send(std::string_view sql, std::span<param const> params, deadline until, format f = format::text,
              char const* prepared = nullptr);
    // send() without the flush: the statement waits in libpq's buffer.
    void queue(std::string_view sql, std::span<param const> params, format f, char const* prepared);
    void flush(deadline until);
    result collect(deadline until);
    // The next result, or null when the statement is done.
    PGresult* next_result(deadline until);
    // Waits for the socket (and maybe wake_fd); false at the deadline.
    bool wait(bool for_write, deadline until, int wake_fd = -1);
    [[noreturn]] void fail(std::string const& what, bool lose);
    void check(PGresult* r);
    // The error a result reports (without draining or throwing), if any.
    std::optional<error> error_of(PGresult* r) const;

    std::string uri_;
    PGconn* conn_ = nullptr;
    std::set<std::string> prepared_; // in this session
    session_id session_;
};

// Runs `body` in a transaction, rolling it back if `body` throws.
template <class Body>
auto in_transaction(connection& c, std::string_view begin, deadline until, Body&& body)
{
    c.exec(begin, until);
    try {
        if constexpr (std::is_void_v<decltype(body())>) {
            body();
            c.exec("COMMIT", until);
        } else {
            auto r = body();
            c.exec("COMMIT", until);
            return r;
        }
    } catch (...) {
        if (c.connected()) {
            try {
                c.exec("ROLLBACK", clock::now() + std::chrono::seconds(1));
            } catch (error const&) {
                c.close();
            }
        }
        throw;
    }
}

} // namespace rosterd::persist::pg
