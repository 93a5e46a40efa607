// Evaluating a parsed filter (filter.hpp): against any attribute_source,
// the JSON of a resource included (json_source).
#include "scim/filter.hpp"

#include "store/user_name.hpp"

#include <algorithm>
#include <string>

namespace rosterd::scim {

namespace json = boost::json;

namespace {


json::value const* find(json::object const& o, std::string_view name)
{
    for (auto const& [key, value] : o)
        if (same_name(key, name))
            return &value;
    return nullptr;
}

scalar scalar_of(json::value const& v)
{
    switch (v.kind()) {
    case json::kind::null: return {};
    case json::kind::bool_: return scalar::of(v.get_bool());
    case json::kind::string: return scalar::of(std::string_view(v.get_string()));
    case json::kind::object: return scalar::of_complex(v.get_object().empty());
    case json::kind::array: return scalar::of_complex(v.get_array().empty());
    default: return scalar::of_number(v.to_number<double>());
    }
}

// A resource's JSON as a filter reads it.
class json_source final : public attribute_source {
public:
    explicit json_source(json::object const& resource) : resource_(resource) {}

    bool any_value(attr_path const& p, function_ref<bool(scalar const&)> f) const override
    {
        auto const* v = attribute(p);
        if (!v)
            return false;
        auto one = [&](json::value const& x, bool element) {
            if (!p.sub.empty()) {
                if (x.is_object())
                    if (auto const* s = find(x.get_object(), p.sub))
                        return f(scalar_of(*s));
                return false;
            }
            if (element && x.is_object()) {
                auto const* s = find(x.get_object(), "value");
                return s && f(scalar_of(*s));
            }
            return f(scalar_of(x));
        };
        if (v->is_array())
            return std::any_of(v->get_array().begin(), v->get_array().end(),
                               [&](json::value const& e) { return one(e, true); });
        return one(*v, false);
    }

    bool any_element(attr_path const& p, function_ref<bool(attribute_source const&)> f) const override
    {
        auto const* v = attribute(p);
        if (!v)
            return false;
        auto one = [&](json::value const& e) { return e.is_object() && f(json_source(e.get_object())); };
        return v->is_array() ? std::any_of(v->get_array().begin(), v->get_array().end(), one) : one(*v);
    }

private:
    // The attribute `p` names, in the resource or in its schema extension.
    json::value const* attribute(attr_path const& p) const
    {
        if (!p.uri.empty())
            if (auto const* extension = find(resource_, p.uri); extension && extension->is_object())
                return find(extension->get_object(), p.name);
        return find(resource_, p.name);
    }

    json::object const& resource_;
};

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

// One evaluation's memory: the last value it folded to lower case, so
// that many terms on one attribute fold it once.
class fold_cache {
public:
    std::string_view fold(std::string_view s)
    {
        if (s.data() != source_.data() || s.size() != source_.size()) {
            source_ = s;
            char* out = on_stack_;
            if (s.size() > sizeof on_stack_) {
                longer_.resize(s.size());
                out = longer_.data();
            }
            std::transform(s.begin(), s.end(), out, store::ascii_lower);
            folded_ = {out, s.size()};
        }
        return folded_;
    }

private:
    std::string_view source_, folded_;
    char on_stack_[256];
    std::string longer_;
};

// One value against the comparison's; `ne` is handled by the caller.
bool compare(scalar const& have, compare_op op, comparison const& c, fold_cache& cache)
{
    using kind = scalar::kind;
    if (op == compare_op::pr) {
        switch (have.type) {
        case kind::null: return false;
        case kind::string: return !have.text.empty();
        case kind::empty_complex: return false;
        default: return true;
        }
    }
    if (c.time) { // a dateTime: as moments, whatever form each is written in
        if (have.type != kind::string)
            return false;
        auto const t = store::parse_rfc3339_instant(have.text);
        return t && ordered(op, *t, *c.time);
    }
    auto const& want = c.value;
    if (have.type == kind::string && want.is_string()) {
        if (c.case_exact) {
            std::string_view const b = want.get_string();
            switch (op) {
            case compare_op::co: return have.text.find(b) != std::string_view::npos;
            case compare_op::sw: return have.text.starts_with(b);
            case compare_op::ew: return have.text.ends_with(b);
            default: return ordered(op, have.text, b);
            }
        }
        std::string_view const b = c.folded;
        if (op == compare_op::eq && c.user_name && !(store::is_ascii(have.text) && store::is_ascii(b)))
            return store::name_key(have.text) == b; // one name in any of its forms
        if (op == compare_op::eq) // the commonest: no folding at all
            return have.text.size() == b.size()
                && std::equal(b.begin(), b.end(), have.text.begin(),
                              [](char x, char y) { return x == store::ascii_lower(y); });
        auto const a = cache.fold(have.text);
        switch (op) {
        case compare_op::co: return a.find(b) != std::string_view::npos;
        case compare_op::sw: return a.starts_with(b);
        case compare_op::ew: return a.ends_with(b);
        default: return ordered(op, a, b);
        }
    }
    if (have.type == kind::number && want.is_number())
        return ordered(op, have.number, want.to_number<double>());
    if (have.type == kind::boolean && want.is_bool())
        return op == compare_op::eq && have.boolean == want.get_bool();
    return op == compare_op::eq && have.type == kind::null && want.is_null();
}

bool evaluate(filter const& f, attribute_source const& resource, fold_cache& cache)
{
    return std::visit([&](auto const& n) -> bool {
        using T = std::decay_t<decltype(n)>;
        if constexpr (std::is_same_v<T, logical>) {
            return n.is_and ? evaluate(*n.left, resource, cache) && evaluate(*n.right, resource, cache)
                            : evaluate(*n.left, resource, cache) || evaluate(*n.right, resource, cache);
        } else if constexpr (std::is_same_v<T, negation>) {
            return !evaluate(*n.inner, resource, cache);
        } else if constexpr (std::is_same_v<T, value_path>) {
            return resource.any_element(n.path, [&](attribute_source const& e) { return evaluate(*n.inner, e, cache); });
        } else {
            auto const op = n.op == compare_op::ne ? compare_op::eq : n.op;
            bool const any = resource.any_value(n.path, [&](scalar const& v) { return compare(v, op, n, cache); });
            return n.op == compare_op::ne ? !any : any;
        }
    }, f.node);
}

} // namespace

bool matches(filter const& f, attribute_source const& resource)
{
    fold_cache cache;
    return evaluate(f, resource, cache);
}

bool matches(filter const& f, json::object const& resource) { return matches(f, json_source(resource)); }

} // namespace rosterd::scim
