#include "auth/bootstrap.hpp"

#include "auth/token.hpp"

#include <stdexcept>

namespace rosterd::auth {

bool bootstrap(store::directory& dir, persist::backend& log, persist::data_dir const& files,
               std::optional<std::string> const& given, store::unix_time now)
{
    {
        auto lock = dir.read_lock();
        // Not "no users": a directory whose users were all deleted stays so.
        if (dir.next_user_id() != 1)
            return false;
    }
    std::string const secret = given ? *given : generate_token();
    if (!given)
        files.write_bootstrap_token(secret);

    // Checked again inside the work: another node on the same shared store
    // may have bootstrapped it meanwhile.
    bool made = false;
    auto const outcome = log.run_sync([&] {
        made = false;
        if (dir.next_user_id() != 1)
            return true;
        store::user root;
        root.id = dir.next_user_id();
        root.super_user = true;
        root.created = root.updated = now;
        log.record_audited(dir, store::put_user{root}, store::actor{}, now);

        store::token t;
        t.id = dir.next_token_id();
        t.user_id = root.id;
        t.hash = hash_token(secret);
        t.description = "bootstrap";
        t.created = now;
        log.record_audited(dir, store::put_token{t}, store::actor{}, now);
        made = true;
        return true;
    });
    if (outcome == persist::write_outcome::unknown)
        throw std::runtime_error("the store's answer to writing the first superuser was lost: it may or may not "
                                 "exist (if it does, its token is the bootstrap token)");
    if (outcome != persist::write_outcome::made)
        throw std::runtime_error("cannot write the first superuser to the store; nothing was changed");
    if (!made && !given) {
        std::error_code ignored;
        std::filesystem::remove(files.bootstrap_token(), ignored);
    }
    return made;
}

} // namespace rosterd::auth
