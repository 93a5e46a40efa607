#pragma once
// A user's memberships in one pointer: null when there are none, else one
// heap block holding the count, the capacity and the entries. A
// std::vector took 24 bytes of the record for what is, for most users, one
// to three entries.
//
// Reads like the std::vector it replaces: size(), begin()/end(), [i],
// back(), push_back(), insert(), reserve(), ==.

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <initializer_list>
#include <utility>

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

class membership_list {
public:
    using value_type = membership;
    using iterator = membership*;
    using const_iterator = membership const*;

    membership_list() noexcept = default;
    membership_list(std::initializer_list<membership> entries)
    {
        reserve(entries.size());
        for (auto const& m : entries)
            push_back(m);
    }
    membership_list(membership_list const& other);
    membership_list(membership_list&& other) noexcept : block_(std::exchange(other.block_, nullptr)) {}
    membership_list& operator=(membership_list other) noexcept
    {
        std::swap(block_, other.block_);
        return *this;
    }
    ~membership_list()
    {
        if (block_)
            std::free(block_);
    }

    std::size_t size() const noexcept { return block_ ? block_->size : 0; }
    bool empty() const noexcept { return size() == 0; }
    iterator begin() noexcept { return entries(); }
    iterator end() noexcept { return entries() + size(); }
    const_iterator begin() const noexcept { return entries(); }
    const_iterator end() const noexcept { return entries() + size(); }
    membership& operator[](std::size_t i) noexcept { return entries()[i]; }
    membership const& operator[](std::size_t i) const noexcept { return entries()[i]; }
    membership const& back() const noexcept { return entries()[size() - 1]; }

    // Room for `n` entries in all, exactly: a decoder knows the count.
    void reserve(std::size_t n);
    void push_back(membership m) { insert(end(), m); }
    iterator insert(const_iterator at, membership m);
    // Removes the entries `pred` holds for; the number removed.
    template <class Pred>
    std::size_t erase_if(Pred pred)
    {
        if (!block_)
            return 0;
        auto const last = std::remove_if(begin(), end(), pred);
        auto const removed = static_cast<std::size_t>(end() - last);
        block_->size -= static_cast<std::uint32_t>(removed);
        return removed;
    }

    friend bool operator==(membership_list const& a, membership_list const& b) noexcept
    {
        return std::equal(a.begin(), a.end(), b.begin(), b.end());
    }

private:
    struct header {
        std::uint32_t size;
        std::uint32_t capacity;
    };
    membership* entries() const noexcept
    {
        return block_ ? reinterpret_cast<membership*>(block_ + 1) : nullptr;
    }
    header* block_ = nullptr;
};

} // namespace rosterd::store
