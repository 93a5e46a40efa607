#include "store/record_table.hpp"

#include <algorithm>

namespace rosterd::store {

template <class Record>
record_table<Record>::record_table(record_table const& other) : size_(other.size_)
{
    pages_.reserve(other.pages_.size());
    for (auto const& e : other.pages_)
        pages_.push_back({e.number, std::make_unique<page>(*e.p)});
}

template <class Record>
record_table<Record>::~record_table() = default;

template <class Record>
typename std::vector<typename record_table<Record>::entry>::const_iterator
record_table<Record>::page_from(record_id number) const noexcept
{
    // Pages are dense while no run of 64 ids has been emptied: the page's
    // place is then its number less the first's.
    if (!pages_.empty() && number >= pages_.front().number) {
        auto const guess = number - pages_.front().number;
        if (guess < pages_.size() && pages_[guess].number == number)
            return pages_.begin() + static_cast<std::ptrdiff_t>(guess);
    }
    return std::lower_bound(pages_.begin(), pages_.end(), number,
                            [](entry const& e, record_id n) { return e.number < n; });
}

template <class Record>
Record const* record_table<Record>::find(record_id id) const noexcept
{
    auto const it = page_from(id / ids_per_page);
    if (it == pages_.end() || it->number != id / ids_per_page)
        return nullptr;
    auto const slot = static_cast<unsigned>(id % ids_per_page);
    return (it->p->used >> slot & 1) != 0 ? &it->p->slots[slot] : nullptr;
}

template <class Record>
std::pair<Record*, bool> record_table<Record>::try_emplace(record_id id)
{
    auto const number = id / ids_per_page;
    auto const slot = static_cast<unsigned>(id % ids_per_page);
    // Ids grow: a new record's page is usually the last.
    auto it = !pages_.empty() && pages_.back().number == number ? pages_.end() - 1 : page_from(number);
    if (it == pages_.end() || it->number != number)
        it = pages_.insert(it, {number, std::make_unique<page>()});
    auto& p = *it->p;
    auto& r = p.slots[slot];
    if ((p.used >> slot & 1) != 0)
        return {&r, false};
    p.used |= std::uint64_t{1} << slot;
    r.id = id;
    ++size_;
    return {&r, true};
}

template <class Record>
void record_table<Record>::erase(record_id id) noexcept
{
    auto const number = id / ids_per_page;
    auto const slot = static_cast<unsigned>(id % ids_per_page);
    auto const it = page_from(number);
    if (it == pages_.end() || it->number != number || (it->p->used >> slot & 1) == 0)
        return;
    auto& p = *it->p;
    p.used &= ~(std::uint64_t{1} << slot);
    p.slots[slot] = Record{}; // frees what it holds (a user's texts and memberships)
    --size_;
    if (p.used == 0)
        pages_.erase(it);
}

template <class Record>
typename record_table<Record>::const_iterator record_table<Record>::first_in(std::size_t i, unsigned slot) const noexcept
{
    auto const* const end = pages_.data() + pages_.size();
    auto const* at = pages_.data() + i;
    if (at != end && slot < ids_per_page) {
        if (auto const rest = at->p->used >> slot << slot; rest != 0)
            return {at, end, static_cast<unsigned>(std::countr_zero(rest))};
    }
    if (at != end)
        ++at;
    return {at, end, at == end ? 0u : static_cast<unsigned>(std::countr_zero(at->p->used))};
}

template <class Record>
typename record_table<Record>::const_iterator record_table<Record>::begin() const noexcept
{
    return first_in(0, 0);
}

template <class Record>
typename record_table<Record>::const_iterator record_table<Record>::lower_bound(record_id id) const noexcept
{
    auto const number = id / ids_per_page;
    auto const it = page_from(number);
    auto const i = static_cast<std::size_t>(it - pages_.begin());
    return first_in(i, it != pages_.end() && it->number == number ? static_cast<unsigned>(id % ids_per_page) : 0);
}

template <class Record>
typename record_table<Record>::const_iterator record_table<Record>::upper_bound(record_id id) const noexcept
{
    return id == ~record_id{0} ? end() : lower_bound(id + 1);
}

template class record_table<user>;
template class record_table<token>;

} // namespace rosterd::store
