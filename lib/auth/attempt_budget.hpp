#pragma once
// How many failed attempts a caller may make, refilled with time: a token
// bucket per caller (up to `burst` at once, `per_second` more each second).
// Token introspection spends one for every token that does not work, so
// that a caller allowed to introspect cannot use it to guess tokens.
//
// Thread safety: spend() and allowed() may run on many threads at once.

#include <chrono>
#include <cstdint>
#include <mutex>
#include <unordered_map>

namespace rosterd::auth {

class attempt_budget {
public:
    using clock = std::chrono::steady_clock;

    attempt_budget(double burst, double per_second) : burst_(burst), per_second_(per_second) {}

    // Whether `caller` has an attempt left now.
    bool allowed(std::uint64_t caller, clock::time_point now = clock::now());
    // Spends one of `caller`'s attempts (a failure).
    void spend(std::uint64_t caller, clock::time_point now = clock::now());

private:
    struct bucket {
        double level;
        clock::time_point at;
    };
    bucket& refilled(std::uint64_t caller, clock::time_point now);

    double const burst_;
    double const per_second_;
    std::mutex mutex_;
    std::unordered_map<std::uint64_t, bucket> buckets_;
};

} // namespace rosterd::auth
