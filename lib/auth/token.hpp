#pragma once
// Token secrets: made from OpenSSL's CSPRNG, shown once, kept only as SHA-256.

#include "store/records.hpp"

#include <optional>
#include <string>
#include <string_view>

namespace rosterd::auth {

// A fresh 128-bit secret in 8-4-4-4-12 lower-case hex form.
// Throws std::runtime_error if the CSPRNG fails.
std::string generate_token();

store::token_hash hash_token(std::string_view secret);

// The token in an Authorization header value: "Bearer <token>" (the scheme
// word in any case) or a bare "<token>". nullopt for anything else.
std::optional<std::string_view> token_from_authorization(std::string_view header);

// Whether a caller-chosen secret (the bootstrap token) is fit to be one:
// 16 to 256 visible ASCII characters.
bool acceptable_secret(std::string_view secret);

} // namespace rosterd::auth
