#include "cli/table.hpp"

#include <boost/json/serialize.hpp>

#include <algorithm>

namespace rosterd::cli {

namespace {

// Terminal-safe: C0 controls, DEL and the C1 controls (U+0080-U+009F, as
// UTF-8 0xC2 0x80-0x9F) become '?'.
std::string printable(std::string_view text)
{
    std::string out;
    out.reserve(text.size());
    for (std::size_t i = 0; i < text.size(); ++i) {
        auto const c = static_cast<unsigned char>(text[i]);
        if (c < 0x20 || c == 0x7f) {
            out.push_back('?');
        } else if (c == 0xc2 && i + 1 < text.size() && static_cast<unsigned char>(text[i + 1]) >= 0x80 &&
                   static_cast<unsigned char>(text[i + 1]) <= 0x9f) {
            out.push_back('?');
            ++i;
        } else {
            out.push_back(static_cast<char>(c));
        }
    }
    return out;
}

// Characters on the screen, near enough: UTF-8 continuation bytes take none.
std::size_t width_of(std::string_view text)
{
    return static_cast<std::size_t>(
        std::count_if(text.begin(), text.end(), [](char c) { return (static_cast<unsigned char>(c) & 0xc0) != 0x80; }));
}

boost::json::value const* find_path(boost::json::value const& v, std::string_view path)
{
    auto const* at = &v;
    while (!path.empty()) {
        auto const dot = path.find('.');
        auto const key = path.substr(0, dot);
        auto const* object = at->if_object();
        if (!object)
            return nullptr;
        auto const it = object->find(key);
        if (it == object->end())
            return nullptr;
        at = &it->value();
        path = dot == std::string_view::npos ? std::string_view{} : path.substr(dot + 1);
    }
    return at;
}

void pad(std::string& line, std::string const& text, std::size_t width)
{
    line += text;
    line.append(width - std::min(width, width_of(text)), ' ');
}

} // namespace

std::string cell(boost::json::value const& v)
{
    if (v.is_null())
        return "-";
    if (auto const* s = v.if_string())
        return printable(*s);
    if (auto const* a = v.if_array()) {
        std::string out;
        for (auto const& item : *a)
            out.append(out.empty() ? "" : ", ").append(cell(item));
        return out.empty() ? "-" : out;
    }
    return printable(boost::json::serialize(v));
}

std::string table(boost::json::value const& list, std::vector<column> const& columns)
{
    auto const* rows = list.if_array();
    if (!rows || rows->empty())
        return "(none)\n";
    std::vector<std::vector<std::string>> cells;
    std::vector<std::size_t> widths;
    for (auto const& c : columns)
        widths.push_back(width_of(c.heading));
    for (auto const& row : *rows) {
        auto& line = cells.emplace_back();
        for (std::size_t i = 0; i < columns.size(); ++i) {
            auto const* v = find_path(row, columns[i].path);
            line.push_back(v ? cell(*v) : "-");
            widths[i] = std::max(widths[i], width_of(line.back()));
        }
    }
    std::string out;
    auto emit = [&](auto const& texts) {
        std::string line;
        for (std::size_t i = 0; i < columns.size(); ++i)
            pad(line, std::string(texts[i]), i + 1 < columns.size() ? widths[i] + 2 : 0);
        out += line + "\n";
    };
    std::vector<std::string_view> headings;
    for (auto const& c : columns)
        headings.push_back(c.heading);
    emit(headings);
    for (auto const& line : cells)
        emit(line);
    return out;
}

std::string record(boost::json::value const& object)
{
    auto const* o = object.if_object();
    if (!o)
        return cell(object) + "\n";
    std::size_t width = 0;
    for (auto const& member : *o)
        width = std::max(width, width_of(member.key()));
    std::string out;
    for (auto const& member : *o) {
        pad(out, printable(member.key()), width + 2);
        out += cell(member.value()) + "\n";
    }
    return out;
}

} // namespace rosterd::cli
