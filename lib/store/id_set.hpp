#pragma once
// Ids in ascending order, without repeats: sorted vectors. Ids come from a
// sequence and fit in 32 bits, so they are kept in 4 bytes each (a group's
// members, 2 million at a million users: 8 MB, where 8-byte ids took 16).
// Any id past 32 bits (a damaged record's 2^63) is kept whole in a second
// vector; all of those are larger than all the others, so the two in turn
// are the set in order. Since ids only grow, loading a snapshot fills it
// by appending.
//
// An iterator reads an id by value, at any position in one step (it is
// random access, for std::upper_bound and the like); it is invalidated by
// any insert or erase.

#include "store/records.hpp"

#include <compare>
#include <cstddef>
#include <cstdint>
#include <iterator>
#include <memory>
#include <vector>

namespace rosterd::store {

class id_set {
public:
    class const_iterator {
    public:
        using iterator_concept = std::random_access_iterator_tag;
        using iterator_category = std::random_access_iterator_tag;
        using value_type = record_id;
        using difference_type = std::ptrdiff_t;
        using pointer = void;
        using reference = record_id;

        const_iterator() = default;
        record_id operator*() const noexcept { return (*set_)[static_cast<std::size_t>(at_)]; }
        record_id operator[](difference_type n) const noexcept { return *(*this + n); }
        const_iterator& operator++() noexcept { return *this += 1; }
        const_iterator operator++(int) noexcept
        {
            auto old = *this;
            ++*this;
            return old;
        }
        const_iterator& operator--() noexcept { return *this -= 1; }
        const_iterator operator--(int) noexcept
        {
            auto old = *this;
            --*this;
            return old;
        }
        const_iterator& operator+=(difference_type n) noexcept
        {
            at_ += n;
            return *this;
        }
        const_iterator& operator-=(difference_type n) noexcept { return *this += -n; }
        friend const_iterator operator+(const_iterator it, difference_type n) noexcept { return it += n; }
        friend const_iterator operator+(difference_type n, const_iterator it) noexcept { return it += n; }
        friend const_iterator operator-(const_iterator it, difference_type n) noexcept { return it -= n; }
        friend difference_type operator-(const_iterator a, const_iterator b) noexcept { return a.at_ - b.at_; }
        friend bool operator==(const_iterator a, const_iterator b) noexcept { return a.at_ == b.at_; }
        friend std::strong_ordering operator<=>(const_iterator a, const_iterator b) noexcept { return a.at_ <=> b.at_; }

    private:
        friend class id_set;
        const_iterator(id_set const* set, difference_type at) noexcept : set_(set), at_(at) {}
        id_set const* set_ = nullptr;
        difference_type at_ = 0;
    };

    id_set() = default;
    id_set(id_set const& other);
    id_set(id_set&&) noexcept = default;
    id_set& operator=(id_set other) noexcept
    {
        narrow_.swap(other.narrow_);
        wide_.swap(other.wide_);
        return *this;
    }

    void insert(record_id id);
    void erase(record_id id);
    bool contains(record_id id) const;

    const_iterator begin() const noexcept { return {this, 0}; }
    const_iterator end() const noexcept { return {this, static_cast<std::ptrdiff_t>(size())}; }
    std::size_t size() const noexcept { return narrow_.size() + (wide_ ? wide_->size() : 0); }
    bool empty() const noexcept { return size() == 0; }
    // The i-th least id.
    record_id operator[](std::size_t i) const noexcept
    {
        return i < narrow_.size() ? record_id{narrow_[i]} : (*wide_)[i - narrow_.size()];
    }
    friend bool operator==(id_set const& a, id_set const& b) noexcept;

private:
    static bool fits(record_id id) { return id <= UINT32_MAX; }
    std::vector<std::uint32_t> narrow_;
    // Behind a pointer, null when empty: a set costs 32 bytes, and a user's
    // tokens are a set each.
    std::unique_ptr<std::vector<record_id>> wide_;
};

} // namespace rosterd::store
