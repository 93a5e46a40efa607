#pragma once
// User names as RFC 7644 §7.8 asks: prepared by the UsernameCaseMapped
// profile of PRECIS (RFC 8265, with RFC 8264's IdentifierClass), through
// ICU. Two names are the same user's when their prepared forms are equal:
// "JOSÉ@example.org", "josé@example.org" (precomposed or not) and
// "ｊｏｓé@example.org" (fullwidth) are one name.
//
//   name_key()       the prepared form: fullwidth and halfwidth characters
//                    mapped to their usual forms, then lower case, then NFC.
//                    Total: it prepares any text, so that names stored
//                    before these rules still compare and index.
//   name_refusal()   why a new name is refused: a code point that
//                    IdentifierClass does not allow (spaces, symbols,
//                    punctuation but ASCII's, controls, format characters
//                    such as U+202E RIGHT-TO-LEFT OVERRIDE, compatibility
//                    forms, unassigned code points; those allowed only in
//                    context, CONTEXTJ and CONTEXTO, are refused too), a
//                    name that breaks the Bidi Rule (RFC 5893), or one
//                    whose prepared form is empty.
//
// ASCII names, nearly all of them, take a fast path that gives the same
// answers: lower case is their whole preparation.
//
// Thread safety: pure functions (ICU's normalizers are thread-safe).

#include <optional>
#include <string>
#include <string_view>

namespace rosterd::store {

std::string name_key(std::string_view utf8);

// A byte's ASCII lower case; any other byte as it is.
inline char ascii_lower(char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c; }

// Whether every byte is ASCII: such a name's preparation is its lower case.
inline bool is_ascii(std::string_view s)
{
    for (char c : s)
        if (static_cast<unsigned char>(c) >= 0x80)
            return false;
    return true;
}

// Writes the ASCII lower case of `in` to `out` (in.size() bytes, any
// other byte as it is) and answers whether every byte was ASCII: both in
// one pass, sixteen bytes at a time. A load runs it on every user's
// texts, for the search index and the address index.
bool ascii_lower_into(char* out, std::string_view in) noexcept;

// Why `utf8` may not be a new userName (naming the code point, "U+202E"),
// or nullopt.
std::optional<std::string> name_refusal(std::string_view utf8);

} // namespace rosterd::store
