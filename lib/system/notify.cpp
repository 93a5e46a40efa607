#include "system/notify.hpp"

#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cstddef>
#include <cstdlib>
#include <cstring>

namespace rosterd::system {

bool notify(std::string_view state)
{
    char const* path = std::getenv("NOTIFY_SOCKET");
    if (!path || !*path)
        return false;
    std::size_t const len = std::strlen(path);
    sockaddr_un addr{};
    if (len >= sizeof addr.sun_path || (path[0] != '/' && path[0] != '@'))
        return false;
    addr.sun_family = AF_UNIX;
    std::memcpy(addr.sun_path, path, len);
    if (path[0] == '@')
        addr.sun_path[0] = '\0';
    int const fd = ::socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    if (fd < 0)
        return false;
    auto const addr_len = static_cast<socklen_t>(offsetof(sockaddr_un, sun_path) + len);
    bool const sent = ::sendto(fd, state.data(), state.size(), MSG_NOSIGNAL,
                               reinterpret_cast<sockaddr const*>(&addr), addr_len)
        == static_cast<ssize_t>(state.size());
    ::close(fd);
    return sent;
}

} // namespace rosterd::system
