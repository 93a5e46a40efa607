#pragma once
// Every connection is a file descriptor: the soft RLIMIT_NOFILE (often 1024)
// would refuse connections long before --max-connections. The server raises
// its soft limit as far as the hard limit allows, as nginx's
// worker_rlimit_nofile does.

#include <cstddef>

namespace rosterd::system {

// Raises the soft descriptor limit to `wanted` if the hard limit allows,
// else to the hard limit. Returns the soft limit now in force.
std::size_t raise_descriptor_limit(std::size_t wanted);

} // namespace rosterd::system
