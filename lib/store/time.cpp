#include "store/time.hpp"

#include <chrono>
#include <ctime>
#include <string>

namespace rosterd::store {

unix_time system_now()
{
    using namespace std::chrono;
    return duration_cast<seconds>(system_clock::now().time_since_epoch()).count();
}

std::string format_rfc3339(unix_time t)
{
    // Civil-date arithmetic (<chrono>), not gmtime_r + strftime: every
    // user shown carries two of these, and the C library's way took a lock
    // and about 2,500 instructions each.
    using namespace std::chrono;
    sys_seconds const at{seconds{t}};
    auto const day = floor<days>(at);
    year_month_day const date{day};
    hh_mm_ss const time{at - day};
    auto const year = static_cast<int>(date.year());
    if (year < 1000 || year > 9999) { // far outside what the API sets: the C library's way
        std::time_t const tt = static_cast<std::time_t>(t);
        std::tm tm{};
        gmtime_r(&tt, &tm);
        char wide[64];
        return std::string(wide, std::strftime(wide, sizeof wide, "%Y-%m-%dT%H:%M:%SZ", &tm));
    }
    char buf[20];
    auto put = [&buf](std::size_t at, unsigned value, std::size_t digits) {
        for (std::size_t i = digits; i > 0; --i, value /= 10)
            buf[at + i - 1] = static_cast<char>('0' + value % 10);
    };
    put(0, static_cast<unsigned>(year), 4);
    buf[4] = '-';
    put(5, static_cast<unsigned>(date.month()), 2);
    buf[7] = '-';
    put(8, static_cast<unsigned>(date.day()), 2);
    buf[10] = 'T';
    put(11, static_cast<unsigned>(time.hours().count()), 2);
    buf[13] = ':';
    put(14, static_cast<unsigned>(time.minutes().count()), 2);
    buf[16] = ':';
    put(17, static_cast<unsigned>(time.seconds().count()), 2);
    buf[19] = 'Z';
    return std::string(buf, sizeof buf);
}

} // namespace rosterd::store
