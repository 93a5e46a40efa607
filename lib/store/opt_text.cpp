#include "store/opt_text.hpp"

#include <cstdlib>
#include <cstring>
#include <limits>
#include <new>
#include <stdexcept>

namespace rosterd::store {

std::string_view opt_text::operator*() const noexcept
{
    std::uint32_t n;
    std::memcpy(&n, block_, sizeof n);
    return {block_ + sizeof n, n};
}

void opt_text::assign(std::string_view s)
{
    if (s.size() > std::numeric_limits<std::uint32_t>::max())
        throw std::length_error("opt_text: over 4 GiB");
    auto const n = static_cast<std::uint32_t>(s.size());
    auto* block = static_cast<char*>(std::malloc(sizeof n + n));
    if (!block)
        throw std::bad_alloc();
    std::memcpy(block, &n, sizeof n);
    if (n != 0)
        std::memcpy(block + sizeof n, s.data(), n);
    std::free(block_);
    block_ = block;
}

} // namespace rosterd::store
