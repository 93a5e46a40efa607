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
// any insert or erase. A user's tokens are usually one id, not a set
// (store/directory.hpp): id_view is either.

#include "store/index_iterator.hpp"
#include "store/records.hpp"

#include <cstddef>
#include <cstdint>
#include <memory>
#include <vector>

namespace rosterd::store {

class id_set {
    // What an iterator holds: the set, by pointer.
    struct source {
        id_set const* set;
        record_id operator[](std::size_t i) const noexcept { return (*set)[i]; }
    };

public:
    using const_iterator = index_iterator<source, record_id>;

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

    const_iterator begin() const noexcept { return {{this}, 0}; }
    const_iterator end() const noexcept { return {{this}, static_cast<std::ptrdiff_t>(size())}; }
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
    // Behind a pointer, null when empty: a set costs 32 bytes.
    std::unique_ptr<std::vector<record_id>> wide_;
};

// Ids in ascending order: a set's, or a single id, or none. A view, good
// until what it views changes; its iterators hold a copy of it, so they
// may outlive the view itself.
class id_view {
public:
    using const_iterator = index_iterator<id_view, record_id>;

    id_view() = default;
    id_view(id_set const& all) noexcept : all_(&all) {}
    static id_view one(record_id id) noexcept
    {
        id_view v;
        v.one_ = id;
        v.ones_ = 1;
        return v;
    }

    const_iterator begin() const noexcept { return {*this, 0}; }
    const_iterator end() const noexcept { return {*this, static_cast<std::ptrdiff_t>(size())}; }
    std::size_t size() const noexcept { return all_ ? all_->size() : ones_; }
    bool empty() const noexcept { return size() == 0; }
    record_id operator[](std::size_t i) const noexcept { return all_ ? (*all_)[i] : one_; }

private:
    id_set const* all_ = nullptr;
    record_id one_ = 0;
    std::size_t ones_ = 0;
};

} // namespace rosterd::store
