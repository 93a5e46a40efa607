#include "scim/filter.hpp"

#include "store/user_name.hpp"

#include <boost/json/parse.hpp>

#include <algorithm>
#include <array>
#include <cctype>
#include <vector>

namespace rosterd::scim {

namespace json = boost::json;

bool same_name(std::string_view a, std::string_view b)
{
    // ASCII only, inline: a filter compares names for every user it tests.
    return a.size() == b.size()
        && std::equal(a.begin(), a.end(), b.begin(),
                      [](char x, char y) { return store::ascii_lower(x) == store::ascii_lower(y); });
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

std::string folded(std::string_view s)
{
    std::string out(s);
    std::transform(out.begin(), out.end(), out.begin(), store::ascii_lower);
    return out;
}

filter_ptr make(auto node) { return std::make_unique<filter const>(filter{std::move(node)}); }

// The dateTime attributes of both resources (RFC 7643 §3.1).
bool is_date_time(attr_path const& p)
{
    return same_name(p.name, "meta") && (same_name(p.sub, "created") || same_name(p.sub, "lastModified"));
}

// The boolean attributes: a user's active, and primary in multi-valued ones.
bool is_boolean(attr_path const& p)
{
    return p.sub.empty() ? same_name(p.name, "active") || same_name(p.name, "primary") : same_name(p.sub, "primary");
}

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
        if (++comparisons_ > max_filter_comparisons)
            fail("more than " + std::to_string(max_filter_comparisons) + " comparisons");
        comparison c{std::move(p), op->second, nullptr, {}, false, false, std::nullopt};
        if (c.op != compare_op::pr)
            c.value = value();
        c.user_name = c.path.sub.empty() && same_name(c.path.name, "userName");
        if (c.value.is_string())
            c.folded = c.user_name ? store::name_key(c.value.get_string()) : folded(c.value.get_string());
        c.case_exact = c.path.sub.empty() && (same_name(c.path.name, "id") || same_name(c.path.name, "externalId"));
        bool const ordering = c.op == compare_op::gt || c.op == compare_op::ge || c.op == compare_op::lt
                              || c.op == compare_op::le;
        // RFC 7644 §3.4.2.2: a boolean has no order.
        if (ordering && (c.value.is_bool() || is_boolean(c.path)))
            fail("gt, ge, lt and le do not apply to a boolean");
        if (is_date_time(c.path) && (ordering || c.op == compare_op::eq || c.op == compare_op::ne)) {
            if (c.value.is_string())
                c.time = store::parse_rfc3339_instant(c.value.get_string());
            if (!c.time)
                fail(c.path.name + "." + c.path.sub + " compares with an RFC 3339 date-time, such as "
                     "\"2026-12-06T15:00:00Z\"");
        }
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
    std::size_t comparisons_ = 0;
};

} // namespace

filter_ptr parse_filter(std::string_view text) { return parser(text).whole_filter(); }

patch_path parse_patch_path(std::string_view text) { return parser(text).whole_path(); }

} // namespace rosterd::scim
