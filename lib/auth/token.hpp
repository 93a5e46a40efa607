#pragma once
// Token secrets: made from OpenSSL's CSPRNG, shown once, kept only as SHA-256.

#include "store/records.hpp"

#include <initializer_list>
#include <optional>
#include <string>
#include <string_view>

namespace rosterd::auth {

// A fresh 128-bit secret in 8-4-4-4-12 lower-case hex form.
// Throws std::runtime_error if the CSPRNG fails.
std::string generate_token();

// SHA-256 of `parts` one after another. Throws std::runtime_error if
// OpenSSL fails.
store::token_hash sha256(std::initializer_list<std::string_view> parts);
inline store::token_hash hash_token(std::string_view secret) { return sha256({secret}); }

// The token in an Authorization header value: "Bearer <token>" (the scheme
// word in any case) or a bare "<token>". nullopt for anything else.
std::optional<std::string_view> token_from_authorization(std::string_view header);

// Whether `secret` has the form generate_token() gives: 8-4-4-4-12 hex.
bool has_token_form(std::string_view secret);

// An upper bound on a caller-chosen secret's entropy in bits, from its
// length and the alphabet its characters suggest (hex digits 16; otherwise
// 26 for lower-case letters, 26 for upper-case, 10 for digits, 32 for the
// other visible characters, added up for the kinds it uses). It cannot
// tell a weak choice, only a short one: "aaaa..." scores as if random.
double estimated_entropy_bits(std::string_view secret);

// zxcvbn's estimate of how many bits a guesser needs for `secret`: it
// knows dictionaries, repeats, sequences, keyboard walks and dates.
double guess_entropy_bits(std::string_view secret);

// A chosen secret must have room for 128 bits (estimated_entropy_bits),
// and zxcvbn must rate it at least as strong as random 128-bit tokens are
// rated: `openssl rand -hex 16` and generate_token() rate 90 to 165 bits
// (none of 100,000 draws below 90), "Password1!" repeated four times 39,
// the all-zero token 44.
inline constexpr double min_secret_bits = 128;
inline constexpr double min_guess_bits = 88;

// Whether a caller-chosen secret (the bootstrap token) is fit to be one:
// 16 to 256 visible ASCII characters (the token form is 36) that pass
// both estimates above, and not a token that rosterd's own documentation
// shows as an example.
bool acceptable_secret(std::string_view secret);

} // namespace rosterd::auth
