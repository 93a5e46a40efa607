#include "store/name_index.hpp"

namespace rosterd::store {

namespace {

constexpr std::size_t first_capacity = 16;

} // namespace

void name_index::insert(std::uint64_t hash, std::uint64_t id)
{
    if (!fits(id)) {
        wide_.emplace(key_of(hash), id);
        return;
    }
    // At most seven eighths full, so that probes stay short.
    if ((size_ + 1) * 8 > slots_.size() * 7)
        grow();
    auto const key = key_of(hash);
    auto at = home(key);
    while (slots_[at].key != empty)
        at = next(at);
    slots_[at] = {key, static_cast<std::uint32_t>(id)};
    ++size_;
}

void name_index::erase(std::uint64_t hash, std::uint64_t id)
{
    auto const key = key_of(hash);
    if (!fits(id)) {
        for (auto [it, end] = wide_.equal_range(key); it != end; ++it)
            if (it->second == id) {
                wide_.erase(it);
                return;
            }
        return;
    }
    if (slots_.empty())
        return;
    auto at = home(key);
    while (slots_[at].key != empty && !(slots_[at].key == key && slots_[at].id == id))
        at = next(at);
    if (slots_[at].key == empty)
        return;
    // Backward shift: each later slot of the run moves into the hole when
    // its home does not lie between the hole and itself (cyclically), so
    // that no lookup meets an empty slot before its entry.
    auto hole = at;
    for (auto scan = next(hole); slots_[scan].key != empty; scan = next(scan)) {
        auto const want = home(slots_[scan].key);
        bool const stays = hole <= scan ? (hole < want && want <= scan) : (hole < want || want <= scan);
        if (!stays) {
            slots_[hole] = slots_[scan];
            hole = scan;
        }
    }
    slots_[hole] = {};
    --size_;
}

void name_index::grow()
{
    std::vector<slot> old(slots_.empty() ? first_capacity : slots_.size() * 2);
    old.swap(slots_);
    size_ = 0;
    for (auto const& s : old)
        if (s.key != empty)
            insert(s.key, s.id); // key_of(key) == key
}

} // namespace rosterd::store
