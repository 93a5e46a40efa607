#include "store/user_texts.hpp"

#include <array>
#include <cstring>
#include <limits>
#include <new>
#include <stdexcept>

namespace rosterd::store {

namespace {

constexpr unsigned present_bits = (1u << user_text_count) - 1;
constexpr unsigned wide_lengths = 0x8000;
static_assert(user_text_count < 15, "the flags hold a bit per text and the width bit");

unsigned bit_of(user_text t) { return 1u << static_cast<unsigned>(t); }

// How many of the text bits are set: a table, since std::popcount
// is a library call on the baseline x86-64 that Debian builds for, and
// get() counts twice for every text a request reads.
constexpr auto texts_in = [] {
    std::array<unsigned char, 1u << user_text_count> n{};
    for (unsigned i = 1; i < n.size(); ++i)
        n[i] = static_cast<unsigned char>(n[i >> 1] + (i & 1));
    return n;
}();

// The block's fixed start: the number of memberships, the flags (two
// bytes) and two zero bytes; the memberships follow.
constexpr std::size_t fixed_size = 8;
constexpr std::size_t flags_at = 4;

unsigned flags_of(unsigned char const* block) noexcept
{
    std::uint16_t f;
    std::memcpy(&f, block + flags_at, sizeof f);
    return f;
}

std::uint32_t membership_count(unsigned char const* block) noexcept
{
    std::uint32_t n;
    std::memcpy(&n, block, sizeof n);
    return n;
}

// The flags and the lengths of the present texts, in order.
struct header {
    unsigned flags;
    unsigned count;
    std::size_t width;
    unsigned char const* lengths;

    explicit header(unsigned char const* block)
        : flags(flags_of(block)), count(texts_in[flags & present_bits]),
          width(flags & wide_lengths ? 4 : 2),
          lengths(block + fixed_size + membership_count(block) * sizeof(membership))
    {
    }
    std::size_t length(unsigned i) const noexcept
    {
        if (width == 4) {
            std::uint32_t n;
            std::memcpy(&n, lengths + i * 4, 4);
            return n;
        }
        std::uint16_t n;
        std::memcpy(&n, lengths + i * 2, 2);
        return n;
    }
    unsigned char const* characters() const noexcept { return lengths + count * width; }
};

} // namespace

user_texts::user_texts(values const& all, std::span<membership const> groups)
{
    if (groups.size() > std::numeric_limits<std::uint32_t>::max())
        throw std::length_error("user_texts: over 2^32 memberships");
    unsigned flags = 0;
    std::size_t count = 0, characters = 0;
    for (std::size_t i = 0; i < user_text_count; ++i) {
        if (!all[i])
            continue;
        if (all[i]->size() > std::numeric_limits<std::uint32_t>::max())
            throw std::length_error("user_texts: a text over 4 GiB");
        flags |= 1u << i;
        ++count;
        characters += all[i]->size();
        if (all[i]->size() > std::numeric_limits<std::uint16_t>::max())
            flags |= wide_lengths;
    }
    if (flags == 0 && groups.empty())
        return;
    std::size_t const width = flags & wide_lengths ? 4 : 2;
    std::size_t const group_bytes = groups.size() * sizeof(membership);
    auto* block = static_cast<unsigned char*>(std::malloc(fixed_size + group_bytes + count * width + characters));
    if (!block)
        throw std::bad_alloc();
    auto const n = static_cast<std::uint32_t>(groups.size());
    std::memcpy(block, &n, sizeof n);
    auto const f = static_cast<std::uint16_t>(flags);
    std::memcpy(block + flags_at, &f, sizeof f);
    std::memset(block + flags_at + sizeof f, 0, fixed_size - flags_at - sizeof f);
    if (group_bytes != 0)
        std::memcpy(block + fixed_size, groups.data(), group_bytes);
    auto* length = block + fixed_size + group_bytes;
    auto* out = length + count * width;
    for (auto const& v : all) {
        if (!v)
            continue;
        if (width == 4) {
            auto const len = static_cast<std::uint32_t>(v->size());
            std::memcpy(length, &len, 4);
        } else {
            auto const len = static_cast<std::uint16_t>(v->size());
            std::memcpy(length, &len, 2);
        }
        length += width;
        if (!v->empty())
            std::memcpy(out, v->data(), v->size());
        out += v->size();
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
}

std::size_t user_texts::block_size() const noexcept
{
    header const h(block_);
    std::size_t characters = 0;
    for (unsigned i = 0; i < h.count; ++i)
        characters += h.length(i);
    return static_cast<std::size_t>(h.characters() - block_) + characters;
}

user_texts::value user_texts::get(user_text t) const noexcept
{
    if (!block_ || !(flags_of(block_) & bit_of(t)))
        return std::nullopt;
    header const h(block_);
    unsigned const index = texts_in[h.flags & (bit_of(t) - 1)];
    std::size_t offset = 0;
    for (unsigned i = 0; i < index; ++i)
        offset += h.length(i);
    return std::string_view(reinterpret_cast<char const*>(h.characters() + offset), h.length(index));
}

user_texts::values user_texts::all() const noexcept
{
    values out;
    if (!block_)
        return out;
    header const h(block_);
    auto const* at = h.characters();
    unsigned index = 0;
    for (std::size_t i = 0; i < user_text_count; ++i) {
        if (!(h.flags & (1u << i)))
            continue;
        auto const n = h.length(index++);
        out[i] = std::string_view(reinterpret_cast<char const*>(at), n);
        at += n;
    }
    return out;
}

membership_view user_texts::memberships() const noexcept
{
    if (!block_)
        return {};
    // The block holds membership objects, copied in at offset 8 of a
    // malloc'd (so suitably aligned) block.
    return {reinterpret_cast<membership const*>(block_ + fixed_size), membership_count(block_)};
}

void user_texts::set(user_text t, value v)
{
    // A patch often sets what a user already has (an identity provider
    // sends every attribute): no new block then.
    auto const old = get(t);
    if (old == v)
        return;
    // A text of the same length (a name corrected, a digit changed) is
    // written over: the layout is the same, and the block is this one's own.
    // memmove: `v` may be a view into the block.
    if (old && v && old->size() == v->size()) {
        auto const at = reinterpret_cast<unsigned char const*>(old->data()) - block_;
        std::memmove(block_ + at, v->data(), v->size());
        return;
    }
    auto all_values = all();
    all_values[static_cast<std::size_t>(t)] = v;
    *this = user_texts(all_values, memberships()); // built before the old block is freed
}

void user_texts::set_memberships(std::span<membership const> groups)
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
