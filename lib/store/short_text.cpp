#include "store/short_text.hpp"

#include <cstdlib>
#include <limits>
#include <new>
#include <ostream>
#include <stdexcept>

namespace rosterd::store {

static_assert(sizeof(short_text) == 16);

std::string_view short_text::view() const noexcept
{
    if (!on_heap())
        return {bytes_, static_cast<unsigned char>(bytes_[tag_at])};
    char const* block;
    std::memcpy(&block, bytes_, sizeof block);
    std::uint32_t n;
    std::memcpy(&n, block, sizeof n);
    return {block + sizeof n, n};
}

void short_text::assign(std::string_view s)
{
    if (s.size() <= inline_capacity) {
        std::memcpy(bytes_, s.data(), s.size());
        bytes_[tag_at] = static_cast<char>(s.size());
        return;
    }
    if (s.size() > std::numeric_limits<std::uint32_t>::max())
        throw std::length_error("short_text: over 4 GiB");
    auto const n = static_cast<std::uint32_t>(s.size());
    auto* block = static_cast<char*>(std::malloc(sizeof n + n));
    if (!block)
        throw std::bad_alloc();
    std::memcpy(block, &n, sizeof n);
    std::memcpy(block + sizeof n, s.data(), n);
    std::memcpy(bytes_, &block, sizeof block);
    bytes_[tag_at] = static_cast<char>(heap_tag);
}

void short_text::release() noexcept
{
    char* block;
    std::memcpy(&block, bytes_, sizeof block);
    std::free(block);
}

std::ostream& operator<<(std::ostream& out, short_text const& t) { return out << t.view(); }

} // namespace rosterd::store
