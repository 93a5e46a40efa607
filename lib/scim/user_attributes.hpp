#pragma once
// A user's SCIM attributes read from the record itself, for filters: what
// user_resource() would build, attribute by attribute, built only when a
// filter asks for it. A list filter runs on every user the caller may
// read; building each one's JSON to test it cost microseconds a user.
//
// It must answer exactly what user_resource() holds (mapping.cpp);
// test/scim/resources_test.cpp and the scim_filter fuzz target check the
// two against each other.
//
// Use: one per request, moved from user to user with reset(), so that it
// reads each attribute name of the filter once (attr_path::resolved).
// Lifetime: refers to the user, the directory and the viewer, and owns the
// strings it builds (valid until the next reset(), as matches() needs).

#include "scim/filter.hpp"
#include "store/directory.hpp"

#include <algorithm>

#include <array>
#include <deque>
#include <optional>
#include <initializer_list>
#include <string>
#include <vector>

namespace rosterd::scim {

// The pieces user_attributes reads a user into (outside the class: clang
// cannot construct a nested class with member initializers inside it).
namespace attributes {

// The attributes of a User resource, and the sub-attributes of its
// complex ones (and of their elements).
enum class attribute : std::uint8_t { schemas, id, user_name, external_id, name, display_name, emails,
                                      phone_numbers, active, groups, meta, unknown };
enum class field : std::uint8_t { none, value, type, primary, display, ref, given_name, family_name, formatted,
                                  resource_type, created, last_modified, location, version, unknown };

struct named_scalar {
    field name = field::none;
    scalar value;
};

// A complex value: at most five named scalars (name, meta, or an element
// of emails, phoneNumbers or groups), in place: reading an e-mail
// address's type allocates nothing.
class fields {
public:
    fields() = default;
    fields(std::initializer_list<named_scalar> all)
    {
        for (auto const& f : all)
            push_back(f);
    }
    void push_back(named_scalar f) { items_.at(size_++) = f; }
    named_scalar const* begin() const { return items_.data(); }
    named_scalar const* end() const { return items_.data() + size_; }
    bool empty() const { return size_ == 0; }

private:
    std::array<named_scalar, 5> items_{};
    std::size_t size_ = 0;
};

// The elements of an attribute: the first in place (most have one).
class element_list {
public:
    void push_back(fields const& f)
    {
        if (count_++ == 0)
            first_ = f;
        else
            rest_.push_back(f);
    }
    fields const& front() const { return first_; }
    template <class F>
    bool any(F&& f) const
    {
        return count_ > 0 && (f(first_) || std::any_of(rest_.begin(), rest_.end(), f));
    }

private:
    fields first_;
    std::vector<fields> rest_;
    std::size_t count_ = 0;
};

} // namespace attributes

class user_attributes final : public attribute_source {
public:
    user_attributes(store::directory const& dir, store::user const& viewer) : dir_(dir), viewer_(viewer) {}
    user_attributes(store::user const& u, store::directory const& dir, store::user const& viewer)
        : user_attributes(dir, viewer)
    {
        reset(u);
    }

    // Reads `u` from now on.
    void reset(store::user const& u);

    bool any_value(attr_path const& path, function_ref<bool(scalar const&)> f) const override;
    bool any_element(attr_path const& path, function_ref<bool(attribute_source const&)> f) const override;

private:
    std::string_view id() const;
    std::string_view user_name() const;
    std::string_view formatted() const;
    // The elements of a multi-valued attribute, or a complex one's one.
    attributes::element_list const& elements(attributes::attribute a) const;

    store::directory const& dir_;
    store::user const& viewer_;
    store::user const* u_ = nullptr;
    // Built on first use, per user.
    mutable std::optional<std::string> id_, user_name_, formatted_;
    mutable std::array<std::optional<attributes::element_list>,
                       static_cast<std::size_t>(attributes::attribute::unknown)> elements_;
    mutable std::deque<std::string> texts_; // the strings the elements view (a deque: they never move)
};

} // namespace rosterd::scim
