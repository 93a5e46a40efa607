#pragma once
// How the command line shows the API's JSON to a person: a list of objects
// as a table of chosen columns, one object as "name  value" lines. Control
// characters in values (a user may name themselves anything) are shown as
// '?', so that no value can move the terminal's cursor or change its colours.

#include <boost/json/value.hpp>

#include <string>
#include <string_view>
#include <vector>

namespace rosterd::cli {

// A column: its heading and where its value is, as "actor.userId" for a
// member of a member.
struct column {
    std::string_view heading;
    std::string_view path;
};

// A JSON array of objects as a table; "(none)" when it is empty.
std::string table(boost::json::value const& list, std::vector<column> const& columns);

// A JSON object as one line per member.
std::string record(boost::json::value const& object);

// A value as a cell: null as "-", arrays joined with ", ", text as is.
std::string cell(boost::json::value const& v);

} // namespace rosterd::cli
