#pragma once
// The server's TLS settings: TLS 1.2 and 1.3 only; for TLS 1.2, forward-
// secret AEAD suites only (ECDHE with AES-GCM or ChaCha20-Poly1305); no
// compression, no renegotiation, server cipher preference.

#include <boost/asio/ssl/context.hpp>

#include <memory>
#include <string>

namespace rosterd::http {

// A context serving the PEM certificate chain and private key. Throws
// std::runtime_error naming the file that could not be used.
std::unique_ptr<boost::asio::ssl::context> make_tls_context(std::string const& cert_chain_file,
                                                            std::string const& private_key_file);

} // namespace rosterd::http
