#include "store/id_set.hpp"

#include <algorithm>

namespace rosterd::store {

namespace {

template <class Id>
void insert_into(std::vector<Id>& ids, Id id)
{
    if (ids.empty() || ids.back() < id) { // the common case: a new id
        ids.push_back(id);
        return;
    }
    auto const at = std::lower_bound(ids.begin(), ids.end(), id);
    if (*at != id)
        ids.insert(at, id);
}

template <class Id>
void erase_from(std::vector<Id>& ids, Id id)
{
    auto const at = std::lower_bound(ids.begin(), ids.end(), id);
    if (at != ids.end() && *at == id)
        ids.erase(at);
}

} // namespace

id_set::id_set(id_set const& other)
    : narrow_(other.narrow_), wide_(other.wide_ ? std::make_unique<std::vector<record_id>>(*other.wide_) : nullptr)
{
}

void id_set::insert(record_id id)
{
    if (fits(id)) {
        insert_into(narrow_, static_cast<std::uint32_t>(id));
        return;
    }
    if (!wide_)
        wide_ = std::make_unique<std::vector<record_id>>();
    insert_into(*wide_, id);
}

void id_set::erase(record_id id)
{
    if (fits(id))
        erase_from(narrow_, static_cast<std::uint32_t>(id));
    else if (wide_) {
        erase_from(*wide_, id);
        if (wide_->empty())
            wide_.reset();
    }
}

bool id_set::contains(record_id id) const
{
    if (fits(id))
        return std::binary_search(narrow_.begin(), narrow_.end(), static_cast<std::uint32_t>(id));
    return wide_ && std::binary_search(wide_->begin(), wide_->end(), id);
}

bool operator==(id_set const& a, id_set const& b) noexcept
{
    // wide_ is null exactly when it would be empty.
    return a.narrow_ == b.narrow_ && (a.wide_ ? b.wide_ && *a.wide_ == *b.wide_ : !b.wide_);
}

} // namespace rosterd::store
