#pragma once
// A user's membership of a group, and how a user's list of them reads.

#include <algorithm>
#include <cstdint>
#include <span>

namespace rosterd::store {

using record_id = std::uint64_t;

// The largest group id a membership holds.
constexpr record_id max_membership_group = (record_id{1} << 63) - 1;

// Eight bytes: ids stay below 2^63 (the API refuses larger ones, the codec
// too), which leaves the top bit for the admin flag.
struct membership {
    record_id group_id : 63 = 0;
    bool admin : 1 = false;
    friend bool operator==(membership const&, membership const&) = default;
};
static_assert(sizeof(membership) == 8);

// A user's memberships, sorted by group id, at most one a group: a view
// into the block that holds them (store/user_texts.hpp), good until the
// user changes.
class membership_view : public std::span<membership const> {
public:
    using std::span<membership const>::span;
    friend bool operator==(membership_view a, membership_view b) noexcept { return std::ranges::equal(a, b); }
};

} // namespace rosterd::store
