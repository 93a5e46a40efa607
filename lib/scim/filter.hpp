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

#include "store/time.hpp"

#include <boost/json/object.hpp>
#include <boost/json/value.hpp>

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
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
// More comparisons are refused: a list filter runs on every user the
// caller may read, so its cost is comparisons times users. Identity
// providers send one or two.
inline constexpr std::size_t max_filter_comparisons = 64;

struct attr_path {
    std::string uri;  // "urn:ietf:params:scim:schemas:core:2.0:User", or empty
    std::string name; // "name"
    std::string sub;  // "givenName", or empty
    // What a source made of the names, kept by the source that reads the
    // path so that it compares names once per filter, not once per record
    // (user_attributes). A filter is evaluated by one thread at a time.
    mutable std::int32_t resolved = -1;
};

enum class compare_op { eq, ne, co, sw, ew, gt, lt, ge, le, pr };

struct filter;
using filter_ptr = std::unique_ptr<filter const>;

struct comparison {
    attr_path path;
    compare_op op = compare_op::eq;
    boost::json::value value; // null for pr
    std::string folded;       // a string value in ASCII lower case, folded once
    bool case_exact = false;  // on "id" and "externalId" (RFC 7643 caseExact)
    // On userName: eq and ne compare names as the directory does (RFC 8265,
    // store/user_name.hpp), and `folded` is the value's prepared form.
    bool user_name = false;
    // On a dateTime attribute (meta.created, meta.lastModified) with eq, ne,
    // gt, ge, lt or le: the moment the value names, compared as a moment.
    std::optional<store::instant> time;
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

// One value a filter looks at, as a JSON value would be, without being
// one: so that a filter can run on records without a resource's JSON.
struct scalar {
    enum class kind : std::uint8_t { null, string, number, boolean, complex, empty_complex };
    kind type = kind::null;
    std::string_view text; // a string
    double number = 0;
    bool boolean = false;

    static scalar of(std::string_view s) { return {kind::string, s, 0, false}; }
    static scalar of(bool b) { return {kind::boolean, {}, 0, b}; }
    static scalar of_number(double n) { return {kind::number, {}, n, false}; }
    static scalar of_complex(bool empty) { return {empty ? kind::empty_complex : kind::complex, {}, 0, false}; }
};

// A non-owning reference to a callable, for the callbacks below.
template <class Signature>
class function_ref;
template <class R, class... Args>
class function_ref<R(Args...)> {
public:
    template <class F>
    function_ref(F const& f) // NOLINT: converts like std::function
        : object_(&f), call_([](void const* o, Args... args) -> R { return (*static_cast<F const*>(o))(args...); })
    {
    }
    R operator()(Args... args) const { return call_(object_, args...); }

private:
    void const* object_;
    R (*call_)(void const*, Args...);
};

// What a filter runs on: a resource's attributes, however they are kept
// (its JSON, or the records it is made from). Attribute names are matched
// ignoring case, as SCIM's are. The strings a source passes must stay
// valid and unchanged for the whole matches() call (an evaluation
// remembers what it folded by address).
class attribute_source {
public:
    virtual ~attribute_source() = default;
    // Calls `f` with each value `path` names, until it answers true; whether
    // it did. A multi-valued attribute gives one value per element (its
    // "value", or the sub-attribute named); a complex one its sub-attribute.
    virtual bool any_value(attr_path const& path, function_ref<bool(scalar const&)> f) const = 0;
    // Calls `f` with each element of multi-valued attribute `path` that is
    // complex (a complex attribute is its own one element), until it
    // answers true; whether it did.
    virtual bool any_element(attr_path const& path, function_ref<bool(attribute_source const&)> f) const = 0;
};

// Whether `resource` matches `f`. String comparisons ignore (ASCII) case
// except on "id" and "externalId" (RFC 7643 caseExact); an absent
// attribute matches only "ne" and "not".
bool matches(filter const& f, attribute_source const& resource);
// The same on a resource's JSON.
bool matches(filter const& f, boost::json::object const& resource);

// Case-insensitive equality of ASCII names.
bool same_name(std::string_view a, std::string_view b);

} // namespace rosterd::scim
