#pragma once
// The web console's files (ui/public), compiled into the binary by
// ui/embed.cmake: the single binary stays the whole product.

#include <span>
#include <string_view>

namespace rosterd::api {

struct console_file {
    std::string_view name;    // "index.html"
    std::string_view type;    // its Content-Type
    std::string_view body;
    std::string_view gzipped; // the same, gzip -9
    std::string_view hash;    // 16 hex digits of its SHA-256: its ETag and its ?v=
};

std::span<console_file const> console_files();

} // namespace rosterd::api
