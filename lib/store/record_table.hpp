#pragma once
// Records by id (the users, the tokens), in pages of 64 consecutive ids: a
// record takes its own size in a page (56 bytes a user, 88 a token), where
// a std::map node took about 50 more and a malloc call each. Ids come from a
// sequence, so pages fill densely and a lookup goes straight to its page;
// a page is freed when its last record goes.
//
// Any id may be stored (a damaged record's 0 or 2^63 included): a page
// marks which of its slots hold a record, and the pages sit in a vector
// sorted by page number, so a lone far id costs one page, not a vector
// reaching it.
//
// Reads like the map it replaces, but an iterator yields the record itself
// (its id is r.id). A record's address is stable until it is erased; an
// iterator is invalidated by any insert or erase. Instantiated for user
// and token (record_table.cpp).

#include "store/records.hpp"

#include <algorithm>
#include <array>
#include <bit>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <utility>
#include <vector>

namespace rosterd::store {

template <class Record>
class record_table {
    struct page;
    struct entry {
        record_id number; // the page of ids [64 number, 64 number + 64)
        std::unique_ptr<page> p;
    };

public:
    static constexpr record_id ids_per_page = 64;

    class const_iterator {
    public:
        using value_type = Record;
        using reference = Record const&;
        using pointer = Record const*;
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
        friend class record_table;
        const_iterator(entry const* at, entry const* end, unsigned slot) noexcept : at_(at), end_(end), slot_(slot) {}
        entry const* at_ = nullptr;
        entry const* end_ = nullptr;
        unsigned slot_ = 0;
    };

    record_table() = default;
    record_table(record_table const& other);
    record_table(record_table&&) noexcept = default;
    record_table& operator=(record_table other) noexcept
    {
        swap(*this, other);
        return *this;
    }
    ~record_table();

    std::size_t size() const noexcept { return size_; }
    bool empty() const noexcept { return size_ == 0; }

    Record const* find(record_id id) const noexcept;
    Record* find(record_id id) noexcept { return const_cast<Record*>(std::as_const(*this).find(id)); }
    // The record with id `id`, made (a default record with that id) if
    // there is none; and whether it was made.
    std::pair<Record*, bool> try_emplace(record_id id);
    // Removes record `id`, if there is one.
    void erase(record_id id) noexcept;

    const_iterator begin() const noexcept;
    const_iterator end() const noexcept { return {pages_.data() + pages_.size(), pages_.data() + pages_.size(), 0}; }
    // The first record with an id of at least `id`, or past it.
    const_iterator lower_bound(record_id id) const noexcept;
    const_iterator upper_bound(record_id id) const noexcept;

    friend bool operator==(record_table const& a, record_table const& b) noexcept
    {
        return a.size_ == b.size_ && std::equal(a.begin(), a.end(), b.begin(), b.end());
    }
    friend void swap(record_table& a, record_table& b) noexcept
    {
        a.pages_.swap(b.pages_);
        std::swap(a.size_, b.size_);
    }

private:
    struct page {
        std::uint64_t used = 0; // bit i: slots[i] holds a record
        std::array<Record, ids_per_page> slots;
    };
    // The first page numbered `number` or more.
    typename std::vector<entry>::const_iterator page_from(record_id number) const noexcept;
    // The iterator at the first used slot of pages_[i] at or after `slot`,
    // or at the next page's first.
    const_iterator first_in(std::size_t i, unsigned slot) const noexcept;

    std::vector<entry> pages_; // ascending by number; no page is empty
    std::size_t size_ = 0;
};

template <class Record>
inline typename record_table<Record>::const_iterator& record_table<Record>::const_iterator::operator++() noexcept
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

using user_table = record_table<user>;
using token_table = record_table<token>;

} // namespace rosterd::store
