#include "auth/bootstrap.hpp"

#include "auth/token.hpp"

namespace rosterd::auth {

bool bootstrap(store::directory& dir, persist::data_dir const& files,
               std::optional<std::string> const& given, store::unix_time now)
{
    auto lock = dir.write_lock();
    if (!dir.users().empty())
        return false;
    std::string const secret = given ? *given : generate_token();
    if (!given)
        files.write_bootstrap_token(secret);

    store::user root;
    root.id = dir.next_user_id();
    root.super_user = true;
    root.created = root.updated = now;
    dir.apply(store::put_user{root});

    store::token t;
    t.id = dir.next_token_id();
    t.user_id = root.id;
    t.hash = hash_token(secret);
    t.description = "bootstrap";
    t.created = now;
    dir.apply(store::put_token{t});
    return true;
}

} // namespace rosterd::auth
