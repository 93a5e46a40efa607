#include "auth/attempt_budget.hpp"

#include <algorithm>

namespace rosterd::auth {

attempt_budget::bucket& attempt_budget::refilled(std::uint64_t caller, clock::time_point now)
{
    auto [it, fresh] = buckets_.try_emplace(caller, bucket{burst_, now});
    auto& b = it->second;
    if (!fresh && now > b.at) {
        std::chrono::duration<double> const elapsed = now - b.at;
        b.level = std::min(burst_, b.level + elapsed.count() * per_second_);
        b.at = now;
    }
    return b;
}

bool attempt_budget::allowed(std::uint64_t caller, clock::time_point now)
{
    std::lock_guard lock(mutex_);
    return refilled(caller, now).level >= 1;
}

void attempt_budget::spend(std::uint64_t caller, clock::time_point now)
{
    std::lock_guard lock(mutex_);
    auto& b = refilled(caller, now);
    b.level = std::max(0.0, b.level - 1);
}

} // namespace rosterd::auth
