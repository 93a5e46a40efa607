#include "scim/filter.hpp"

#include <boost/json/parse.hpp>

#include <algorithm>
#include <array>
#include <cctype>
#include <vector>

namespace rosterd::scim {

namespace json = boost::json;

bool same_name(std::string_view a, std::string_view b)
{
    return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
        return std::tolower(static_cast<unsigned char>(x)) == std::tolower(static_cast<unsigned char>(y));
    });
}

namespace {

constexpr std::array<std::pair<std::string_view, compare_op>, 10> operators{{
    {"eq", compare_op::eq}, {"ne", compare_op::ne}, {"co", compare_op::co}, {"sw", compare_op::sw},
    {"ew", compare_op::ew}, {"gt", compare_op::gt}, {"lt", compare_op::lt}, {"ge", compare_op::ge},
    {"le", compare_op::le}, {"pr", compare_op::pr},
}};

bool is_name_start(char c) { return std::isalpha(static_cast<unsigned char>(c)) || c == '$'; }
bool is_name_char(char c)
{
    return std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_' || c == '$';
}
bool is_valid_name(std::string_view s)
{
    return !s.empty() && is_name_start(s.front()) && std::all_of(s.begin() + 1, s.end(), is_name_char);
}

filter_ptr make(auto node) { return std::make_unique<filter const>(filter{std::move(node)}); }

class parser {
public:
    explicit parser(std::string_view text) : text_(text)
    {
        if (text.size() > max_filter_length)
            throw filter_error("longer than " + std::to_string(max_filter_length) + " characters");
    }

    filter_ptr whole_filter()
    {
        auto f = or_expr(0, false);
        expect_end();
        return f;
    }

    patch_path whole_path()
    {
        patch_path p;
        p.attr = path();
        if (peek() == '[') {
            ++at_;
            p.value_filter = or_expr(1, true);
            skip_space();
            expect(']');
            if (peek() == '.') {
                ++at_;
                p.sub = std::string(name_run());
                if (!is_valid_name(p.sub))
                    fail("expected a sub-attribute name after '].'");
            }
        }
        expect_end();
        return p;
    }

private:
    [[noreturn]] void fail(std::string const& what) const
    {
        throw filter_error("at character " + std::to_string(at_ + 1) + ": " + what);
    }

    char peek() const { return at_ < text_.size() ? text_[at_] : '\0'; }
    bool at_end() const { return at_ >= text_.size(); }
    void skip_space()
    {
        while (!at_end() && (text_[at_] == ' ' || text_[at_] == '\t'))
            ++at_;
    }
    void expect(char c)
    {
        if (peek() != c)
            fail(std::string("expected '") + c + "'");
        ++at_;
    }
    void expect_end()
    {
        skip_space();
        if (!at_end())
            fail("unexpected '" + std::string(text_.substr(at_, 16)) + "'");
    }

    // The word at the cursor (letters only), without moving.
    std::string_view word() const
    {
        auto end = at_;
        while (end < text_.size() && std::isalpha(static_cast<unsigned char>(text_[end])))
            ++end;
        return text_.substr(at_, end - at_);
    }

    // Characters of an attribute path, URN included: letters, digits and - _ $ : .
    std::string_view name_run()
    {
        auto const start = at_;
        while (!at_end() && (is_name_char(text_[at_]) || text_[at_] == ':' || text_[at_] == '.'))
            ++at_;
        return text_.substr(start, at_ - start);
    }

    attr_path path()
    {
        skip_space();
        auto const start = at_;
        auto const run = name_run();
        attr_path p;
        auto rest = run;
        if (auto const colon = run.rfind(':'); colon != std::string_view::npos) {
            p.uri = std::string(run.substr(0, colon));
            if (!same_name(std::string_view(p.uri).substr(0, 4), "urn:"))
                fail("a schema URI must start with urn:");
            rest = run.substr(colon + 1);
        }
        auto const dot = rest.find('.');
        p.name = std::string(rest.substr(0, dot));
        if (dot != std::string_view::npos)
            p.sub = std::string(rest.substr(dot + 1));
        if (!is_valid_name(p.name) || (dot != std::string_view::npos && !is_valid_name(p.sub))) {
            at_ = start;
            fail("expected an attribute name");
        }
        return p;
    }

    filter_ptr or_expr(std::size_t depth, bool in_brackets)
    {
        auto left = and_expr(depth, in_brackets);
        while (keyword_ahead("or")) {
            auto right = and_expr(depth, in_brackets);
            left = make(logical{false, std::move(left), std::move(right)});
        }
        return left;
    }

    filter_ptr and_expr(std::size_t depth, bool in_brackets)
    {
        auto left = unary(depth, in_brackets);
        while (keyword_ahead("and")) {
            auto right = unary(depth, in_brackets);
            left = make(logical{true, std::move(left), std::move(right)});
        }
        return left;
    }

    // Consumes " <kw> " when it comes next.
    bool keyword_ahead(std::string_view kw)
    {
        auto const save = at_;
        skip_space();
        if (at_ > save && same_name(word(), kw)) {
            at_ += kw.size();
            if (peek() == ' ' || peek() == '\t' || peek() == '(') // "and(" is as clear as "and ("
                return true;
        }
        at_ = save;
        return false;
    }

    filter_ptr grouped(std::size_t depth, bool in_brackets)
    {
        if (depth + 1 > max_filter_depth)
            fail("nested deeper than " + std::to_string(max_filter_depth));
        expect('(');
        auto inner = or_expr(depth + 1, in_brackets);
        skip_space();
        expect(')');
        return inner;
    }

    filter_ptr unary(std::size_t depth, bool in_brackets)
    {
        skip_space();
        if (peek() == '(')
            return grouped(depth, in_brackets);
        if (same_name(word(), "not")) {
            auto const save = at_;
            at_ += 3;
            skip_space();
            if (peek() == '(')
                return make(negation{grouped(depth, in_brackets)});
            at_ = save; // an attribute named "not"
        }
        auto p = path();
        if (peek() == '[') {
            if (in_brackets)
                fail("a value filter cannot hold another");
            if (depth + 1 > max_filter_depth)
                fail("nested deeper than " + std::to_string(max_filter_depth));
            ++at_;
            auto inner = or_expr(depth + 1, true);
            skip_space();
            expect(']');
            return make(value_path{std::move(p), std::move(inner)});
        }
        auto const before = at_;
        skip_space();
        if (at_ == before)
            fail("expected a space and an operator after the attribute");
        auto const op_word = word();
        auto const op = std::find_if(operators.begin(), operators.end(),
                                     [&](auto const& o) { return same_name(o.first, op_word); });
        if (op == operators.end())
            fail("expected an operator: eq, ne, co, sw, ew, gt, lt, ge, le or pr");
        at_ += op_word.size();
        comparison c{std::move(p), op->second, nullptr};
        if (c.op != compare_op::pr)
            c.value = value();
        return make(std::move(c));
    }

    json::value value()
    {
        auto const before = at_;
        skip_space();
        if (at_ == before)
            fail("expected a space and a value after the operator");
        auto const start = at_;
        if (peek() == '"') {
            for (++at_; !at_end() && text_[at_] != '"'; ++at_)
                if (text_[at_] == '\\')
                    ++at_;
            if (at_end())
                fail("unterminated string");
            ++at_;
        } else {
            while (!at_end() && text_[at_] != ' ' && text_[at_] != '\t' && text_[at_] != ')' && text_[at_] != ']')
                ++at_;
        }
        auto const literal = text_.substr(start, at_ - start);
        for (auto const* kw : {"true", "false", "null"}) // JSON's own, in any case
            if (same_name(literal, kw))
                return json::parse(kw);
        boost::system::error_code ec;
        auto v = json::parse(literal, ec);
        if (ec || !(v.is_string() || v.is_number())) {
            at_ = start;
            fail("expected a value: a string in double quotes, a number, true, false or null");
        }
        return v;
    }

    std::string_view text_;
    std::size_t at_ = 0;
};

json::value const* find(json::object const& o, std::string_view name)
{
    for (auto const& [key, value] : o)
        if (same_name(key, name))
            return &value;
    return nullptr;
}

// The attribute `p` names, in the resource or in its schema extension.
json::value const* attribute(attr_path const& p, json::object const& resource)
{
    if (!p.uri.empty())
        if (auto const* extension = find(resource, p.uri); extension && extension->is_object())
            return find(extension->get_object(), p.name);
    return find(resource, p.name);
}

// The values `p` names in `resource`: none, one, or one per element of a
// multi-valued attribute (its "value" when no sub-attribute is named).
std::vector<json::value const*> values_at(attr_path const& p, json::object const& resource)
{
    std::vector<json::value const*> out;
    auto const* v = attribute(p, resource);
    if (!v)
        return out;
    auto add = [&](json::value const& x, bool element) {
        if (!p.sub.empty()) {
            if (x.is_object())
                if (auto const* s = find(x.get_object(), p.sub))
                    out.push_back(s);
        } else if (element && x.is_object()) {
            if (auto const* s = find(x.get_object(), "value"))
                out.push_back(s);
        } else {
            out.push_back(&x);
        }
    };
    if (v->is_array())
        for (auto const& e : v->get_array())
            add(e, true);
    else
        add(*v, false);
    return out;
}

std::string folded(std::string_view s, bool case_exact)
{
    std::string out(s);
    if (!case_exact)
        for (char& c : out)
            c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return out;
}

template <class T>
bool ordered(compare_op op, T const& a, T const& b)
{
    switch (op) {
    case compare_op::eq: return a == b;
    case compare_op::gt: return a > b;
    case compare_op::lt: return a < b;
    case compare_op::ge: return a >= b;
    case compare_op::le: return a <= b;
    default: return false;
    }
}

// One value against the filter's; `ne` is handled by the caller.
bool compare(json::value const& have, compare_op op, json::value const& want, bool case_exact)
{
    if (op == compare_op::pr) {
        if (have.is_null())
            return false;
        if (have.is_string())
            return !have.get_string().empty();
        if (have.is_array())
            return !have.get_array().empty();
        return !have.is_object() || !have.get_object().empty();
    }
    if (have.is_string() && want.is_string()) {
        auto const a = folded(have.get_string(), case_exact);
        auto const b = folded(want.get_string(), case_exact);
        switch (op) {
        case compare_op::co: return a.find(b) != std::string::npos;
        case compare_op::sw: return a.starts_with(b);
        case compare_op::ew: return a.ends_with(b);
        default: return ordered(op, a, b);
        }
    }
    if (have.is_number() && want.is_number())
        return ordered(op, have.to_number<double>(), want.to_number<double>());
    if (have.is_bool() && want.is_bool())
        return op == compare_op::eq && have.get_bool() == want.get_bool();
    return op == compare_op::eq && have.is_null() && want.is_null();
}

} // namespace

filter_ptr parse_filter(std::string_view text) { return parser(text).whole_filter(); }

patch_path parse_patch_path(std::string_view text) { return parser(text).whole_path(); }

bool matches(filter const& f, json::object const& resource)
{
    return std::visit([&](auto const& n) -> bool {
        using T = std::decay_t<decltype(n)>;
        if constexpr (std::is_same_v<T, logical>) {
            return n.is_and ? matches(*n.left, resource) && matches(*n.right, resource)
                            : matches(*n.left, resource) || matches(*n.right, resource);
        } else if constexpr (std::is_same_v<T, negation>) {
            return !matches(*n.inner, resource);
        } else if constexpr (std::is_same_v<T, value_path>) {
            auto const* v = attribute(n.path, resource);
            if (!v)
                return false;
            auto const one = [&](json::value const& e) { return e.is_object() && matches(*n.inner, e.get_object()); };
            return v->is_array() ? std::any_of(v->get_array().begin(), v->get_array().end(), one) : one(*v);
        } else {
            bool const case_exact = n.path.sub.empty() && (same_name(n.path.name, "id") || same_name(n.path.name, "externalId"));
            auto const op = n.op == compare_op::ne ? compare_op::eq : n.op;
            auto const values = values_at(n.path, resource);
            bool const any = std::any_of(values.begin(), values.end(),
                                         [&](json::value const* v) { return compare(*v, op, n.value, case_exact); });
            return n.op == compare_op::ne ? !any : any;
        }
    }, f.node);
}

} // namespace rosterd::scim
