#include "persist/journal_format.hpp"

#include <cstring>

#if defined(__x86_64__)
#include <nmmintrin.h>
#endif

namespace rosterd::persist {

#if defined(__x86_64__)

namespace {

__attribute__((target("sse4.2"))) std::uint32_t crc32c_sse42(std::string_view data)
{
    auto const* p = reinterpret_cast<unsigned char const*>(data.data());
    auto n = data.size();
    std::uint64_t crc = 0xFFFFFFFFu;
    for (; n >= 8; p += 8, n -= 8) {
        std::uint64_t word;
        std::memcpy(&word, p, sizeof word);
        crc = _mm_crc32_u64(crc, word);
    }
    auto c = static_cast<std::uint32_t>(crc);
    for (; n > 0; ++p, --n)
        c = _mm_crc32_u8(c, *p);
    return ~c;
}

// Asked during static initialization, so the CPU model is set up first.
bool const has_sse42 = [] {
    __builtin_cpu_init();
    return __builtin_cpu_supports("sse4.2") != 0;
}();

} // namespace

std::uint32_t crc32c(std::string_view data) { return has_sse42 ? crc32c_sse42(data) : crc32c_portable(data); }

#else

std::uint32_t crc32c(std::string_view data) { return crc32c_portable(data); }

#endif

} // namespace rosterd::persist
