// POST /scim/v2/Bulk (RFC 7644 §3.7): many SCIM operations in one request,
// how a directory moves in from another system. Each operation runs as the
// request it stands for would (the same handler, the same rights, the same
// checks), in order, inside this request's one batch: so the whole Bulk
// request is one unit on disk, and one fsync. Each operation applies whole
// or not at all: the SCIM handlers check everything before they record any
// change. A bulkId names what a POST made, for the operations after it.
#include "api/handlers.hpp"

#include "api/scim_call.hpp"
#include "scim/protocol.hpp"

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include <map>

namespace rosterd::api {

namespace json = boost::json;

namespace {

constexpr std::string_view bulk_request = "urn:ietf:params:scim:api:messages:2.0:BulkRequest";
constexpr std::string_view bulk_response = "urn:ietf:params:scim:api:messages:2.0:BulkResponse";
constexpr std::string_view bulk_prefix = "bulkId:";

using made_by_bulk_id = std::map<std::string, std::string, std::less<>>;

// A failed operation's answer: a SCIM error thrown before anything ran.
struct operation_error {
    http::status code;
    std::string scim_type;
    std::string detail;
};

std::string_view text_member(json::object const& op, std::string_view name, bool required)
{
    auto const* v = op.if_contains(name);
    if (!v || v->is_null()) {
        if (required)
            throw operation_error{http::status::bad_request, "invalidSyntax", std::string(name) + ": required"};
        return {};
    }
    if (!v->is_string())
        throw operation_error{http::status::bad_request, "invalidSyntax", std::string(name) + ": must be a string"};
    return v->get_string();
}

// "bulkId:q1" -> the id the operation with bulkId q1 made.
std::string resolved(std::string_view reference, made_by_bulk_id const& made)
{
    auto const it = made.find(reference.substr(bulk_prefix.size()));
    if (it == made.end())
        throw operation_error{http::status::conflict, "invalidValue",
                              std::string(reference) + ": names no resource made earlier in this request"};
    return it->second;
}

// Every string of `v` that is a bulkId reference, resolved in place.
void resolve_references(json::value& v, made_by_bulk_id const& made)
{
    if (v.is_string() && v.get_string().starts_with(bulk_prefix))
        v = json::string(resolved(v.get_string(), made));
    else if (v.is_array())
        for (auto& e : v.get_array())
            resolve_references(e, made);
    else if (v.is_object())
        for (auto& [key, e] : v.get_object())
            resolve_references(e, made);
}

// The handler for `method` on `path` ("/Users", "/Groups/7"), and the id.
std::pair<handler_fn, std::string> route_of(http::verb method, std::string_view path)
{
    auto const slash = path.find('/', 1);
    auto const collection = path.substr(0, slash);
    std::string id(slash == std::string_view::npos ? std::string_view() : path.substr(slash + 1));
    bool const users = collection == "/Users", groups = collection == "/Groups";
    if ((users || groups) && id.find('/') == std::string::npos) {
        if (id.empty() && method == http::verb::post)
            return {users ? scim_create_user : scim_create_group, id};
        if (!id.empty() && method == http::verb::put)
            return {users ? scim_replace_user : scim_replace_group, id};
        if (!id.empty() && method == http::verb::patch)
            return {users ? scim_patch_user : scim_patch_group, id};
        if (!id.empty() && method == http::verb::delete_)
            return {users ? scim_delete_user : scim_delete_group, id};
    }
    throw operation_error{http::status::bad_request, "invalidPath",
                          "path: a Bulk operation is POST /Users or /Groups, or PUT, PATCH or DELETE /Users/{id} "
                          "or /Groups/{id}"};
}

http::verb method_of(std::string_view text)
{
    for (auto const m : {http::verb::post, http::verb::put, http::verb::patch, http::verb::delete_})
        if (scim::same_name(boost::beast::http::to_string(m), text))
            return m;
    throw operation_error{http::status::bad_request, "invalidValue", "method: POST, PUT, PATCH or DELETE"};
}

// Runs one operation as the request it stands for; its entry of the
// BulkResponse.
json::object run_operation(context& ctx, json::value const& entry, made_by_bulk_id& made)
{
    json::object result;
    try {
        if (!entry.is_object())
            throw operation_error{http::status::bad_request, "invalidSyntax", "an operation must be an object"};
        auto const& op = entry.get_object();
        auto const method_text = text_member(op, "method", true);
        auto const method = method_of(method_text);
        result["method"] = boost::beast::http::to_string(method);
        auto const bulk_id = text_member(op, "bulkId", method == http::verb::post);
        if (!bulk_id.empty())
            result["bulkId"] = bulk_id;
        std::string path(text_member(op, "path", true));
        if (auto const at = path.find(bulk_prefix); at != std::string::npos)
            path = path.substr(0, at) + resolved(std::string_view(path).substr(at), made);
        auto const [handler, id] = route_of(method, path);

        http::request sub;
        sub.method = method;
        sub.method_text = boost::beast::http::to_string(method);
        sub.target = std::string(scim::base_path) + path;
        sub.peer = ctx.req.peer;
        sub.has_content_type = true;
        sub.content_type = http::media::scim;
        if (auto const version = text_member(op, "version", false); !version.empty()) {
            sub.has_if_match = true;
            sub.if_match = version;
        }
        if (method != http::verb::delete_) {
            auto const* data = op.if_contains("data");
            if (!data || !data->is_object())
                throw operation_error{http::status::bad_request, "invalidSyntax", "data: must be an object"};
            json::value resolved_data = *data;
            resolve_references(resolved_data, made);
            sub.body = json::serialize(resolved_data);
        }
        parsed_body body(sub, ctx.rules.max_json_depth, body_media::json_or_scim);
        context sub_ctx{sub,         id,        {},         ctx.dir,   ctx.now,       ctx.who, ctx.me,
                        ctx.stats,   ctx.log,   ctx.rules, ctx.files, ctx.read_lock, std::nullopt, &body};
        // As the service answers it: a SCIM error for a lower layer's problem.
        auto const res = scim::from_problem(handler(sub_ctx));
        auto const code = static_cast<unsigned>(res.code);
        result["status"] = std::to_string(code);
        if (!res.location.empty())
            result["location"] = res.location;
        if (!res.etag.empty())
            result["version"] = res.etag;
        if (code >= 400 && !res.body.empty())
            result["response"] = json::parse(res.body);
        if (method == http::verb::post && code < 300 && !res.location.empty())
            made.emplace(std::string(bulk_id), res.location.substr(res.location.rfind('/') + 1));
    } catch (operation_error const& e) {
        result["status"] = std::to_string(static_cast<unsigned>(e.code));
        result["response"] = json::parse(scim::error_response(scim::error(e.code, e.scim_type, e.detail)).body);
    }
    return result;
}

} // namespace

http::response scim_bulk(context& ctx)
{
    return scim_call([&] {
        auto const body = scim_body(ctx);
        if (auto const* schemas = body.if_contains("schemas")) {
            bool named = false;
            if (schemas->is_array())
                for (auto const& s : schemas->get_array())
                    named = named || (s.is_string() && s.get_string() == bulk_request);
            if (!named)
                throw scim::error(http::status::bad_request, "invalidSyntax",
                                  "schemas: must name " + std::string(bulk_request));
        }
        std::optional<std::uint64_t> fail_on_errors;
        if (auto const* f = body.if_contains("failOnErrors"); f && !f->is_null()) {
            if (!f->is_int64() || f->get_int64() < 1)
                throw scim::error(http::status::bad_request, "invalidValue", "failOnErrors: a positive integer");
            fail_on_errors = static_cast<std::uint64_t>(f->get_int64());
        }
        auto const* operations = body.if_contains("Operations");
        if (!operations || !operations->is_array())
            throw scim::error(http::status::bad_request, "invalidSyntax", "Operations: required, an array");
        if (operations->get_array().size() > scim::bulk_max_operations)
            throw scim::error(http::status::payload_too_large, "",
                              "Operations: more than " + std::to_string(scim::bulk_max_operations) +
                                  " (ServiceProviderConfig bulk.maxOperations)");

        made_by_bulk_id made;
        json::array results;
        std::uint64_t errors = 0;
        for (auto const& entry : operations->get_array()) {
            if (fail_on_errors && errors >= *fail_on_errors)
                break;
            // An operation may deactivate or delete the caller: the rest
            // are not run, as no request of theirs would be (and the
            // answer still tells what the earlier ones made).
            ctx.me = ctx.dir.find_user(ctx.who.user_id);
            if (!ctx.me || !ctx.me->active)
                break;
            auto result = run_operation(ctx, entry, made);
            if (std::stoul(std::string(result.at("status").as_string())) >= 400)
                ++errors;
            results.push_back(std::move(result));
        }
        return scim::resource_response(http::status::ok,
                                       json::object{{"schemas", json::array{bulk_response}},
                                                    {"Operations", std::move(results)}});
    });
}

} // namespace rosterd::api
