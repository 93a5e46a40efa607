#pragma once
// What GET /user?q= searches: each user's firstName, lastName, e-mail
// address and userName, folded as names are (store/user_name.hpp: width,
// case, normalization), kept side by side in id order so that a search of a
// million users is a scan of one contiguous text per 64 ids, not a walk of
// a million records.
//
// A chunk holds ids [64 k, 64 k + 64): its users' entries, in id order,
// in one string, and where each ends. An entry is the user's four folded
// texts, each followed by a separator (0x1F) that a query cannot hold, so
// that a match never spans two texts or two users. A change rewrites one
// chunk (a few kilobytes), and only when one of the four texts changed.
//
// Memory: the folded texts plus about five bytes a user.
//
// Thread safety: none of its own (the directory's lock).

#include "store/records.hpp"

#include <algorithm>
#include <array>
#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <vector>

namespace rosterd::store {

class search_index {
public:
    static constexpr char separator = '\x1f';
    static constexpr record_id ids_per_chunk = 64;

    // The folded form of a query, or of a text: what a match compares.
    static std::string fold(std::string_view utf8);
    // The entry `u` would have.
    static std::string entry_of(user const& u);
    // Whether `a` and `b` have the same searchable texts.
    static bool same_texts(user const& a, user const& b);

    void put(user const& u);
    void erase(record_id id);
    // Whether user `id`'s entry holds `folded` (a fold()ed query).
    bool contains(record_id id, std::string_view folded) const;
    // Calls f(id) for each user in [from, to) whose entry holds `folded`,
    // in ascending id; stops early when f returns false. Answers whether
    // it ran to `to`.
    template <class F>
    bool for_each_match(record_id from, record_id to, std::string_view folded, F&& f) const;
    // The least id at or after `id` that may have an entry; 0 when none
    // may: where a scan in windows goes on, skipping ids no one holds.
    record_id next_from(record_id id) const
    {
        auto it = chunks_.lower_bound(id / ids_per_chunk);
        return it == chunks_.end() ? 0 : std::max(id, it->first * ids_per_chunk);
    }

    friend void swap(search_index& a, search_index& b) noexcept { a.chunks_.swap(b.chunks_); }
    // The same entries in the same places.
    friend bool operator==(search_index const&, search_index const&) = default;

    class builder;

private:
    struct chunk {
        std::string text;
        // Where entry i ends in `text`; it starts where entry i - 1 ends.
        std::array<std::uint32_t, ids_per_chunk> ends{};
        friend bool operator==(chunk const&, chunk const&) = default;
    };
    static std::uint32_t start_of(chunk const& c, std::size_t i) { return i == 0 ? 0 : c.ends[i - 1]; }
    // Calls on_hit(context, offset) for each place of `folded` in c.text
    // from offset `at` to `stop`, in order, in one pass; on_hit answers
    // where to go on from (the end of the entry it fell in: one match an
    // entry), or `stop` to end.
    using hit_fn = std::uint32_t (*)(void* context, std::uint32_t offset);
    static void scan(chunk const& c, std::uint32_t at, std::uint32_t stop, std::string_view folded, hit_fn on_hit,
                     void* context);
    void replace(record_id id, std::string_view entry);

    // Chunk k covers ids [64 k, 64 k + 64). A map, not a vector by k: ids
    // come from records, and one damaged record's id of 2^60 must not
    // ask for a vector of 2^54 chunks.
    std::map<record_id, chunk> chunks_;
};

// Builds an index from puts and erasures in order, as a load gives them
// (persist/decoded_chunks.hpp, on its decoding thread): the same index as
// search_index::put() and erase() would make. For users in ascending id,
// a chunk's entries are written into one buffer and the chunk is made
// from it at its size: one allocation a chunk, where put() grows a
// chunk's text by copies and makes a string for every entry. Any other
// order is put() as it comes.
class search_index::builder {
public:
    void put(user const& u);
    void erase(record_id id);
    search_index finish() &&;

private:
    // Makes the chunk being written a chunk of the index.
    void close();

    search_index index_;
    bool open_ = false;
    record_id key_ = 0;   // the chunk being written, when open_
    std::size_t next_ = 0; // its next entry that may be written
    std::string text_;
    std::array<std::uint32_t, ids_per_chunk> ends_{};
};

template <class F>
bool search_index::for_each_match(record_id from, record_id to, std::string_view folded, F&& f) const
{
    for (auto it = chunks_.lower_bound(from / ids_per_chunk); it != chunks_.end(); ++it) {
        auto const base = it->first * ids_per_chunk;
        if (base >= to)
            break;
        auto const& c = it->second;
        // The scan is bound by memory: ask for the next chunk's first lines now.
        if (auto next = std::next(it); next != chunks_.end())
            __builtin_prefetch(next->second.text.data());
        auto i = static_cast<std::size_t>(from > base ? from - base : 0);
        auto const end = static_cast<std::size_t>(std::min<record_id>(ids_per_chunk, to - base));
        auto const stop = c.ends[end - 1];
        struct state {
            chunk const& c;
            record_id base;
            std::size_t i;
            std::uint32_t stop;
            F& f;
            bool stopped = false;
        } st{c, base, i, stop, f};
        scan(c, start_of(c, i), stop, folded, [](void* context, std::uint32_t hit) {
            auto& s = *static_cast<state*>(context);
            while (s.c.ends[s.i] <= hit)
                ++s.i;
            if (!s.f(s.base + s.i)) {
                s.stopped = true;
                return s.stop;
            }
            return s.c.ends[s.i++];
        }, &st);
        if (st.stopped)
            return false;
    }
    return true;
}

} // namespace rosterd::store
