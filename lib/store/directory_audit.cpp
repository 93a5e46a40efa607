// The directory's audit trail: events in id order, and each user's count
// of self-service events (store/audit.hpp, "Retention").
#include "store/directory.hpp"

#include "store/audit.hpp"

#include <algorithm>

namespace rosterd::store {

directory::audit_trail::const_iterator directory::first_event_from(audit_trail const& trail, record_id id)
{
    return std::lower_bound(trail.begin(), trail.end(), id,
                            [](audit_event const& e, record_id v) { return e.id < v; });
}

audit_event const* directory::find_audit(record_id id) const
{
    auto it = first_event_from(audit_, id);
    return it != audit_.end() && it->id == id ? &*it : nullptr;
}

directory::self_service_log const* directory::self_service_of(record_id user) const
{
    auto const it = self_service_.find(user);
    return it == self_service_.end() ? nullptr : &it->second;
}

void directory::track_self_service(audit_event const& e)
{
    if (!is_self_service(e))
        return;
    auto& log = self_service_[e.user_id];
    if (log.count == 0 || e.id < log.oldest)
        log.oldest = e.id;
    ++log.count;
}

void directory::untrack_self_service(audit_event const& e)
{
    if (!is_self_service(e))
        return;
    auto const it = self_service_.find(e.user_id);
    if (it == self_service_.end())
        return;
    auto& log = it->second;
    if (--log.count == 0) {
        self_service_.erase(it);
        return;
    }
    if (e.id != log.oldest)
        return;
    // The next oldest: the trail is in id order, and a user's events are
    // removed oldest first, so this walks only to their next event.
    for (auto next = first_event_from(audit_, e.id + 1); next != audit_.end(); ++next) {
        if (next->user_id == e.user_id && is_self_service(*next)) {
            log.oldest = next->id;
            return;
        }
    }
}

void directory::put(audit_event const& e)
{
    // Events are made in id order, so one almost always goes at the end;
    // replaying a journal over a fuzzy snapshot may put one again.
    if (audit_.empty() || audit_.back().id < e.id) {
        audit_.push_back(e);
    } else {
        auto const it = audit_.begin() + (first_event_from(audit_, e.id) - audit_.cbegin());
        if (it != audit_.end() && it->id == e.id) {
            untrack_self_service(*it);
            *it = e;
        } else {
            audit_.insert(it, e);
        }
    }
    track_self_service(e);
    next_audit_id_ = std::max(next_audit_id_, e.id + 1);
}

void directory::remove_audit_record(record_id id)
{
    // The oldest when trimming, the newest when a batch is taken back.
    audit_event removed;
    if (!audit_.empty() && audit_.front().id == id) {
        removed = audit_.front();
        audit_.pop_front();
    } else if (!audit_.empty() && audit_.back().id == id) {
        removed = audit_.back();
        audit_.pop_back();
    } else {
        auto it = first_event_from(audit_, id);
        if (it == audit_.end() || it->id != id)
            return;
        removed = *it;
        audit_.erase(it);
    }
    untrack_self_service(removed);
}

} // namespace rosterd::store
