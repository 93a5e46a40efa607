#include "store/user_name.hpp"

#include <unicode/locid.h>
#include <unicode/normalizer2.h>
#include <unicode/uchar.h>
#include <unicode/unistr.h>
#include <unicode/utf8.h>

#include <algorithm>
#include <cstdio>
#include <cstring>
#include <stdexcept>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

namespace rosterd::store {

namespace {

std::string code_point(UChar32 c)
{
    char text[16];
    std::snprintf(text, sizeof text, "U+%04X", static_cast<unsigned>(c));
    return text;
}

icu::Normalizer2 const& normalizer(bool compatibility)
{
    UErrorCode status = U_ZERO_ERROR;
    auto const* n = compatibility ? icu::Normalizer2::getNFKCInstance(status) : icu::Normalizer2::getNFCInstance(status);
    if (U_FAILURE(status) || !n)
        throw std::runtime_error("ICU has no NFC/NFKC data");
    return *n;
}

// RFC 8264 §7 steps 1, 3 and 4 for UsernameCaseMapped: width mapping (a
// fullwidth or halfwidth character to its decomposition), case mapping
// (toLowerCase), NFC.
icu::UnicodeString prepared(std::string_view utf8)
{
    auto const text = icu::UnicodeString::fromUTF8(icu::StringPiece(utf8.data(), static_cast<int32_t>(utf8.size())));
    icu::UnicodeString mapped;
    auto const& nfkc = normalizer(true);
    for (int32_t i = 0; i < text.length();) {
        UChar32 const c = text.char32At(i);
        i += U16_LENGTH(c);
        auto const type = u_getIntPropertyValue(c, UCHAR_DECOMPOSITION_TYPE);
        if (type == U_DT_WIDE || type == U_DT_NARROW) {
            UErrorCode status = U_ZERO_ERROR;
            mapped.append(nfkc.normalize(icu::UnicodeString(c), status));
        } else {
            mapped.append(c);
        }
    }
    mapped.toLower(icu::Locale::getRoot());
    UErrorCode status = U_ZERO_ERROR;
    auto out = normalizer(false).normalize(mapped, status);
    return U_SUCCESS(status) ? out : mapped;
}

// RFC 8264 §8's derived property, for IdentifierClass: PVALID or not.
bool identifier_pvalid(UChar32 c)
{
    switch (c) { // RFC 5892 §2.6, Exceptions
    case 0x00DF: case 0x03C2: case 0x06FD: case 0x06FE: case 0x0F0B: case 0x3007: return true;
    case 0x00B7: case 0x0375: case 0x05F3: case 0x05F4: case 0x30FB: return false; // CONTEXTO
    case 0x0640: case 0x07FA: case 0x302E: case 0x302F: case 0x3031: case 0x3032: case 0x3033: case 0x3034:
    case 0x3035: case 0x303B: return false;
    default: break;
    }
    auto const category = u_charType(c);
    if (category == U_UNASSIGNED)
        return false;
    if (c >= 0x21 && c <= 0x7E) // ASCII7
        return true;
    if (u_hasBinaryProperty(c, UCHAR_JOIN_CONTROL)) // CONTEXTJ
        return false;
    auto const hangul = u_getIntPropertyValue(c, UCHAR_HANGUL_SYLLABLE_TYPE);
    if (hangul == U_HST_LEADING_JAMO || hangul == U_HST_VOWEL_JAMO || hangul == U_HST_TRAILING_JAMO)
        return false; // OldHangulJamo
    if (u_hasBinaryProperty(c, UCHAR_DEFAULT_IGNORABLE_CODE_POINT) || u_hasBinaryProperty(c, UCHAR_NONCHARACTER_CODE_POINT))
        return false;
    if (category == U_CONTROL_CHAR)
        return false;
    {
        UErrorCode status = U_ZERO_ERROR;
        icu::UnicodeString const one(c);
        if (normalizer(true).normalize(one, status) != one) // HasCompat
            return false;
    }
    switch (category) { // LetterDigits
    case U_LOWERCASE_LETTER: case U_UPPERCASE_LETTER: case U_OTHER_LETTER: case U_DECIMAL_DIGIT_NUMBER:
    case U_MODIFIER_LETTER: case U_NON_SPACING_MARK: case U_COMBINING_SPACING_MARK: return true;
    default: return false; // other letters and digits, spaces, symbols, punctuation, the rest
    }
}

// RFC 5893's Bidi Rule, for a name holding a right-to-left character.
bool bidi_rule_holds(icu::UnicodeString const& s)
{
    bool rtl = false;
    for (int32_t i = 0; i < s.length(); i += U16_LENGTH(s.char32At(i))) {
        auto const d = u_charDirection(s.char32At(i));
        rtl = rtl || d == U_RIGHT_TO_LEFT || d == U_RIGHT_TO_LEFT_ARABIC || d == U_ARABIC_NUMBER;
    }
    if (!rtl)
        return true;
    auto const first = u_charDirection(s.char32At(0));
    if (first != U_LEFT_TO_RIGHT && first != U_RIGHT_TO_LEFT && first != U_RIGHT_TO_LEFT_ARABIC)
        return false; // rule 1
    bool const rtl_label = first != U_LEFT_TO_RIGHT;
    bool en = false, an = false;
    UCharDirection last = first;
    for (int32_t i = 0; i < s.length(); i += U16_LENGTH(s.char32At(i))) {
        auto const d = u_charDirection(s.char32At(i));
        bool const allowed = rtl_label ? d == U_RIGHT_TO_LEFT || d == U_RIGHT_TO_LEFT_ARABIC || d == U_ARABIC_NUMBER
                                             || d == U_EUROPEAN_NUMBER || d == U_EUROPEAN_NUMBER_SEPARATOR
                                             || d == U_COMMON_NUMBER_SEPARATOR || d == U_EUROPEAN_NUMBER_TERMINATOR
                                             || d == U_OTHER_NEUTRAL || d == U_BOUNDARY_NEUTRAL || d == U_DIR_NON_SPACING_MARK
                                       : d == U_LEFT_TO_RIGHT || d == U_EUROPEAN_NUMBER || d == U_EUROPEAN_NUMBER_SEPARATOR
                                             || d == U_COMMON_NUMBER_SEPARATOR || d == U_EUROPEAN_NUMBER_TERMINATOR
                                             || d == U_OTHER_NEUTRAL || d == U_BOUNDARY_NEUTRAL || d == U_DIR_NON_SPACING_MARK;
        if (!allowed) // rules 2 and 5
            return false;
        en = en || d == U_EUROPEAN_NUMBER;
        an = an || d == U_ARABIC_NUMBER;
        if (d != U_DIR_NON_SPACING_MARK)
            last = d;
    }
    if (rtl_label) // rules 3 and 4
        return (last == U_RIGHT_TO_LEFT || last == U_RIGHT_TO_LEFT_ARABIC || last == U_EUROPEAN_NUMBER
                || last == U_ARABIC_NUMBER) && !(en && an);
    return last == U_LEFT_TO_RIGHT || last == U_EUROPEAN_NUMBER; // rule 6
}

} // namespace

bool ascii_lower_into(char* out, std::string_view in) noexcept
{
    std::size_t i = 0;
    unsigned high = 0; // any byte's top bit
#if defined(__SSE2__)
    // 'A' to 'Z' moved to the bottom of the signed bytes, where one
    // comparison finds them.
    auto const shift = _mm_set1_epi8(static_cast<char>(0x80 - 'A'));
    auto const past_z = _mm_set1_epi8(static_cast<char>(-128 + 26));
    auto const case_bit = _mm_set1_epi8(0x20);
    auto const lower16 = [&](char const* from, char* to) {
        auto const v = _mm_loadu_si128(reinterpret_cast<__m128i const*>(from));
        high |= static_cast<unsigned>(_mm_movemask_epi8(v));
        auto const upper = _mm_cmplt_epi8(_mm_add_epi8(v, shift), past_z);
        _mm_storeu_si128(reinterpret_cast<__m128i*>(to), _mm_or_si128(v, _mm_and_si128(upper, case_bit)));
    };
    for (; i + 16 <= in.size(); i += 16)
        lower16(in.data() + i, out + i);
    if (i < in.size() && in.size() >= 16) { // the rest: the last sixteen again
        lower16(in.data() + in.size() - 16, out + in.size() - 16);
    } else if (i < in.size()) { // through a buffer: never a read past `in`
        char rest[16] = {};
        std::memcpy(rest, in.data() + i, in.size() - i);
        lower16(rest, rest);
        std::memcpy(out + i, rest, in.size() - i);
    }
#else
    for (; i < in.size(); ++i) {
        high |= static_cast<unsigned char>(in[i]) & 0x80;
        out[i] = ascii_lower(in[i]);
    }
#endif
    return high == 0;
}

std::string name_key(std::string_view utf8)
{
    std::string out(utf8.size(), '\0');
    if (ascii_lower_into(out.data(), utf8))
        return out;
    out.clear();
    prepared(utf8).toUTF8String(out);
    return out;
}

std::optional<std::string> name_refusal(std::string_view utf8)
{
    if (is_ascii(utf8)) {
        for (char c : utf8)
            if (c < 0x21 || c > 0x7E)
                return code_point(static_cast<unsigned char>(c)) + " (spaces and control characters are not allowed)";
        return utf8.empty() ? std::optional<std::string>("empty") : std::nullopt;
    }
    auto const s = prepared(utf8);
    if (s.isEmpty())
        return "empty once prepared";
    for (int32_t i = 0; i < s.length();) {
        UChar32 const c = s.char32At(i);
        i += U16_LENGTH(c);
        if (!identifier_pvalid(c))
            return code_point(c) + " is not allowed in a name (RFC 8265: letters, digits and ASCII's symbols)";
    }
    if (!bidi_rule_holds(s))
        return "mixes left-to-right and right-to-left text against the Bidi Rule (RFC 5893)";
    return std::nullopt;
}

} // namespace rosterd::store
