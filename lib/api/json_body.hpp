#pragma once
// Request bodies: a JSON object, or nothing (which counts as {}).

#include "http/request.hpp"
#include "http/response.hpp"

#include <boost/json/monotonic_resource.hpp>
#include <boost/json/object.hpp>

#include <cstddef>
#include <optional>
#include <string_view>

namespace rosterd::api {

// Deep enough for any body of this API, shallow enough that no input can
// exhaust the stack (--max-json-depth).
inline constexpr std::size_t default_max_json_depth = 16;

// Which Content-Types a body may have: application/json, and for a SCIM
// call also application/scim+json (parameters allowed either way).
enum class body_media { json, json_or_scim };

// Parses the body into `out`, in `out`'s memory resource, nested at most
// `max_depth` deep. Returns the error response instead: 415 for a
// Content-Type not allowed by `media` (a missing one is accepted), 400 for
// anything that is not a JSON object.
std::optional<http::response> parse_json_object(http::request const& req, std::size_t max_depth,
                                                boost::json::object& out, body_media media = body_media::json);

// A request's body parsed before its handler runs, and so before any lock
// is taken (the service does it for every route that takes a body): the
// object, or the response parsing gave instead. In an arena of its own: a
// typical body fits the buffer, so parsing it allocates nothing more, and
// a handler that takes the object (into the same storage) copies nothing.
class parsed_body {
public:
    // `req` must outlive it.
    parsed_body(http::request const& req, std::size_t max_depth, body_media media)
        : req_(req), max_depth_(max_depth), media_(media)
    {
        error_ = parse_json_object(req, max_depth, object_, media);
    }
    parsed_body(parsed_body const&) = delete;
    parsed_body& operator=(parsed_body const&) = delete;

    std::optional<http::response> const& error() const { return error_; }
    // To read; empty once taken.
    boost::json::object const& object() const { return object_; }
    boost::json::storage_ptr const& storage() const { return object_.storage(); }
    // To keep: moved out the first time. Work may run more than once (a
    // shared store runs it again after losing a race): a later call parses
    // the body anew, the rare case paying for the common one.
    boost::json::object take();

private:
    http::request const& req_;
    std::size_t max_depth_;
    body_media media_;
    bool taken_ = false;
    static constexpr std::size_t typical_body = 2048;
    unsigned char buffer_[typical_body];
    boost::json::monotonic_resource memory_{buffer_, sizeof buffer_};
    boost::json::object object_{&memory_};
    std::optional<http::response> error_;
};

// Whether the media type (parameters ignored) is `type` (application/json).
bool is_json_media_type(std::string_view content_type, std::string_view type = "application/json");

// The number of Unicode code points in valid UTF-8 text.
std::size_t count_code_points(std::string_view utf8);

// Whether valid UTF-8 text has a control character: C0 (U+0000-U+001F), DEL
// or C1 (U+0080-U+009F). Multi-line text (description, remarks) may have tab
// and newline; single-line text (names, ids) none at all.
enum class lines { single, multi };
bool has_control_character(std::string_view utf8, lines kind = lines::single);

// Whether the value is a JSON integer from 1 to 2^63-1 (not 1.0, not -1).
std::optional<std::uint64_t> positive_integer(boost::json::value const& v);

} // namespace rosterd::api
