#include "store/user_texts.hpp"

#include <array>
#include <atomic>
#include <cstring>
#include <limits>
#include <mutex>
#include <new>
#include <stdexcept>
#include <unordered_map>

namespace rosterd::store {

namespace {

constexpr unsigned present_bits = (1u << user_text_count) - 1;
// The block's layout: memberships of eight bytes (some group id past
// max_packed_group), else packed in four; lengths of four bytes (some
// text past 65,535 bytes), else of one (none past 255), else of two.
constexpr unsigned wide_memberships = 0x0800;
constexpr unsigned short_lengths = 0x1000;
constexpr unsigned many_memberships = 0x2000; // a four-byte count of them
constexpr unsigned wide_lengths = 0x8000;
static_assert(user_text_count < 10, "the flags hold a bit per text and the layout's bits");

unsigned bit_of(user_text t) { return 1u << static_cast<unsigned>(t); }

// The texts that are pooled when longer than the pointer that stands for
// them, and the flag bit that says so.
constexpr unsigned pooled_bit(std::size_t i) noexcept
{
    return i == text_index(user_text::description)            ? 0x0200u
           : i == text_index(user_text::auth_organization_id) ? 0x0400u
                                                               : 0u;
}
static_assert((pooled_bit(text_index(user_text::description)) | pooled_bit(text_index(user_text::auth_organization_id)))
              == user_texts::pooled_flags);
static_assert(((user_texts::pooled_flags | wide_memberships | short_lengths | many_memberships | wide_lengths)
               & present_bits) == 0);

// A pooled text: counted by the blocks that hold its pointer, its
// characters after it.
struct pooled {
    std::atomic<std::uint32_t> blocks;
    std::uint32_t size;
    char* characters() noexcept { return reinterpret_cast<char*>(this + 1); }
    char const* characters() const noexcept { return reinterpret_cast<char const*>(this + 1); }
    std::string_view text() const noexcept { return {characters(), size}; }
};
constexpr std::size_t pointer_size = sizeof(pooled*);

bool pooled_text(std::size_t i, std::string_view v) noexcept { return pooled_bit(i) && v.size() > pointer_size; }

// One for the process: blocks move between directories and threads. A
// block's copy counts on an entry it already holds, without the lock; the
// lock is taken to find or make an entry and to let one go, so that an
// entry found is never one being freed.
class text_pool {
public:
    pooled* acquire(std::string_view text)
    {
        std::lock_guard lock(mutex_);
        if (auto const found = entries_.find(text); found != entries_.end()) {
            found->second->blocks.fetch_add(1, std::memory_order_relaxed);
            return found->second;
        }
        auto* entry = static_cast<pooled*>(std::malloc(sizeof(pooled) + text.size()));
        if (!entry)
            throw std::bad_alloc();
        new (entry) pooled{{1}, static_cast<std::uint32_t>(text.size())};
        if (!text.empty())
            std::memcpy(entry->characters(), text.data(), text.size());
        try {
            entries_.emplace(entry->text(), entry);
        } catch (...) {
            std::free(entry);
            throw;
        }
        return entry;
    }
    static void add_block(pooled* entry) noexcept { entry->blocks.fetch_add(1, std::memory_order_relaxed); }
    void release(pooled* entry) noexcept
    {
        std::lock_guard lock(mutex_);
        if (entry->blocks.fetch_sub(1, std::memory_order_acq_rel) == 1) {
            entries_.erase(entry->text());
            entry->~pooled();
            std::free(entry);
        }
    }
    std::size_t size()
    {
        std::lock_guard lock(mutex_);
        return entries_.size();
    }

private:
    std::mutex mutex_;
    std::unordered_map<std::string_view, pooled*> entries_; // keys view the entries' own characters
};

// Never destroyed: a directory in a static may outlive any other static.
text_pool& pool()
{
    static auto* const p = new text_pool;
    return *p;
}

pooled* pointer_at(unsigned char const* at) noexcept
{
    pooled* entry;
    std::memcpy(&entry, at, sizeof entry);
    return entry;
}

// How many of the text bits are set: a table, since std::popcount
// is a library call on the baseline x86-64 that Debian builds for, and
// get() counts twice for every text a request reads.
constexpr auto texts_in = [] {
    std::array<unsigned char, 1u << user_text_count> n{};
    for (unsigned i = 1; i < n.size(); ++i)
        n[i] = static_cast<unsigned char>(n[i >> 1] + (i & 1));
    return n;
}();

// The block's start: the flags (two bytes), then the number of
// memberships in two bytes, or in four past 65,535; the memberships follow.
//
// Packing matters at a million users: a four-byte start, four bytes a
// membership and one a length, where eight, eight and two took 15 MB more.
constexpr std::size_t flags_at = user_texts::flags_at;
constexpr std::size_t count_at = flags_at + 2;

std::size_t start_size(unsigned flags) noexcept { return count_at + (flags & many_memberships ? 4 : 2); }

unsigned flags_of(unsigned char const* block) noexcept
{
    std::uint16_t f;
    std::memcpy(&f, block + flags_at, sizeof f);
    return f;
}

std::uint32_t membership_count(unsigned char const* block, unsigned flags) noexcept
{
    if (flags & many_memberships) {
        std::uint32_t n;
        std::memcpy(&n, block + count_at, sizeof n);
        return n;
    }
    std::uint16_t n;
    std::memcpy(&n, block + count_at, sizeof n);
    return n;
}

std::size_t membership_size(unsigned flags) noexcept
{
    return flags & wide_memberships ? sizeof(membership) : membership_view::packed_size;
}

std::size_t length_width(unsigned flags) noexcept { return flags & wide_lengths ? 4 : flags & short_lengths ? 1 : 2; }

// The flags and the lengths of the present texts, in order.
struct header {
    unsigned flags;
    unsigned count;
    std::size_t width;
    unsigned char const* lengths;

    explicit header(unsigned char const* block)
        : flags(flags_of(block)), count(texts_in[flags & present_bits]), width(length_width(flags)),
          lengths(block + start_size(flags) + membership_count(block, flags) * membership_size(flags))
    {
    }
    std::size_t length(unsigned i) const noexcept
    {
        if (width == 1)
            return lengths[i];
        if (width == 4) {
            std::uint32_t n;
            std::memcpy(&n, lengths + i * 4, 4);
            return n;
        }
        std::uint16_t n;
        std::memcpy(&n, lengths + i * 2, 2);
        return n;
    }
    // The sum of the first n lengths: where text n's characters start.
    std::size_t sum(unsigned n) const noexcept
    {
        std::size_t total = 0;
        if (width == 1) { // the usual block: a loop without a branch in it
            for (unsigned i = 0; i < n; ++i)
                total += lengths[i];
            return total;
        }
        for (unsigned i = 0; i < n; ++i)
            total += length(i);
        return total;
    }
    unsigned char const* characters() const noexcept { return lengths + count * width; }
};

// Calls f(flags, i, at, n) for each present text i of the block: where it
// is stored, and the bytes it takes there.
template <class F>
void for_each_stored(unsigned char const* block, F&& f)
{
    header const h(block);
    auto const* at = h.characters();
    unsigned index = 0;
    for (std::size_t i = 0; i < user_text_count; ++i) {
        if (!(h.flags & (1u << i)))
            continue;
        auto const n = h.length(index++);
        f(h.flags, i, at, n);
        at += n;
    }
}

// Calls f(entry) for each pooled text of the block.
template <class F>
void for_each_pooled(unsigned char const* block, F&& f)
{
    for_each_stored(block, [&](unsigned flags, std::size_t i, unsigned char const* at, std::size_t) {
        if (flags & pooled_bit(i))
            f(pointer_at(at));
    });
}

// The text stored at `at` with the stored length `n`: its characters, or
// the pooled text its pointer names.
std::string_view text_at(unsigned flags, std::size_t i, unsigned char const* at, std::size_t n) noexcept
{
    if (flags & pooled_bit(i))
        return pointer_at(at)->text();
    return {reinterpret_cast<char const*>(at), n};
}

} // namespace

user_texts::user_texts(values const& all, membership_view groups)
{
    if (groups.size() > std::numeric_limits<std::uint32_t>::max())
        throw std::length_error("user_texts: over 2^32 memberships");
    unsigned flags = 0;
    std::size_t count = 0, characters = 0, longest = 0;
    std::array<std::size_t, user_text_count> stored{}; // the bytes each text takes in the block
    for (std::size_t i = 0; i < user_text_count; ++i) {
        if (!all[i])
            continue;
        if (all[i]->size() > std::numeric_limits<std::uint32_t>::max())
            throw std::length_error("user_texts: a text over 4 GiB");
        flags |= 1u << i;
        ++count;
        if (pooled_text(i, *all[i])) {
            flags |= pooled_bit(i);
            stored[i] = pointer_size;
        } else {
            stored[i] = all[i]->size();
        }
        characters += stored[i];
        longest = std::max(longest, stored[i]);
    }
    if (flags == 0 && groups.empty())
        return;
    if (longest > std::numeric_limits<std::uint16_t>::max())
        flags |= wide_lengths;
    else if (longest <= std::numeric_limits<std::uint8_t>::max())
        flags |= short_lengths;
    if (!groups.packable())
        flags |= wide_memberships;
    if (groups.size() > std::numeric_limits<std::uint16_t>::max())
        flags |= many_memberships;
    std::size_t const width = length_width(flags);
    std::size_t const group_bytes = groups.size() * membership_size(flags);
    auto const start = start_size(flags);
    auto* block = static_cast<unsigned char*>(std::malloc(start + group_bytes + count * width + characters));
    if (!block)
        throw std::bad_alloc();
    // The pooled texts first: if one cannot be made, those taken are let go.
    std::array<pooled*, user_text_count> entries{};
    try {
        for (std::size_t i = 0; i < user_text_count; ++i)
            if (flags & pooled_bit(i))
                entries[i] = pool().acquire(*all[i]);
    } catch (...) {
        for (auto* e : entries)
            if (e)
                pool().release(e);
        std::free(block);
        throw;
    }
    auto const f = static_cast<std::uint16_t>(flags);
    std::memcpy(block + flags_at, &f, sizeof f);
    if (flags & many_memberships) {
        auto const n = static_cast<std::uint32_t>(groups.size());
        std::memcpy(block + count_at, &n, sizeof n);
    } else {
        auto const n = static_cast<std::uint16_t>(groups.size());
        std::memcpy(block + count_at, &n, sizeof n);
    }
    auto* group_at = block + start;
    for (auto const m : groups) {
        if (flags & wide_memberships) {
            std::memcpy(group_at, &m, sizeof m);
        } else {
            auto const packed = membership_view::pack(m);
            std::memcpy(group_at, &packed, sizeof packed);
        }
        group_at += membership_size(flags);
    }
    auto* length = group_at;
    auto* out = length + count * width;
    for (std::size_t i = 0; i < user_text_count; ++i) {
        if (!all[i])
            continue;
        if (width == 1) {
            *length = static_cast<unsigned char>(stored[i]);
        } else if (width == 4) {
            auto const len = static_cast<std::uint32_t>(stored[i]);
            std::memcpy(length, &len, 4);
        } else {
            auto const len = static_cast<std::uint16_t>(stored[i]);
            std::memcpy(length, &len, 2);
        }
        length += width;
        if (entries[i])
            std::memcpy(out, &entries[i], pointer_size);
        else if (!all[i]->empty())
            std::memcpy(out, all[i]->data(), all[i]->size());
        out += stored[i];
    }
    block_ = block;
}

user_texts::user_texts(user_texts const& other)
{
    if (!other.block_)
        return;
    auto const size = other.block_size();
    block_ = static_cast<unsigned char*>(std::malloc(size));
    if (!block_)
        throw std::bad_alloc();
    std::memcpy(block_, other.block_, size);
    if (holds_pooled())
        for_each_pooled(block_, text_pool::add_block);
}

void user_texts::release_pooled() noexcept
{
    for_each_pooled(block_, [](pooled* entry) { pool().release(entry); });
}

std::size_t user_texts::pooled_texts() { return pool().size(); }

std::size_t user_texts::block_size() const noexcept
{
    header const h(block_);
    return static_cast<std::size_t>(h.characters() - block_) + h.sum(h.count);
}

user_texts::value user_texts::get(user_text t) const noexcept
{
    if (!block_ || !(flags_of(block_) & bit_of(t)))
        return std::nullopt;
    header const h(block_);
    unsigned const index = texts_in[h.flags & (bit_of(t) - 1)];
    return text_at(h.flags, text_index(t), h.characters() + h.sum(index), h.length(index));
}

user_texts::values user_texts::all() const noexcept
{
    values out;
    if (block_)
        for_each_stored(block_, [&](unsigned flags, std::size_t i, unsigned char const* at, std::size_t n) {
            out[i] = text_at(flags, i, at, n);
        });
    return out;
}

membership_view user_texts::memberships() const noexcept
{
    if (!block_)
        return {};
    auto const flags = flags_of(block_);
    return {block_ + start_size(flags), membership_count(block_, flags), !(flags & wide_memberships)};
}

void user_texts::set(user_text t, value v)
{
    // A patch often sets what a user already has (an identity provider
    // sends every attribute): no new block then.
    auto const old = get(t);
    if (old == v)
        return;
    // A text of the same length (a name corrected, a digit changed) is
    // written over: the layout is the same, and the block is this one's own
    // (a pooled text is not: other blocks hold it, and a new text of its
    // length is pooled too). memmove: `v` may be a view into the block.
    if (old && v && old->size() == v->size() && !(flags_of(block_) & pooled_bit(text_index(t)))) {
        auto const at = reinterpret_cast<unsigned char const*>(old->data()) - block_;
        std::memmove(block_ + at, v->data(), v->size());
        return;
    }
    auto all_values = all();
    all_values[static_cast<std::size_t>(t)] = v;
    *this = user_texts(all_values, memberships()); // built before the old block is freed
}

void user_texts::set_memberships(membership_view groups)
{
    *this = user_texts(all(), groups);
}

bool operator==(user_texts const& a, user_texts const& b) noexcept
{
    if (!a.block_ || !b.block_)
        return a.block_ == b.block_;
    auto const size = a.block_size();
    return size == b.block_size() && std::memcmp(a.block_, b.block_, size) == 0;
}

} // namespace rosterd::store
