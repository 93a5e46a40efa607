#pragma once
// `rosterd recover`: the way back in for an operator who lost every
// superuser token. With no server on the data directory (its LOCK is taken
// here, so a running server makes this fail), it loads the directory, gives
// a superuser a new token through the journal, and writes the secret to the
// data directory's bootstrap-token file (mode 0600), never to the log.

#include "persist/data_dir.hpp"
#include "store/records.hpp"

#include <filesystem>

namespace rosterd::auth {

struct recovered_access {
    std::filesystem::path token_file;
    store::record_id token_id = 0;
};

// Throws std::runtime_error (persist::corruption_error for a damaged
// directory) saying why, when the directory is in use, `user` is not a
// superuser, or the token cannot be made durable.
recovered_access recover_access(persist::data_dir& files, store::record_id user, store::unix_time now);

} // namespace rosterd::auth
