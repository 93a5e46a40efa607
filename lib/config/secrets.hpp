#pragma once
// Secrets an option may hold (the store's URI with its password, the
// bootstrap token, the TLS key) kept out of the command line and of files
// others can read: read from a file the option names, or from systemd's
// credentials (LoadCredential= puts them in $CREDENTIALS_DIRECTORY, readable
// by the service alone).

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace rosterd::config {

// A secret's value from the file at `path`: the whole file, less one final
// line break. Throws std::runtime_error saying why not: unreadable, not a
// regular file (a FIFO could block, /dev/zero would fill memory), larger
// than 64 KiB (no secret is), or empty.
std::string read_secret_file(std::string const& path);

// The credential file named `name`, when $CREDENTIALS_DIRECTORY (in
// `environment`, "NAME=value" entries) holds one.
std::optional<std::string> credential(std::vector<std::string> const& environment, std::string_view name);

// The value of secret option NAME: `given` (--NAME), else what the file
// `file` (--NAME-file) holds, less one final line break, else the
// credential NAME's; nullopt when none is given, or when a file could not be
// read (a line in `problems` says why). `warnings` gets a line for a file
// others may read.
std::optional<std::string> secret_value(std::string const& name, std::optional<std::string> given,
                                        std::optional<std::string> file, std::vector<std::string> const& environment,
                                        std::vector<std::string>& problems, std::vector<std::string>& warnings);

} // namespace rosterd::config
