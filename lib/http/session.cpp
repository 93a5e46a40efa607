#include "http/session.hpp"
#include "http/session_impl.hpp"

#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/ssl/ssl_stream.hpp>

namespace rosterd::http {

// Plain and TLS connections run the very same session.
template boost::asio::awaitable<void> run_session<boost::beast::tcp_stream>(
    boost::beast::tcp_stream&, request_handler const&, session_limits const&, session_state&);
template boost::asio::awaitable<void> run_session<boost::beast::ssl_stream<boost::beast::tcp_stream>>(
    boost::beast::ssl_stream<boost::beast::tcp_stream>&, request_handler const&, session_limits const&,
    session_state&);

} // namespace rosterd::http
