#pragma once
// A random-access iterator that reads the i-th value of `Source` by value
// (source[i]), for views whose values are not objects in memory: packed
// memberships, ids in 4 or 8 bytes. `Source` is a small copy of what it
// walks, or a pointer-like handle to it; iterators compare by position.

#include <compare>
#include <cstddef>
#include <iterator>

namespace rosterd::store {

template <class Source, class Value>
class index_iterator {
public:
    using iterator_concept = std::random_access_iterator_tag;
    using iterator_category = std::random_access_iterator_tag;
    using value_type = Value;
    using difference_type = std::ptrdiff_t;
    using pointer = void;
    using reference = Value;

    index_iterator() = default;
    index_iterator(Source source, difference_type at) noexcept : source_(source), at_(at) {}
    Value operator*() const noexcept { return source_[static_cast<std::size_t>(at_)]; }
    Value operator[](difference_type n) const noexcept { return *(*this + n); }
    index_iterator& operator++() noexcept { return *this += 1; }
    index_iterator operator++(int) noexcept
    {
        auto old = *this;
        ++*this;
        return old;
    }
    index_iterator& operator--() noexcept { return *this -= 1; }
    index_iterator operator--(int) noexcept
    {
        auto old = *this;
        --*this;
        return old;
    }
    index_iterator& operator+=(difference_type n) noexcept
    {
        at_ += n;
        return *this;
    }
    index_iterator& operator-=(difference_type n) noexcept { return *this += -n; }
    friend index_iterator operator+(index_iterator it, difference_type n) noexcept { return it += n; }
    friend index_iterator operator+(difference_type n, index_iterator it) noexcept { return it += n; }
    friend index_iterator operator-(index_iterator it, difference_type n) noexcept { return it -= n; }
    friend difference_type operator-(index_iterator a, index_iterator b) noexcept { return a.at_ - b.at_; }
    friend bool operator==(index_iterator a, index_iterator b) noexcept { return a.at_ == b.at_; }
    friend std::strong_ordering operator<=>(index_iterator a, index_iterator b) noexcept { return a.at_ <=> b.at_; }

private:
    Source source_{};
    difference_type at_ = 0;
};

} // namespace rosterd::store
