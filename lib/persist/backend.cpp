#include "persist/backend.hpp"

#include "log/log.hpp"

namespace rosterd::persist {

bool run_guarded(backend::work_fn const& work)
{
    try {
        return work();
    } catch (std::exception const& e) {
        log::error(std::string("write failed: ") + e.what());
    } catch (...) {
        log::error("write failed: unknown exception");
    }
    return false;
}

void undo_to(store::directory& dir, undo_log& undo, std::size_t mark)
{
    while (undo.size() > mark) {
        for (auto const& c : undo.back())
            dir.apply(c);
        undo.pop_back();
    }
}

} // namespace rosterd::persist
