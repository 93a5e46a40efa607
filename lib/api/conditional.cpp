#include "api/conditional.hpp"

#include "api/user_view.hpp"
#include "auth/token.hpp"

#include <boost/json/monotonic_resource.hpp>
#include <boost/json/serialize.hpp>

#include <openssl/evp.h>

#include <array>
#include <memory>
#include <stdexcept>

namespace rosterd::api {

namespace {

constexpr std::size_t etag_bytes = 16;

std::string_view trim(std::string_view s)
{
    while (!s.empty() && (s.front() == ' ' || s.front() == '\t'))
        s.remove_prefix(1);
    while (!s.empty() && (s.back() == ' ' || s.back() == '\t'))
        s.remove_suffix(1);
    return s;
}

enum class comparison { strong, weak };

// Whether the header's list ("*", or entity tags separated by commas)
// names `current`. A weak tag (W/"...") matches only in weak comparison.
bool list_names(std::string_view list, std::string_view current, comparison how)
{
    if (trim(list) == "*")
        return true;
    while (!list.empty()) {
        auto const comma = list.find(',');
        auto tag = trim(list.substr(0, comma));
        list = comma == std::string_view::npos ? std::string_view{} : list.substr(comma + 1);
        bool const weak = tag.starts_with("W/");
        if (weak)
            tag.remove_prefix(2);
        if ((!weak || how == comparison::weak) && tag == current)
            return true;
    }
    return false;
}

// Whether a list is "*" or one or more entity tags ("..." or W/"...")
// separated by commas (empty elements allowed, as RFC 9110 §5.6.1 says).
bool is_tag_list(std::string_view list)
{
    if (trim(list) == "*")
        return true;
    bool any = false;
    while (!list.empty()) {
        auto const comma = list.find(',');
        auto tag = trim(list.substr(0, comma));
        list = comma == std::string_view::npos ? std::string_view{} : list.substr(comma + 1);
        if (tag.empty())
            continue;
        if (tag.starts_with("W/"))
            tag.remove_prefix(2);
        if (tag.size() < 2 || tag.front() != '"' || tag.back() != '"'
            || tag.substr(1, tag.size() - 2).find('"') != std::string_view::npos)
            return false;
        any = true;
    }
    return any;
}

template <std::size_t N>
std::string quoted_hex(std::array<std::uint8_t, N> const& digest)
{
    static constexpr char hex[] = "0123456789abcdef";
    std::string out = "\"";
    for (std::size_t i = 0; i < etag_bytes; ++i) {
        out.push_back(hex[digest[i] >> 4]);
        out.push_back(hex[digest[i] & 0xf]);
    }
    out.push_back('"');
    return out;
}

// SHA-256 over values fed one after another, buffered so that a group of a
// million members costs a few hundred digest updates, not a million.
class state_hash {
public:
    state_hash()
    {
        static EVP_MD* const sha256 = EVP_MD_fetch(nullptr, "SHA256", nullptr);
        if (!sha256 || !ctx_ || EVP_DigestInit_ex2(ctx_.get(), sha256, nullptr) != 1)
            throw std::runtime_error("SHA-256 failed");
    }

    void add(std::uint64_t v)
    {
        for (int i = 0; i < 8; ++i)
            put(static_cast<char>((v >> (8 * i)) & 0xff));
    }
    void add(std::string_view s)
    {
        add(s.size());
        for (char c : s)
            put(c);
    }

    std::string etag()
    {
        flush();
        std::array<std::uint8_t, 32> digest{};
        unsigned int len = 0;
        if (EVP_DigestFinal_ex(ctx_.get(), digest.data(), &len) != 1 || len != digest.size())
            throw std::runtime_error("SHA-256 failed");
        return quoted_hex(digest);
    }

private:
    void put(char c)
    {
        if (used_ == buffer_.size())
            flush();
        buffer_[used_++] = c;
    }
    void flush()
    {
        if (EVP_DigestUpdate(ctx_.get(), buffer_.data(), used_) != 1)
            throw std::runtime_error("SHA-256 failed");
        used_ = 0;
    }

    struct context_deleter {
        void operator()(EVP_MD_CTX* c) const { EVP_MD_CTX_free(c); }
    };
    std::unique_ptr<EVP_MD_CTX, context_deleter> ctx_{EVP_MD_CTX_new()};
    std::array<char, 4096> buffer_{};
    std::size_t used_ = 0;
};

} // namespace

std::string etag_of(std::string_view representation)
{
    return quoted_hex(auth::hash_token(representation)); // SHA-256 of the bytes
}

std::string etag_of(store::user const& u)
{
    unsigned char buffer[4096];
    boost::json::monotonic_resource memory(buffer, sizeof buffer);
    return etag_of(boost::json::serialize(user_view(u, &memory)));
}

std::string etag_of(store::group const& g, store::directory const& dir)
{
    // Everything group_view() shows, without building it: the members and
    // admins lists are the member ids with each one's admin flag.
    state_hash h;
    h.add(g.id);
    h.add(g.name);
    h.add(g.client_id.value_or(0));
    h.add(static_cast<std::uint64_t>(g.created));
    for (auto const id : dir.members_of(g.id)) {
        auto const* u = dir.find_user(id);
        h.add(id);
        h.add(std::uint64_t{u && u->is_admin_of(g.id)});
    }
    return h.etag();
}

std::optional<http::response> if_match_failure(http::request const& req, std::string_view kind, std::string_view id,
                                               std::string const& current)
{
    if (!is_tag_list(req.if_match))
        return http::problem(http::status::bad_request, "If-Match: must be \"*\" or a list of entity tags");
    if (list_names(req.if_match, current, comparison::strong))
        return std::nullopt;
    auto res = http::problem(http::status::precondition_failed,
                             "If-Match: " + std::string(kind) + " " + std::string(id)
                                 + " has changed since; its ETag is now " + current);
    res.etag = current;
    return res;
}

bool client_copy_is_current(http::request const& req, std::string_view current)
{
    return !req.if_none_match.empty() && list_names(req.if_none_match, current, comparison::weak);
}

} // namespace rosterd::api
