#pragma once
// The commands that work on a stopped server's data directory, or move a
// directory between it and a PostgreSQL store: `rosterd recover`, `restore`,
// `import` and `export`. Each prints what it did and returns the exit code.

#include "config/options.hpp"
#include "store/directory.hpp"

#include <string>

namespace rosterd::server {

int recover(config::options const& opts);
int restore(config::options const& opts);
int import_store(config::options const& opts);
int export_store(config::options const& opts);

// "3 users, 1 groups, 2 tokens", for the log and the commands' output.
std::string sizes_of(store::directory const& dir);

} // namespace rosterd::server
