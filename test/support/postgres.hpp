#pragma once
// A real, throwaway PostgreSQL 15 for a test: scripts/postgres runs initdb in
// a fresh directory (as nobody when the tests run as root), on a port of its
// own; stopped and removed with the object.

#include "server_process.hpp"

#include <cstdio>

namespace rosterd::test {

// A TCP port nobody listens on now (the kernel's pick, released).
inline unsigned short free_port()
{
    boost::asio::io_context ioc;
    tcp::acceptor a(ioc, tcp::endpoint(boost::asio::ip::make_address("127.0.0.1"), 0));
    return a.local_endpoint().port();
}

class postgres_server {
public:
    postgres_server()
    {
        static int counter = 0;
        dir_ = fs::temp_directory_path() / ("rosterd-pg-" + std::to_string(::getpid()) + "-" + std::to_string(counter++));
        fs::remove_all(dir_);
        port_ = free_port();
        uri_ = script("start");
        while (!uri_.empty() && uri_.back() == '\n')
            uri_.pop_back();
        if (uri_.rfind("postgresql://", 0) != 0)
            throw std::runtime_error("scripts/postgres start failed: " + uri_);
    }
    ~postgres_server()
    {
        std::system(command("crash", " >/dev/null 2>&1").c_str());
        std::error_code ec;
        fs::remove_all(dir_, ec);
    }
    postgres_server(postgres_server const&) = delete;
    postgres_server& operator=(postgres_server const&) = delete;

    std::string const& uri() const { return uri_; }
    // The URI of another database on the same server (created if missing).
    std::string database(std::string const& name)
    {
        psql("CREATE DATABASE " + name);
        return uri_.substr(0, uri_.rfind('/') + 1) + name;
    }
    unsigned short port() const { return port_; }

    void start() { script("start"); }
    void stop() { script("stop"); }
    // As a crash: no shutdown checkpoint, every session cut.
    void crash() { script("crash"); }
    // Runs `sql`; its rows, unaligned, one per line.
    std::string psql(std::string const& sql)
    {
        return script("psql", " -At -c \"" + sql + "\"");
    }

private:
    std::string command(std::string const& what, std::string const& tail = "") const
    {
        // Without fsync: the tests crash processes, not the machine.
        return "PG_FSYNC=off " + std::string(ROSTERD_SOURCE_DIR) + "/scripts/postgres " + what + " " + dir_.string() + " " +
               std::to_string(port_) + tail;
    }
    std::string script(std::string const& what, std::string const& tail = "")
    {
        std::string out;
        FILE* p = ::popen(command(what, tail).c_str(), "r");
        if (!p)
            throw std::runtime_error("cannot run scripts/postgres");
        char buf[4096];
        while (auto n = std::fread(buf, 1, sizeof buf, p))
            out.append(buf, n);
        if (::pclose(p) != 0)
            throw std::runtime_error("scripts/postgres " + what + " failed: " + out);
        return out;
    }

    fs::path dir_;
    unsigned short port_;
    std::string uri_;
};

} // namespace rosterd::test
