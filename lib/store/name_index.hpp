#pragma once
// The directory's index of names (a user's userName, else their e-mail
// address): hashes of names, each with the user who claims it. A flat
// table, open addressing with linear probing: 8 bytes a slot (31 bits of
// the hash and a 32-bit id), at most seven eighths full, so 9 to 18 bytes
// a user where a node-based multimap took about 48. Slots of a 64-bit hash
// and a 64-bit id took twice as much: 17 MB more for a million addresses.
//
// A multimap: names repeat (addresses are not unique, and nodes that race
// may give one userName twice) and hashes collide, the more so as a slot
// keeps only 31 bits of one; a caller checks each candidate's name.
// Erasing moves the slots after it back (no tombstones), so a lookup
// always stops at the first empty slot.
//
// Ids come from a sequence and fit in 32 bits; any other id (a damaged
// record's 2^63) is kept beside the table, in a map that is otherwise
// empty, so that no id is ever cut short.
//
// Thread safety: none of its own (the directory's lock).

#include <cstddef>
#include <cstdint>
#include <map>
#include <vector>

namespace rosterd::store {

class name_index {
public:
    void insert(std::uint64_t hash, std::uint64_t id);
    // Removes one entry of (hash, id); nothing if there is none.
    void erase(std::uint64_t hash, std::uint64_t id);
    // Calls f(id) for each entry with `hash`, and for any whose hash has
    // the same low 31 bits.
    template <class F>
    void for_each(std::uint64_t hash, F&& f) const
    {
        auto const key = key_of(hash);
        if (!slots_.empty())
            for (auto at = home(key); slots_[at].key != empty; at = next(at))
                if (slots_[at].key == key)
                    f(std::uint64_t{slots_[at].id});
        if (!wide_.empty()) [[unlikely]]
            for (auto [it, end] = wide_.equal_range(key); it != end; ++it)
                f(it->second);
    }
    // Asks the CPU for the slot an insert or lookup of `hash` starts at:
    // in a large table it is a cache miss, which a caller going through
    // many entries can overlap with other work.
    void prefetch(std::uint64_t hash) const
    {
        if (!slots_.empty())
            __builtin_prefetch(&slots_[home(key_of(hash))]);
    }
    // The hash to file an id under: ids are sequential, and a slot's home
    // is its key's low bits, so they are mixed (a run of ids would
    // otherwise fill a run of slots that later ids' homes land in).
    static std::uint64_t id_hash(std::uint64_t id)
    {
        auto const h = id * 0x9e37'79b9'7f4a'7c15ull;
        return h ^ (h >> 32);
    }
    std::size_t size() const { return size_ + wide_.size(); }
    // The table's slots (the entries beside it not counted).
    std::size_t capacity() const { return slots_.size(); }

private:
    // A slot's key is the hash's low 31 bits with bit 31 set, so that any
    // id may be stored (a damaged record's 0 included) and a key of 0 marks
    // an empty slot.
    using key_type = std::uint32_t;
    static constexpr key_type empty = 0;
    static constexpr key_type occupied = key_type{1} << 31;
    static key_type key_of(std::uint64_t hash) { return static_cast<key_type>(hash) | occupied; }
    static bool fits(std::uint64_t id) { return id <= UINT32_MAX; }
    struct slot {
        key_type key = empty;
        std::uint32_t id = 0;
    };
    std::size_t home(key_type key) const { return key & (slots_.size() - 1); }
    std::size_t next(std::size_t at) const { return (at + 1) & (slots_.size() - 1); }
    void grow();

    std::vector<slot> slots_; // a power of two in size, or empty
    std::size_t size_ = 0;    // entries in slots_
    // The entries whose id does not fit a slot, by key.
    std::multimap<key_type, std::uint64_t> wide_;
};

} // namespace rosterd::store
