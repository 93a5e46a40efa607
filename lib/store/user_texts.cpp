#include "store/user_texts.hpp"

#include <bit>
#include <cstring>
#include <limits>
#include <new>
#include <stdexcept>

namespace rosterd::store {

namespace {

constexpr unsigned present_bits = (1u << user_text_count) - 1;
constexpr unsigned char wide_lengths = 0x80;
static_assert(user_text_count < 8, "the flags byte holds a bit per text and the width bit");

unsigned bit_of(user_text t) { return 1u << static_cast<unsigned>(t); }

// The flags byte and the lengths of the present texts, in order.
struct header {
    unsigned flags;
    unsigned count;
    std::size_t width;
    unsigned char const* lengths;

    explicit header(unsigned char const* block)
        : flags(block[0]), count(static_cast<unsigned>(std::popcount(flags & present_bits))),
          width(flags & wide_lengths ? 4 : 2), lengths(block + 1)
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

user_texts::user_texts(values const& all)
{
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
    if (flags == 0)
        return;
    std::size_t const width = flags & wide_lengths ? 4 : 2;
    auto* block = static_cast<unsigned char*>(std::malloc(1 + count * width + characters));
    if (!block)
        throw std::bad_alloc();
    block[0] = static_cast<unsigned char>(flags);
    auto* length = block + 1;
    auto* out = length + count * width;
    for (auto const& v : all) {
        if (!v)
            continue;
        if (width == 4) {
            auto const n = static_cast<std::uint32_t>(v->size());
            std::memcpy(length, &n, 4);
        } else {
            auto const n = static_cast<std::uint16_t>(v->size());
            std::memcpy(length, &n, 2);
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
    if (!block_ || !(block_[0] & bit_of(t)))
        return std::nullopt;
    header const h(block_);
    auto const index = static_cast<unsigned>(std::popcount(h.flags & (bit_of(t) - 1)));
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

void user_texts::set(user_text t, value v)
{
    auto all_values = all();
    all_values[static_cast<std::size_t>(t)] = v;
    *this = user_texts(all_values); // built before the old block is freed
}

bool operator==(user_texts const& a, user_texts const& b) noexcept
{
    if (!a.block_ || !b.block_)
        return a.block_ == b.block_;
    auto const size = a.block_size();
    return size == b.block_size() && std::memcmp(a.block_, b.block_, size) == 0;
}

} // namespace rosterd::store
