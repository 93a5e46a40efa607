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

// Whether `secret` has the form generate_token() gives: 8-4-4-4-12 hex.
bool has_token_form(std::string_view secret);

// An estimate of a caller-chosen secret's entropy in bits, from its length
// and the alphabet its characters suggest (hex digits 16; otherwise 26 for
// lower-case letters, 26 for upper-case, 10 for digits, 32 for the other
// visible characters, added up for the kinds it uses). It is an upper
// bound: "aaaa..." scores as if random; it cannot tell a weak choice, only
// a short one.
double estimated_entropy_bits(std::string_view secret);

inline constexpr double min_secret_bits = 128;

// Whether a caller-chosen secret (the bootstrap token) is fit to be one: in
// the token form, or 16 to 256 visible ASCII characters of an estimated
// 128 bits or more.
bool acceptable_secret(std::string_view secret);

} // namespace rosterd::auth
