#pragma once
// The command line's HTTP client: one request to a running rosterd over
// HTTP or HTTPS (the system's CA certificates, or a file of them), with a
// deadline. Beast does the HTTP; this only connects and carries the token.

#include <boost/beast/http/verb.hpp>

#include <chrono>
#include <optional>
#include <stdexcept>
#include <string>

namespace rosterd::cli {

struct answer {
    unsigned status = 0;
    std::string content_type;
    std::string body;
};

// The server could not be reached, or did not answer in time.
struct unreachable : std::runtime_error {
    using std::runtime_error::runtime_error;
};

struct endpoint {
    std::string url;                   // http://host:port or https://host:port
    std::string token;                 // sent as Authorization: Bearer
    std::optional<std::string> ca_file; // else the system's CA certificates
    std::chrono::seconds timeout{30};
};

// Throws unreachable, or std::invalid_argument for a URL that is not http(s).
answer call(endpoint const& to, boost::beast::http::verb method, std::string const& target,
            std::optional<std::string> const& json_body = std::nullopt);

} // namespace rosterd::cli
