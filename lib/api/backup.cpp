// GET /backup: the whole directory, consistent at one point in time, taken
// while the server keeps serving (persist/backup.hpp). Superusers only.
#include "api/handlers.hpp"

#include "persist/backup.hpp"

namespace rosterd::api {

http::response backup(context& ctx)
{
    {
        auto lock = ctx.dir.read_lock();
        auto const* me = ctx.dir.find_user(ctx.who.user_id);
        if (!me)
            return unauthorized();
        if (!me->super_user)
            return forbidden("only a superuser may take a backup");
    }
    if (!ctx.files || ctx.log.status().store != "local")
        return http::problem(http::status::conflict,
                             "this server keeps no data directory to back up; back up its PostgreSQL store instead");
    std::optional<std::string> bytes;
    try {
        bytes = persist::make_backup(ctx.log, ctx.dir, *ctx.files, persist::system_io());
    } catch (std::runtime_error const& e) {
        // A full or failing disk: the server's state is untouched.
        return http::problem(http::status::service_unavailable, std::string("the backup failed: ") + e.what());
    }
    if (!bytes)
        return http::problem(http::status::conflict,
                             ctx.log.in_memory() ? "durability=memory keeps nothing to back up"
                                                 : "another backup is being taken; try again when it is done");
    http::response res;
    res.content_type = http::media::backup;
    res.body = std::move(*bytes);
    return res;
}

} // namespace rosterd::api
