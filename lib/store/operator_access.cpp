#include "store/operator_access.hpp"

namespace rosterd::store {

operator_access operator_access_of(directory const& dir, unix_time now, leaving_out without)
{
    auto best = operator_access::none;
    for (auto const user_id : dir.super_users()) {
        // A deactivated user's tokens do not work.
        if (user_id == without.user || user_id == without.demoted || !dir.find_user(user_id)->active)
            continue;
        for (auto const token_id : dir.tokens_of(user_id)) {
            if (token_id == without.token)
                continue;
            auto const* t = dir.find_token(token_id);
            if (!t->expires)
                return operator_access::lasting;
            if (*t->expires > now)
                best = operator_access::expiring;
        }
    }
    return best;
}

} // namespace rosterd::store
