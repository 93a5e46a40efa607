#pragma once
// A user's membership of a group, and how a user's list of them reads.

#include "store/index_iterator.hpp"

#include <algorithm>
#include <concepts>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <ranges>
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

// A membership packed in four bytes: the group id in the low 31 bits, the
// admin flag in the top one. Group ids come from a sequence, so nearly
// every user's memberships are packed (store/user_texts.hpp).
constexpr record_id max_packed_group = (record_id{1} << 31) - 1;

// A user's memberships, sorted by group id, at most one a group: a view
// of memberships side by side, or of packed ones (user_texts' block), good
// until the user changes. Its iterator reads a membership by value, at any
// position in one step, and holds where the view's memberships are.
class membership_view {
public:
    static constexpr std::size_t packed_size = 4;

private:
    // What an iterator holds: where the memberships are, and their layout.
    struct source {
        unsigned char const* data;
        bool packed;
        membership operator[](std::size_t i) const noexcept
        {
            return read(data + i * (packed ? packed_size : sizeof(membership)), packed);
        }
    };

public:
    using iterator = index_iterator<source, membership>;

    membership_view() = default;
    // Memberships side by side: a vector, an array, a span of them.
    template <std::ranges::contiguous_range R>
        requires std::same_as<std::ranges::range_value_t<R>, membership>
    membership_view(R const& all) noexcept
        : data_(reinterpret_cast<unsigned char const*>(std::ranges::data(all))), size_(std::ranges::size(all))
    {
    }
    // `n` memberships at `data`, packed or not.
    membership_view(unsigned char const* data, std::size_t n, bool packed) noexcept
        : data_(data), size_(n), packed_(packed)
    {
    }

    iterator begin() const noexcept { return {{data_, packed_}, 0}; }
    iterator end() const noexcept { return {{data_, packed_}, static_cast<std::ptrdiff_t>(size_)}; }
    std::size_t size() const noexcept { return size_; }
    bool empty() const noexcept { return size_ == 0; }
    membership operator[](std::size_t i) const noexcept { return source{data_, packed_}[i]; }
    membership front() const noexcept { return (*this)[0]; }
    membership back() const noexcept { return (*this)[size_ - 1]; }
    // Whether every membership could be packed.
    bool packable() const noexcept
    {
        return std::ranges::all_of(*this, [](membership m) { return m.group_id <= max_packed_group; });
    }
    friend bool operator==(membership_view a, membership_view b) noexcept { return std::ranges::equal(a, b); }

    // The four bytes of a packed `m` (m.group_id <= max_packed_group).
    static std::uint32_t pack(membership m) noexcept
    {
        return static_cast<std::uint32_t>(m.group_id) | (m.admin ? std::uint32_t{1} << 31 : 0);
    }

private:
    static membership read(unsigned char const* at, bool packed) noexcept
    {
        if (packed) {
            std::uint32_t v;
            std::memcpy(&v, at, sizeof v);
            return {v & max_packed_group, (v >> 31) != 0};
        }
        membership m;
        std::memcpy(&m, at, sizeof m);
        return m;
    }

    unsigned char const* data_ = nullptr;
    std::size_t size_ = 0;
    bool packed_ = false;
};

} // namespace rosterd::store
