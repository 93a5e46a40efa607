#pragma once
// Phone numbers as identity providers keep them, read by Google's
// libphonenumber: "+1 (425) 555-0100", RFC 3966's "tel:+1-201-555-0123",
// and, given a default region (--phone-region), national forms such as
// "(425) 555-0100". A number is taken when its length is possible for its
// country (libphonenumber's IsPossibleNumber: numbers in providers' test
// data, such as 555 ones, are fictional but well formed).
//
// Thread safety: pure functions (libphonenumber's instance is thread-safe).

#include <optional>
#include <string>
#include <string_view>

namespace rosterd::scim {

// The E.164 form of `text` ("+14255550100"), read with `region` (ISO 3166
// alpha-2, upper case; empty: none) for numbers without a country code;
// nullopt when it is not a phone number.
std::optional<std::string> to_e164(std::string_view text, std::string_view region);

// Whether libphonenumber knows `region` ("US", "NL"), for --phone-region.
bool is_phone_region(std::string_view region);

} // namespace rosterd::scim
