#include "auth/rights.hpp"

#include <algorithm>

namespace rosterd::auth {

using store::user_field;

access access_to(store::user const& caller, store::user const& target)
{
    if (caller.super_user)
        return access::super;
    if (caller.id == target.id)
        return access::self;
    bool const administers = !target.super_user
        && std::ranges::any_of(target.groups(),
                               [&](store::membership const& m) { return caller.is_admin_of(m.group_id); });
    return administers ? access::admin : access::none;
}

store::field_set settable_fields(access level, bool self, bool allow_self_verify)
{
    store::field_set allowed;
    switch (level) {
    case access::super:
        allowed = store::field_set::all();
        break;
    case access::admin:
        allowed = store::field_set::all();
        allowed.remove(user_field::super_user);
        allowed.remove(user_field::client_id);
        break;
    case access::self:
        allowed = {user_field::first_name, user_field::last_name, user_field::phone_number,
                   user_field::email_address, user_field::description};
        break;
    case access::none:
        return {};
    }
    if (self && !allow_self_verify) {
        allowed.remove(user_field::phone_number_verify);
        allowed.remove(user_field::email_address_verify);
    }
    return allowed;
}

bool may_manage_members(store::user const& caller, store::record_id group_id)
{
    return caller.super_user || caller.is_admin_of(group_id);
}

bool may_retire(store::user const& caller, store::user const& target)
{
    if (caller.super_user)
        return true;
    return access_to(caller, target) == access::admin
        && std::ranges::all_of(target.groups(), [&](store::membership const& m) {
               return !m.admin || caller.is_admin_of(m.group_id);
           });
}

bool removal_stands(store::user const* scheduler, store::user const& target)
{
    if (scheduler)
        return scheduler->active && may_retire(*scheduler, target);
    return !target.super_user
        && std::ranges::none_of(target.groups(), [](store::membership const& m) { return m.admin; });
}

bool may_manage_tokens(store::user const& caller, store::user const& owner)
{
    return caller.super_user || caller.id == owner.id;
}

} // namespace rosterd::auth
