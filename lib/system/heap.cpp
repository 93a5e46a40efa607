#include "system/heap.hpp"

#if defined(__GLIBC__)
#include <malloc.h>
#endif

namespace rosterd::system {

namespace {

[[maybe_unused]] constexpr std::size_t glibc_default_top_pad = 128 * 1024;

} // namespace

heap_steps::heap_steps([[maybe_unused]] std::size_t pad)
{
#if defined(__GLIBC__)
    mallopt(M_TOP_PAD, static_cast<int>(pad));
#endif
}

heap_steps::~heap_steps()
{
#if defined(__GLIBC__)
    mallopt(M_TOP_PAD, static_cast<int>(glibc_default_top_pad));
    malloc_trim(0);
#endif
}

} // namespace rosterd::system
