// GET /, GET /ui, GET /ui/ and GET /ui/{file}: the web console
// (docs/console.md), whose files are compiled in (api/console_files.hpp).
#include "api/handlers.hpp"

#include "api/conditional.hpp"
#include "api/console_files.hpp"

#include <algorithm>

namespace rosterd::api {

namespace {

constexpr std::string_view index_page = "index.html";
// A file asked for by its hash never changes; any other asking revalidates.
constexpr std::string_view cache_for_good = "Cache-Control: public, max-age=31536000, immutable\r\n";
constexpr std::string_view cache_revalidate = "Cache-Control: no-cache\r\n";

console_file const* find_file(std::string_view name)
{
    auto const files = console_files();
    auto it = std::find_if(files.begin(), files.end(), [&](console_file const& f) { return f.name == name; });
    return it == files.end() ? nullptr : &*it;
}

bool asked_by_hash(context const& ctx, console_file const& f)
{
    auto it = ctx.query.find("v");
    return it != ctx.query.end() && (*it).value == f.hash;
}

} // namespace

http::response console_redirect(context& ctx)
{
    if (!ctx.rules.console)
        return not_found("page", ctx.req.target);
    return http::response{http::status::found, {}, {}, "/ui/", {}, {}, {}, {}, {}, {}};
}

http::response console_page(context& ctx)
{
    auto const name = ctx.path_id.empty() ? index_page : std::string_view(ctx.path_id);
    auto const* f = ctx.rules.console ? find_file(name) : nullptr;
    if (!f)
        return not_found("console file", name);
    std::string etag(1, '"');
    etag.append(f->hash).push_back('"');
    http::response res{http::status::ok, f->type, {}, {}, {}, std::move(etag), {}, {}, {}, http::console_headers()};
    res.headers.append(asked_by_hash(ctx, *f) ? cache_for_good : cache_revalidate);
    res.headers.append("Vary: Accept-Encoding\r\n");
    if (client_copy_is_current(ctx.req, res.etag)) {
        res.code = http::status::not_modified;
        res.content_type = {};
        return res;
    }
    if (ctx.req.accepts_gzip) {
        res.headers.append("Content-Encoding: gzip\r\n");
        res.body.assign(f->gzipped);
    } else {
        res.body.assign(f->body);
    }
    return res;
}

} // namespace rosterd::api
