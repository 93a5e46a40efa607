#pragma once
// The fields of a user that a client may set, as a set of flags, so that
// "which fields does this request set" and "which may this caller set" are
// the same kind of value.

#include <bitset>
#include <cstddef>
#include <cstdint>
#include <initializer_list>

namespace rosterd::store {

enum class user_field : std::uint8_t {
    first_name,
    last_name,
    phone_number,
    phone_number_verify,
    email_address,
    email_address_verify,
    super_user,
    client_id,
    external_id,
    description,
    remarks,
    auto_remove_after,
    auto_email_match,
    require_email_match,
    email_match_credential_filter,
    auth_organization_id,
    user_name,
    active,
};
inline constexpr std::size_t user_field_count = 18;

class field_set {
public:
    constexpr field_set() = default;
    field_set(std::initializer_list<user_field> fs) { for (auto f : fs) add(f); }
    static field_set all() { field_set s; s.bits_.set(); return s; }

    void add(user_field f) { bits_.set(index(f)); }
    void remove(user_field f) { bits_.reset(index(f)); }
    bool has(user_field f) const { return bits_.test(index(f)); }
    // The fields of this set that `allowed` does not hold.
    field_set beyond(field_set allowed) const { field_set s; s.bits_ = bits_ & ~allowed.bits_; return s; }
    bool empty() const { return bits_.none(); }
    // The first field in the set; only meaningful when !empty().
    user_field first() const
    {
        for (std::size_t i = 0; i < user_field_count; ++i)
            if (bits_.test(i)) return static_cast<user_field>(i);
        return user_field::first_name;
    }

private:
    static std::size_t index(user_field f) { return static_cast<std::size_t>(f); }
    std::bitset<user_field_count> bits_;
};

} // namespace rosterd::store
