#include "http/session.hpp"
#include "http/session_impl.hpp"

#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/ssl/ssl_stream.hpp>

namespace rosterd::http {

// Plain and TLS connections run the very same session.
template boost::asio::awaitable<void> run_session<boost::asio::ip::tcp::socket>(
    boost::asio::ip::tcp::socket&, request_handler const&, session_limits const&, session_state&);
template boost::asio::awaitable<void> run_session<boost::beast::ssl_stream<boost::asio::ip::tcp::socket>>(
    boost::beast::ssl_stream<boost::asio::ip::tcp::socket>&, request_handler const&, session_limits const&,
    session_state&);

} // namespace rosterd::http
