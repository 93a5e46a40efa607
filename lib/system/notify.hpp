#pragma once
// Tells the service manager how the server is doing, by systemd's
// notification protocol: one datagram to the unix socket named in
// $NOTIFY_SOCKET ("@..." for the abstract namespace). Does nothing when no
// service manager asked (no NOTIFY_SOCKET), so it is safe to call always.
// Thread-safe.

#include <string_view>

namespace rosterd::system {

// `state` is newline-separated assignments: "READY=1", "STOPPING=1", "STATUS=...".
// Returns whether a datagram was sent.
bool notify(std::string_view state);

} // namespace rosterd::system
