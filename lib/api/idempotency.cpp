#include "api/idempotency.hpp"

#include "auth/token.hpp"

#include <algorithm>
#include <cstring>

namespace rosterd::api {

namespace {

bool printable(char c) { return c >= 0x20 && c <= 0x7e; }

// A structured-field string (RFC 8941 §3.3.3): "..." with \" and \\.
std::optional<std::string> parse_sf_string(std::string_view v)
{
    std::string out;
    for (std::size_t i = 1; i < v.size(); ++i) {
        char c = v[i];
        if (c == '"')
            return i + 1 == v.size() ? std::optional(out) : std::nullopt;
        if (c == '\\') {
            if (++i == v.size() || (v[i] != '"' && v[i] != '\\'))
                return std::nullopt;
            c = v[i];
        } else if (!printable(c)) {
            return std::nullopt;
        }
        out.push_back(c);
    }
    return std::nullopt; // no closing quote
}

// The kept answer's id: a hash of the caller and the key, 63 bits, never 0.
store::record_id answer_id(store::record_id caller, std::string_view key)
{
    char user[sizeof caller];
    std::memcpy(user, &caller, sizeof caller);
    auto const digest = auth::sha256({"rosterd idempotency key\n", {user, sizeof user}, key});
    store::record_id id = 0;
    std::memcpy(&id, digest.data(), sizeof id);
    id &= ~(store::record_id{1} << 63);
    return id ? id : 1;
}

std::string_view media_of(std::string_view kept)
{
    for (auto const m : {http::media::json, http::media::scim, http::media::problem})
        if (kept == m)
            return m;
    return {};
}

} // namespace

std::optional<std::string> parse_idempotency_key(std::string_view value)
{
    std::optional<std::string> key;
    if (!value.empty() && value.front() == '"') {
        key = parse_sf_string(value);
    } else {
        // Bare: what a quoted key may hold, less what would need quoting.
        bool const plain = std::all_of(value.begin(), value.end(), [](char c) {
            return printable(c) && c != ' ' && c != '"' && c != '\\' && c != ',';
        });
        if (plain)
            key = std::string(value);
    }
    if (!key || key->empty() || key->size() > max_idempotency_key)
        return std::nullopt;
    return key;
}

std::optional<keyed_request> read_idempotency_key(http::request const& req, store::record_id caller,
                                                  std::optional<http::response>& refusal)
{
    if (!req.has_idempotency_key)
        return std::nullopt;
    auto key = parse_idempotency_key(req.idempotency_key);
    if (!key) {
        refusal = bad_request("Idempotency-Key: must be one string of 1 to 255 printable ASCII characters, "
                              "quoted (\"...\") or bare");
        return std::nullopt;
    }
    keyed_request k;
    k.id = answer_id(caller, *key);
    k.fingerprint = auth::sha256({req.method_text, "\n", req.target, "\n", req.body});
    k.key = std::move(*key);
    return k;
}

std::optional<http::response> kept_answer_for(context const& ctx, keyed_request const& k)
{
    auto const* kept = ctx.dir.find_answer(k.id);
    if (!kept || !still_kept(*kept, ctx.now))
        return std::nullopt;
    if (kept->user_id != ctx.who.user_id || kept->key != k.key || kept->request != k.fingerprint)
        return http::problem(http::status::unprocessable_entity,
                             "Idempotency-Key: this key was used for another request in the last 24 hours; "
                             "use a new key for a new request");
    http::response res;
    res.code = static_cast<http::status>(kept->status);
    res.content_type = media_of(kept->content_type);
    res.body = kept->body;
    res.location = kept->location;
    res.etag = kept->etag;
    return res;
}

void keep_answer(context& ctx, keyed_request const& k, http::response& res)
{
    auto const code = static_cast<unsigned>(res.code);
    if (code < 200 || code > 299)
        return;
    if (res.more) {
        // Kept whole; it is what the request's own body could describe.
        while (res.more(res.body)) {
        }
        res.more = nullptr;
    }
    auto const& kept = ctx.retry_answer ? *ctx.retry_answer : res;
    store::kept_answer a;
    a.id = k.id;
    a.user_id = ctx.who.user_id;
    a.at = ctx.now;
    a.key = k.key;
    a.request = k.fingerprint;
    a.status = static_cast<std::uint16_t>(kept.code);
    a.content_type = kept.content_type;
    a.location = kept.location;
    a.etag = kept.etag;
    a.body = kept.body;
    ctx.log.record(store::put_answer{std::move(a)});
}

} // namespace rosterd::api
