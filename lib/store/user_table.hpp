#pragma once
// The users, by id, in pages of 64 consecutive ids: a user takes its
// record's 96 bytes in a page, where a std::map node took 144 and a
// malloc call each. Ids come from a sequence, so pages fill densely and a
// lookup goes straight to its page; a page is freed when its last user
// goes.
//
// Any id may be stored (a damaged record's 0 or 2^63 included): a page
// marks which of its slots hold a user, and the pages sit in a vector
// sorted by page number, so a lone far id costs one page, not a vector
// reaching it.
//
// Reads like the map it replaces, but an iterator yields the user itself
// (its id is u.id). A user's address is stable until it is erased; an
// iterator is invalidated by any insert or erase.

#include "store/records.hpp"

#include <array>
#include <bit>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <utility>
#include <vector>

namespace rosterd::store {

class user_table {
    struct page;
    struct entry {
        record_id number; // the page of ids [64 number, 64 number + 64)
        std::unique_ptr<page> p;
    };

public:
    static constexpr record_id ids_per_page = 64;

    class const_iterator {
    public:
        using value_type = user;
        using reference = user const&;
        using pointer = user const*;
        using difference_type = std::ptrdiff_t;
        using iterator_category = std::forward_iterator_tag;

        const_iterator() = default;
        reference operator*() const noexcept { return at_->p->slots[slot_]; }
        pointer operator->() const noexcept { return &**this; }
        const_iterator& operator++() noexcept;
        const_iterator operator++(int) noexcept
        {
            auto old = *this;
            ++*this;
            return old;
        }
        friend bool operator==(const_iterator const&, const_iterator const&) = default;

    private:
        friend class user_table;
        const_iterator(entry const* at, entry const* end, unsigned slot) noexcept : at_(at), end_(end), slot_(slot) {}
        entry const* at_ = nullptr;
        entry const* end_ = nullptr;
        unsigned slot_ = 0;
    };

    user_table() = default;
    user_table(user_table const& other);
    user_table(user_table&&) noexcept = default;
    user_table& operator=(user_table other) noexcept
    {
        swap(*this, other);
        return *this;
    }
    ~user_table();

    std::size_t size() const noexcept { return size_; }
    bool empty() const noexcept { return size_ == 0; }

    user const* find(record_id id) const noexcept;
    user* find(record_id id) noexcept { return const_cast<user*>(std::as_const(*this).find(id)); }
    // The user with id `id`, made (a default user with that id) if there
    // is none; and whether it was made.
    std::pair<user*, bool> try_emplace(record_id id);
    // Removes user `id`, if there is one.
    void erase(record_id id) noexcept;

    const_iterator begin() const noexcept;
    const_iterator end() const noexcept { return {pages_.data() + pages_.size(), pages_.data() + pages_.size(), 0}; }
    // The first user with an id of at least `id`, or past it.
    const_iterator lower_bound(record_id id) const noexcept;
    const_iterator upper_bound(record_id id) const noexcept;

    friend bool operator==(user_table const& a, user_table const& b) noexcept;
    friend void swap(user_table& a, user_table& b) noexcept
    {
        a.pages_.swap(b.pages_);
        std::swap(a.size_, b.size_);
    }

private:
    struct page {
        std::uint64_t used = 0; // bit i: slots[i] holds a user
        std::array<user, ids_per_page> slots;
    };
    // The first page numbered `number` or more.
    std::vector<entry>::const_iterator page_from(record_id number) const noexcept;
    // The iterator at the first used slot of pages_[i] at or after `slot`,
    // or at the next page's first.
    const_iterator first_in(std::size_t i, unsigned slot) const noexcept;

    std::vector<entry> pages_; // ascending by number; no page is empty
    std::size_t size_ = 0;
};

inline user_table::const_iterator& user_table::const_iterator::operator++() noexcept
{
    auto const rest = slot_ + 1 < ids_per_page ? at_->p->used >> (slot_ + 1) << (slot_ + 1) : 0;
    if (rest != 0) {
        slot_ = static_cast<unsigned>(std::countr_zero(rest));
        return *this;
    }
    ++at_;
    slot_ = at_ == end_ ? 0 : static_cast<unsigned>(std::countr_zero(at_->p->used));
    return *this;
}

} // namespace rosterd::store
