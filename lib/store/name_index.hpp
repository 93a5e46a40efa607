#pragma once
// The directory's index of names (a user's userName, else their e-mail
// address): 64-bit hashes of names, each with the user who claims it. A
// flat table, open addressing with linear probing: 16 bytes a slot, at most
// seven eighths full, so about 18 bytes a user where a node-based multimap
// took about 48 (40 MB more at a million users).
//
// A multimap: names repeat (addresses are not unique, and nodes that race
// may give one userName twice) and hashes collide; a caller checks each
// candidate's name. Erasing moves the slots after it back (no tombstones),
// so a lookup always stops at the first empty slot.
//
// Thread safety: none of its own (the directory's lock).

#include <cstddef>
#include <cstdint>
#include <vector>

namespace rosterd::store {

class name_index {
public:
    void insert(std::uint64_t hash, std::uint64_t id);
    // Removes one entry of (hash, id); nothing if there is none.
    void erase(std::uint64_t hash, std::uint64_t id);
    // Calls f(id) for each entry with `hash`.
    template <class F>
    void for_each(std::uint64_t hash, F&& f) const
    {
        if (slots_.empty())
            return;
        auto const key = key_of(hash);
        for (auto at = home(key); slots_[at].key != empty; at = next(at))
            if (slots_[at].key == key)
                f(slots_[at].id);
    }
    // Asks the CPU for the slot an insert or lookup of `hash` starts at:
    // in a large table it is a cache miss, which a caller going through
    // many entries can overlap with other work.
    void prefetch(std::uint64_t hash) const
    {
        if (!slots_.empty())
            __builtin_prefetch(&slots_[home(key_of(hash))]);
    }
    std::size_t size() const { return size_; }
    std::size_t capacity() const { return slots_.size(); }

private:
    // A slot's key is the hash with its top bit set, so that any id may be
    // stored (a damaged record's 0 included) and a key of 0 marks an empty
    // slot.
    static constexpr std::uint64_t empty = 0;
    static constexpr std::uint64_t occupied = std::uint64_t{1} << 63;
    static std::uint64_t key_of(std::uint64_t hash) { return hash | occupied; }
    struct slot {
        std::uint64_t key = empty;
        std::uint64_t id = 0;
    };
    std::size_t home(std::uint64_t key) const { return static_cast<std::size_t>(key) & (slots_.size() - 1); }
    std::size_t next(std::size_t at) const { return (at + 1) & (slots_.size() - 1); }
    void grow();

    std::vector<slot> slots_; // a power of two in size, or empty
    std::size_t size_ = 0;
};

} // namespace rosterd::store
