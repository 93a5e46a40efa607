#include "auth/token.hpp"

#include <openssl/evp.h>
#include <openssl/rand.h>

#include <zxcvbn.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <cmath>
#include <memory>
#include <stdexcept>

namespace rosterd::auth {

namespace {

constexpr std::size_t token_bytes = 16;
constexpr std::size_t min_secret_chars = 16;
constexpr std::size_t max_secret_chars = 256;

// Every token the README and docs/ show, in any example: someone will copy
// one. (token_test checks that this list covers the docs.)
constexpr std::string_view documented_tokens[] = {
    "93c8b2ae-301b-47fe-842f-afe9b98b427a", "4414756a-e64a-1bb2-7a84-11bda0b225e9",
    "72c27b1d-e05e-baf5-8ed5-024a602af4cb", "ab594702-5266-08e6-f333-d1a720de62af",
    "fdcd8cc5-d18e-4a65-80a4-291ee55ef77a",
};

bool is_visible_ascii(char c) { return c > ' ' && c < 0x7f; }

bool iequals_ascii(std::string_view a, std::string_view b)
{
    return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
        return (x | 0x20) == (y | 0x20);
    });
}

} // namespace

std::string generate_token()
{
    std::array<unsigned char, token_bytes> raw{};
    if (RAND_bytes(raw.data(), static_cast<int>(raw.size())) != 1)
        throw std::runtime_error("the random number generator failed");
    static constexpr char hex[] = "0123456789abcdef";
    std::string out;
    out.reserve(2 * token_bytes + 4);
    for (std::size_t i = 0; i < raw.size(); ++i) {
        if (i == 4 || i == 6 || i == 8 || i == 10)
            out.push_back('-');
        out.push_back(hex[raw[i] >> 4]);
        out.push_back(hex[raw[i] & 0xf]);
    }
    return out;
}

store::token_hash sha256(std::initializer_list<std::string_view> parts)
{
    // Every authenticated request hashes its token. EVP_sha256() looks the
    // algorithm up again on each use, which costs more than hashing a short
    // secret, so the algorithm is fetched once and each thread keeps a context.
    static EVP_MD* const algorithm = EVP_MD_fetch(nullptr, "SHA256", nullptr);
    struct context_deleter {
        void operator()(EVP_MD_CTX* c) const { EVP_MD_CTX_free(c); }
    };
    thread_local std::unique_ptr<EVP_MD_CTX, context_deleter> const ctx(EVP_MD_CTX_new());

    store::token_hash out{};
    unsigned int len = 0;
    bool ok = algorithm && ctx && EVP_DigestInit_ex2(ctx.get(), algorithm, nullptr) == 1;
    for (auto const part : parts)
        ok = ok && EVP_DigestUpdate(ctx.get(), part.data(), part.size()) == 1;
    if (!ok || EVP_DigestFinal_ex(ctx.get(), out.data(), &len) != 1 || len != out.size())
        throw std::runtime_error("SHA-256 failed");
    return out;
}

std::optional<std::string_view> token_from_authorization(std::string_view header)
{
    auto trim = [](std::string_view s) {
        while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
        while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
        return s;
    };
    header = trim(header);
    auto const space = header.find_first_of(" \t");
    std::string_view secret = header;
    if (space == std::string_view::npos && iequals_ascii(header, "bearer"))
        return std::nullopt; // the scheme without a token
    if (space != std::string_view::npos) {
        if (!iequals_ascii(header.substr(0, space), "bearer"))
            return std::nullopt;
        secret = trim(header.substr(space + 1));
    }
    if (secret.empty() || !std::all_of(secret.begin(), secret.end(), is_visible_ascii))
        return std::nullopt;
    return secret;
}

bool has_token_form(std::string_view secret)
{
    constexpr std::string_view form = "xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx";
    return secret.size() == form.size() && std::equal(form.begin(), form.end(), secret.begin(), [](char f, char c) {
        return f == '-' ? c == '-' : std::isxdigit(static_cast<unsigned char>(c)) != 0;
    });
}

double estimated_entropy_bits(std::string_view secret)
{
    auto const has = [&](auto pred) {
        return std::any_of(secret.begin(), secret.end(), [&](char c) { return pred(static_cast<unsigned char>(c)); });
    };
    unsigned alphabet = 0;
    if (std::all_of(secret.begin(), secret.end(), [](char c) { return std::isxdigit(static_cast<unsigned char>(c)); }))
        alphabet = 16;
    else {
        alphabet += has([](unsigned char c) { return std::islower(c); }) ? 26 : 0;
        alphabet += has([](unsigned char c) { return std::isupper(c); }) ? 26 : 0;
        alphabet += has([](unsigned char c) { return std::isdigit(c); }) ? 10 : 0;
        alphabet += has([](unsigned char c) { return !std::isalnum(c); }) ? 32 : 0;
    }
    return alphabet < 2 ? 0.0 : static_cast<double>(secret.size()) * std::log2(static_cast<double>(alphabet));
}

double guess_entropy_bits(std::string_view secret)
{
    std::string const text(secret); // zxcvbn reads a C string
    return ZxcvbnMatch(text.c_str(), nullptr, nullptr);
}

bool acceptable_secret(std::string_view secret)
{
    if (secret.size() < min_secret_chars || secret.size() > max_secret_chars
        || !std::all_of(secret.begin(), secret.end(), is_visible_ascii))
        return false;
    if (std::any_of(std::begin(documented_tokens), std::end(documented_tokens),
                    [&](std::string_view t) { return iequals_ascii(t, secret); }))
        return false;
    return estimated_entropy_bits(secret) >= min_secret_bits && guess_entropy_bits(secret) >= min_guess_bits;
}

} // namespace rosterd::auth
