#include "scim/query.hpp"

#include "scim/protocol.hpp"

#include <algorithm>
#include <charconv>

namespace rosterd::scim {

namespace json = boost::json;

namespace {

std::vector<std::string> split_names(std::string_view list)
{
    std::vector<std::string> names;
    while (!list.empty()) {
        auto const comma = list.find(',');
        auto name = list.substr(0, comma);
        while (!name.empty() && name.front() == ' ')
            name.remove_prefix(1);
        while (!name.empty() && name.back() == ' ')
            name.remove_suffix(1);
        // "urn:...:User:userName" is userName.
        for (auto schema : {urn::user, urn::group})
            if (name.size() > schema.size() + 1 && same_name(name.substr(0, schema.size()), schema)
                && name[schema.size()] == ':')
                name.remove_prefix(schema.size() + 1);
        if (!name.empty())
            names.emplace_back(name);
        if (comma == std::string_view::npos)
            break;
        list.remove_prefix(comma + 1);
    }
    return names;
}

std::size_t number(std::string_view name, std::string_view text)
{
    long long n = 0;
    auto const [end, ec] = std::from_chars(text.data(), text.data() + text.size(), n);
    if (text.empty() || ec != std::errc{} || end != text.data() + text.size())
        throw invalid_value(std::string(name) + ": must be an integer");
    return n < 0 ? 0 : static_cast<std::size_t>(n);
}

// "name.givenName" -> ("name", "givenName").
std::pair<std::string_view, std::string_view> split_sub(std::string_view path)
{
    auto const dot = path.find('.');
    if (dot == std::string_view::npos)
        return {path, {}};
    return {path.substr(0, dot), path.substr(dot + 1)};
}

bool always_returned(std::string_view name) { return same_name(name, "id") || same_name(name, "schemas"); }

} // namespace

bool projection::leaves_out(std::string_view name) const
{
    if (always_returned(name))
        return false;
    if (!attributes.empty())
        return std::none_of(attributes.begin(), attributes.end(),
                            [&](std::string const& a) { return same_name(split_sub(a).first, name); });
    return std::any_of(excluded.begin(), excluded.end(), [&](std::string const& e) { return same_name(e, name); });
}

projection parse_projection(boost::urls::params_view query)
{
    projection shape;
    for (auto const& param : query) {
        if (same_name(param.key, "attributes"))
            shape.attributes = split_names(param.value);
        else if (same_name(param.key, "excludedAttributes"))
            shape.excluded = split_names(param.value);
    }
    return shape;
}

list_params parse_list_params(boost::urls::params_view query)
{
    list_params out;
    out.shape = parse_projection(query);
    for (auto const& param : query) {
        if (same_name(param.key, "filter")) {
            try {
                out.filter = parse_filter(param.value);
            } catch (filter_error const& e) {
                throw error(http::status::bad_request, "invalidFilter", std::string("filter: ") + e.what());
            }
        } else if (same_name(param.key, "startIndex")) {
            out.start_index = std::max<std::size_t>(1, number("startIndex", param.value));
        } else if (same_name(param.key, "count")) {
            out.count = std::min(max_count, number("count", param.value));
        }
    }
    return out;
}

void project(json::object& resource, projection const& shape)
{
    for (auto it = resource.begin(); it != resource.end();) {
        auto const name = it->key();
        if (shape.leaves_out(name)) {
            it = resource.erase(it);
            continue;
        }
        // attributes=name.givenName keeps only that part of "name";
        // excludedAttributes=name.formatted drops only that part.
        if (it->value().is_object()) {
            auto& inner = it->value().as_object();
            bool const narrowed = std::any_of(shape.attributes.begin(), shape.attributes.end(), [&](auto const& a) {
                auto const [top, sub] = split_sub(a);
                return same_name(top, name) && sub.empty();
            });
            for (auto in = inner.begin(); in != inner.end();) {
                bool keep = true;
                if (!shape.attributes.empty() && !narrowed)
                    keep = std::any_of(shape.attributes.begin(), shape.attributes.end(), [&](auto const& a) {
                        auto const [top, sub] = split_sub(a);
                        return same_name(top, name) && same_name(sub, in->key());
                    });
                if (std::any_of(shape.excluded.begin(), shape.excluded.end(), [&](auto const& e) {
                        auto const [top, sub] = split_sub(e);
                        return same_name(top, name) && same_name(sub, in->key());
                    }))
                    keep = false;
                in = keep ? in + 1 : inner.erase(in);
            }
        }
        ++it;
    }
}

} // namespace rosterd::scim
