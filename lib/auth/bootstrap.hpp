#pragma once
// The first start: user 1, a superuser, and a token for it.

#include "persist/backend.hpp"
#include "persist/data_dir.hpp"
#include "store/directory.hpp"

#include <optional>
#include <string>

namespace rosterd::auth {

// On an empty directory, creates user 1 (a superuser) with a token whose
// secret is `given`, or a random one written to the data directory's
// bootstrap-token file, durably, through `log`. Returns whether it
// bootstrapped. Does nothing to a directory that has ever had users.
// Throws std::runtime_error if the change cannot be persisted.
bool bootstrap(store::directory& dir, persist::backend& log, persist::data_dir const& files,
               std::optional<std::string> const& given, store::unix_time now);

} // namespace rosterd::auth
