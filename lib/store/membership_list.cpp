#include "store/membership_list.hpp"

#include <cstdlib>
#include <cstring>
#include <limits>
#include <new>

namespace rosterd::store {

static_assert(sizeof(membership) == 8 && alignof(membership) <= 8);

membership_list::membership_list(membership_list const& other)
{
    // Every write copies the record it changes: one allocation and one
    // copy of the entries, exactly their number.
    reserve(other.size());
    if (block_) {
        std::memcpy(static_cast<void*>(block_ + 1), other.entries(), other.size() * sizeof(membership));
        block_->size = static_cast<std::uint32_t>(other.size());
    }
}

void membership_list::reserve(std::size_t n)
{
    if (n <= (block_ ? block_->capacity : 0))
        return;
    if (n > std::numeric_limits<std::uint32_t>::max())
        throw std::bad_alloc();
    auto* grown = static_cast<header*>(std::malloc(sizeof(header) + n * sizeof(membership)));
    if (!grown)
        throw std::bad_alloc();
    grown->size = static_cast<std::uint32_t>(size());
    grown->capacity = static_cast<std::uint32_t>(n);
    if (block_)
        std::memcpy(static_cast<void*>(grown + 1), entries(), size() * sizeof(membership));
    std::free(block_);
    block_ = grown;
}

membership_list::iterator membership_list::insert(const_iterator at, membership m)
{
    auto const index = static_cast<std::size_t>(at - begin());
    if (size() == (block_ ? block_->capacity : 0))
        reserve(std::max<std::size_t>(1, size() * 2));
    auto* first = entries();
    std::memmove(static_cast<void*>(first + index + 1), first + index, (size() - index) * sizeof(membership));
    first[index] = m;
    ++block_->size;
    return first + index;
}

} // namespace rosterd::store
