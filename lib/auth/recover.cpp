#include "auth/recover.hpp"

#include "auth/token.hpp"
#include "persist/local/committer.hpp"
#include "persist/local/recovery.hpp"

#include <stdexcept>
#include <string>

namespace rosterd::auth {

recovered_access recover_access(persist::data_dir& files, store::record_id user, store::unix_time now)
{
    files.lock();
    store::directory dir;
    auto const start = persist::recover(files, dir, persist::system_io());
    auto const* u = dir.find_user(user);
    if (!u)
        throw std::runtime_error("there is no user " + std::to_string(user) + "; name a superuser with --user");
    if (!u->super_user)
        throw std::runtime_error("user " + std::to_string(user) + " is not a superuser; name one with --user");

    persist::committer log(dir, &files, persist::system_io(), {persist::durability::strict}, start);
    log.start();
    auto const secret = generate_token();
    // The file first: a token that cannot be handed over must not exist.
    files.write_bootstrap_token(secret);
    store::token t;
    t.id = dir.next_token_id();
    t.user_id = user;
    t.hash = hash_token(secret);
    t.description = "recovery";
    t.created = now;
    auto const outcome = log.run_sync([&] {
        log.record_audited(dir, store::put_token{t}, store::actor{}, now);
        return true;
    });
    if (outcome == persist::write_outcome::unknown)
        throw std::runtime_error("writing the new token to the journal failed, and whether it is there is "
                                 "unknown; if it is, its secret is in " + files.bootstrap_token().string());
    if (outcome != persist::write_outcome::made) {
        std::error_code ignored;
        std::filesystem::remove(files.bootstrap_token(), ignored);
        throw std::runtime_error("cannot write the new token to the journal; nothing was changed");
    }
    log.stop();
    files.give_files_to_owner();
    return {files.bootstrap_token(), t.id};
}

} // namespace rosterd::auth
