#include "http/tls.hpp"

#include "log/log.hpp"

#include <openssl/ssl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <stdexcept>

namespace rosterd::http {

namespace ssl = boost::asio::ssl;

namespace {

// TLS 1.2 suites (TLS 1.3's are all AEAD and stay at OpenSSL's defaults).
constexpr char const* tls12_ciphers =
    "ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-GCM-SHA256:"
    "ECDHE-ECDSA-AES256-GCM-SHA384:ECDHE-RSA-AES256-GCM-SHA384:"
    "ECDHE-ECDSA-CHACHA20-POLY1305:ECDHE-RSA-CHACHA20-POLY1305";

} // namespace

std::unique_ptr<ssl::context> make_tls_context(std::string const& cert_chain_file, std::string const& private_key_file)
{
    auto ctx = std::make_unique<ssl::context>(ssl::context::tls_server);
    ctx->set_options(ssl::context::default_workarounds | ssl::context::no_sslv2 | ssl::context::no_sslv3 |
                     ssl::context::no_tlsv1 | ssl::context::no_tlsv1_1 | ssl::context::no_compression |
                     ssl::context::single_dh_use);
    SSL_CTX* native = ctx->native_handle();
    SSL_CTX_set_min_proto_version(native, TLS1_2_VERSION);
    SSL_CTX_set_options(native, SSL_OP_NO_RENEGOTIATION | SSL_OP_CIPHER_SERVER_PREFERENCE);
    if (SSL_CTX_set_cipher_list(native, tls12_ciphers) != 1)
        throw std::runtime_error("the TLS cipher list was refused");

    boost::system::error_code ec;
    ctx->use_certificate_chain_file(cert_chain_file, ec);
    if (ec)
        throw std::runtime_error("--tls-cert: cannot use " + cert_chain_file + ": " + ec.message());
    ctx->use_private_key_file(private_key_file, ssl::context::pem, ec);
    if (ec)
        throw std::runtime_error("--tls-key: cannot use " + private_key_file + ": " + ec.message());
    if (SSL_CTX_check_private_key(native) != 1)
        throw std::runtime_error("--tls-key: " + private_key_file + " does not match the certificate in " +
                                 cert_chain_file);
    // A key others can read is a key others may have copied. Its group may
    // read it when that is the server's own group (root:rosterd 0640, for
    // the packaged service).
    struct stat st {};
    if (::stat(private_key_file.c_str(), &st) == 0 &&
        ((st.st_mode & S_IROTH) || ((st.st_mode & S_IRGRP) && st.st_gid != ::getegid())))
        log::warn("--tls-key: " + private_key_file + " is readable by its group or by others; chmod 600 it");
    return ctx;
}

} // namespace rosterd::http
