#include "http/session.hpp"
#include "http/session_impl.hpp"

#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/ssl/ssl_stream.hpp>

namespace rosterd::http {

// Plain and TLS connections run the very same session.
template awaitable<void> run_session<tcp_socket>(tcp_socket&, request_handler const&, session_limits const&,
                                                session_state&);
template awaitable<void> run_session<boost::beast::ssl_stream<tcp_socket>>(
    boost::beast::ssl_stream<tcp_socket>&, request_handler const&, session_limits const&, session_state&);

} // namespace rosterd::http
