#pragma once
// The real rosterd binary, started as a user would: on a loopback port
// chosen by the kernel (--listen 127.0.0.1:0, read back from its log), with
// its own temporary data directory, and stopped by its PID.

#include "temp_dir.hpp"

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/http/write.hpp>

#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <optional>
#include <sstream>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

namespace rosterd::test {

namespace fs = std::filesystem;
namespace bhttp = boost::beast::http;
using tcp = boost::asio::ip::tcp;

inline std::string binary_path()
{
    char const* path = std::getenv("TEST_ROSTERD_BINARY");
    if (!path)
        throw std::runtime_error("TEST_ROSTERD_BINARY is not set");
    return path;
}

inline std::string read_file(fs::path const& p)
{
    std::ifstream f(p);
    std::stringstream s;
    s << f.rdbuf();
    return s.str();
}

// Forks and execs the binary with `args`; its stderr (and stdout) go to `log`.
inline pid_t spawn(std::vector<std::string> const& args, fs::path const& log)
{
    // Everything the child needs is prepared before fork(): the child only
    // redirects and execs, and never throws into a copy of the test runner.
    auto const bin = binary_path();
    std::vector<char*> argv;
    argv.push_back(const_cast<char*>(bin.c_str()));
    for (auto const& a : args)
        argv.push_back(const_cast<char*>(a.c_str()));
    argv.push_back(nullptr);
    pid_t const pid = ::fork();
    if (pid < 0)
        throw std::runtime_error("fork failed");
    if (pid == 0) {
        int const fd = ::open(log.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
        ::dup2(fd, STDOUT_FILENO);
        ::dup2(fd, STDERR_FILENO);
        ::execv(bin.c_str(), argv.data());
        ::_exit(127);
    }
    return pid;
}

// Waits for the process to exit; its exit code, or 128 + signal.
inline int wait_exit(pid_t pid)
{
    int status = 0;
    while (::waitpid(pid, &status, 0) < 0) {}
    return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

// A process's resident set size in kB, from /proc; -1 if unknown.
inline long rss_kb(pid_t pid)
{
    std::ifstream status("/proc/" + std::to_string(pid) + "/status");
    std::string key;
    long value = 0;
    while (status >> key) {
        if (key == "VmRSS:") {
            status >> value;
            return value;
        }
    }
    return -1;
}

struct run_result {
    int exit_code;
    std::string output;
};

// Runs the binary to completion (for --help, --version, bad options).
inline run_result run_to_exit(std::vector<std::string> const& args)
{
    auto const log = fs::temp_directory_path() / ("rosterd-run-" + std::to_string(::getpid()) + ".log");
    int const code = wait_exit(spawn(args, log));
    auto out = read_file(log);
    fs::remove(log);
    return {code, out};
}

class server_process {
public:
    explicit server_process(std::vector<std::string> extra = {}, std::optional<fs::path> data_dir = {})
    {
        static int counter = 0;
        dir_ = fs::temp_directory_path()
            / ("rosterd-test-" + std::to_string(::getpid()) + "-" + std::to_string(counter++));
        fs::create_directories(dir_);
        data_ = data_dir.value_or(dir_ / "data");
        std::vector<std::string> args{"--listen", "127.0.0.1:0", "--data-dir", data_.string()};
        args.insert(args.end(), extra.begin(), extra.end());
        pid_ = spawn(args, dir_ / "server.log");
        wait_for_port();
    }

    ~server_process()
    {
        if (pid_ > 0) {
            ::kill(pid_, SIGKILL);
            wait_exit(pid_);
        }
        std::error_code ec;
        fs::remove_all(dir_, ec);
    }

    server_process(server_process const&) = delete;
    server_process& operator=(server_process const&) = delete;

    unsigned short port() const { return port_; }
    pid_t pid() const { return pid_; }
    fs::path const& data_dir() const { return data_; }
    std::string log() const { return read_file(dir_ / "server.log"); }

    // Waits until the log holds `text` at least `times` times; false if it
    // does not within `limit`.
    bool log_shows(std::string const& text, std::size_t times = 1,
                   std::chrono::milliseconds limit = std::chrono::seconds(10)) const
    {
        auto const deadline = std::chrono::steady_clock::now() + limit;
        for (;;) {
            auto const all = log();
            std::size_t seen = 0;
            for (auto at = all.find(text); at != std::string::npos; at = all.find(text, at + 1))
                ++seen;
            if (seen >= times)
                return true;
            if (std::chrono::steady_clock::now() >= deadline)
                return false;
            std::this_thread::sleep_for(std::chrono::milliseconds(10));
        }
    }

    void signal(int number) const { ::kill(pid_, number); }

    // Sends `signal` and waits: the exit code.
    int stop(int signal = SIGTERM)
    {
        ::kill(pid_, signal);
        int const code = wait_exit(pid_);
        pid_ = -1;
        return code;
    }

private:
    void wait_for_port()
    {
        auto const deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
        std::string const marker = "listening on 127.0.0.1:";
        while (std::chrono::steady_clock::now() < deadline) {
            auto const text = log();
            if (auto at = text.find(marker); at != std::string::npos) {
                port_ = static_cast<unsigned short>(std::stoi(text.substr(at + marker.size())));
                return;
            }
            int status = 0;
            if (::waitpid(pid_, &status, WNOHANG) == pid_) {
                pid_ = -1;
                throw std::runtime_error("rosterd exited at start-up: " + text);
            }
            std::this_thread::sleep_for(std::chrono::milliseconds(10));
        }
        // The destructor does not run for a constructor that throws.
        ::kill(pid_, SIGKILL);
        wait_exit(pid_);
        pid_ = -1;
        throw std::runtime_error("rosterd did not start listening: " + log());
    }

    fs::path dir_;
    fs::path data_;
    pid_t pid_ = -1;
    unsigned short port_ = 0;
};

using http_reply = bhttp::response<bhttp::string_body>;

// A keep-alive HTTP/1.1 connection to the server.
class client {
public:
    explicit client(unsigned short port) : socket_(ioc_)
    {
        socket_.connect(tcp::endpoint(boost::asio::ip::make_address("127.0.0.1"), port));
    }

    http_reply request(bhttp::verb method, std::string const& target, std::optional<std::string> body = {},
                       std::string const& token = {}, std::string const& content_type = "application/json")
    {
        return send(make_request(method, target, std::move(body), token, content_type));
    }

    using message = bhttp::request<bhttp::string_body>;
    static message make_request(bhttp::verb method, std::string const& target, std::optional<std::string> body = {},
                                std::string const& token = {}, std::string const& content_type = "application/json")
    {
        message req{method, target, 11};
        req.set(bhttp::field::host, "127.0.0.1");
        if (!token.empty())
            req.set(bhttp::field::authorization, "Bearer " + token);
        if (body) {
            if (!content_type.empty())
                req.set(bhttp::field::content_type, content_type);
            req.body() = *body;
            req.prepare_payload();
        }
        return req;
    }

    // Sends a request made by make_request(), with whatever headers were
    // added to it since.
    http_reply send(message const& req)
    {
        bhttp::write(socket_, req);
        http_reply res;
        bhttp::read(socket_, buffer_, res);
        return res;
    }

    // Sends raw bytes and returns everything the server writes until it closes.
    std::string raw(std::string const& bytes)
    {
        boost::asio::write(socket_, boost::asio::buffer(bytes));
        std::string out(static_cast<char const*>(buffer_.data().data()), buffer_.size());
        buffer_.clear();
        boost::system::error_code ec;
        char chunk[4096];
        for (;;) {
            auto const n = socket_.read_some(boost::asio::buffer(chunk), ec);
            if (ec)
                break;
            out.append(chunk, n);
        }
        return out;
    }

    tcp::socket& socket() { return socket_; }

private:
    boost::asio::io_context ioc_;
    tcp::socket socket_;
    boost::beast::flat_buffer buffer_;
};

} // namespace rosterd::test
