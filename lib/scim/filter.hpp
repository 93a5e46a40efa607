#pragma once
// SCIM filters (RFC 7644 §3.4.2.2) and PATCH paths (§3.5.2): parsed into a
// tree, and evaluated against a resource's JSON representation.
//
//   filter     = or-expr
//   or-expr    = and-expr *( "or" and-expr )          ("and" binds tighter)
//   and-expr   = unary *( "and" unary )
//   unary      = "not" "(" filter ")" / "(" filter ")" / attrExp / valuePath
//   attrExp    = attrPath "pr" / attrPath compareOp compValue
//   valuePath  = attrPath "[" valFilter "]"   (valFilter: a filter without valuePaths)
//   attrPath   = [URI ":"] ATTRNAME ["." ATTRNAME]
//   compareOp  = eq / ne / co / sw / ew / gt / lt / ge / le
//   compValue  = false / null / true / number / string (JSON)
//
// Operators and attribute names are case-insensitive. Tokens are separated
// by spaces (any number, or tabs). Literals are read by Boost.JSON.
//
// Thread safety: plain values and pure functions.

#include <boost/json/object.hpp>
#include <boost/json/value.hpp>

#include <cstddef>
#include <memory>
#include <stdexcept>
#include <string>
#include <string_view>
#include <variant>

namespace rosterd::scim {

// A filter or path that does not parse: the detail of a 400 with scimType
// invalidFilter (or invalidPath, for a PATCH path).
struct filter_error : std::invalid_argument {
    using std::invalid_argument::invalid_argument;
};

// Deeper nesting (parentheses, not, brackets) is refused, so that no
// input can exhaust the stack.
inline constexpr std::size_t max_filter_depth = 32;
// A longer filter is refused before it is read.
inline constexpr std::size_t max_filter_length = 4096;

struct attr_path {
    std::string uri;  // "urn:ietf:params:scim:schemas:core:2.0:User", or empty
    std::string name; // "name"
    std::string sub;  // "givenName", or empty
};

enum class compare_op { eq, ne, co, sw, ew, gt, lt, ge, le, pr };

struct filter;
using filter_ptr = std::unique_ptr<filter const>;

struct comparison {
    attr_path path;
    compare_op op = compare_op::eq;
    boost::json::value value; // null for pr
};
struct logical {
    bool is_and = true;
    filter_ptr left, right;
};
struct negation {
    filter_ptr inner;
};
// emails[type eq "work"]: true when an element of the attribute matches.
struct value_path {
    attr_path path;
    filter_ptr inner; // evaluated against each element
};

struct filter {
    std::variant<comparison, logical, negation, value_path> node;
};

// Throws filter_error.
filter_ptr parse_filter(std::string_view text);

// A PATCH operation's "path": attrPath, or valuePath with an optional
// sub-attribute after it (emails[type eq "work"].value).
struct patch_path {
    attr_path attr;
    filter_ptr value_filter; // null when there is no [...]
    std::string sub;         // after the brackets; empty otherwise
};

// Throws filter_error.
patch_path parse_patch_path(std::string_view text);

// Whether `resource` (a SCIM resource's JSON) matches `f`. String
// comparisons ignore case except on "id" and "externalId" (RFC 7643
// caseExact); an absent attribute matches only "ne" and "not".
bool matches(filter const& f, boost::json::object const& resource);

// Case-insensitive equality of ASCII names.
bool same_name(std::string_view a, std::string_view b);

} // namespace rosterd::scim
