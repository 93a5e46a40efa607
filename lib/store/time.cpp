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

std::optional<unix_time> parse_rfc3339(std::string_view text)
{
    using namespace std::chrono;
    constexpr std::string_view shape = "dddd-dd-ddTdd:dd:ddZ";
    if (text.size() != shape.size())
        return std::nullopt;
    for (std::size_t i = 0; i < shape.size(); ++i) {
        bool const digit = text[i] >= '0' && text[i] <= '9';
        if (shape[i] == 'd' ? !digit : text[i] != shape[i])
            return std::nullopt;
    }
    auto number = [&text](std::size_t at, std::size_t digits) {
        unsigned v = 0;
        for (std::size_t i = at; i < at + digits; ++i)
            v = v * 10 + static_cast<unsigned>(text[i] - '0');
        return v;
    };
    year_month_day const date{year{static_cast<int>(number(0, 4))}, month{number(5, 2)}, day{number(8, 2)}};
    auto const h = number(11, 2), m = number(14, 2), s = number(17, 2);
    if (!date.ok() || date.year() < year{1000} || h > 23 || m > 59 || s > 59)
        return std::nullopt;
    auto const at = sys_days{date} + hours{h} + minutes{m} + seconds{s};
    return at.time_since_epoch().count();
}

std::optional<instant> parse_rfc3339_instant(std::string_view text)
{
    using namespace std::chrono;
    std::size_t at = 0;
    auto digits = [&](std::size_t n, unsigned& v) {
        if (text.size() - at < n)
            return false;
        v = 0;
        for (std::size_t end = at + n; at < end; ++at) {
            if (text[at] < '0' || text[at] > '9')
                return false;
            v = v * 10 + static_cast<unsigned>(text[at] - '0');
        }
        return true;
    };
    auto one_of = [&](std::string_view chars) {
        if (at < text.size() && chars.find(text[at]) != std::string_view::npos)
            return text[at++];
        return '\0';
    };
    unsigned y = 0, mo = 0, d = 0, h = 0, mi = 0, s = 0;
    if (!(digits(4, y) && one_of("-") && digits(2, mo) && one_of("-") && digits(2, d) && one_of("Tt")
          && digits(2, h) && one_of(":") && digits(2, mi) && one_of(":") && digits(2, s)))
        return std::nullopt;
    instant r;
    if (one_of(".")) {
        std::size_t const first = at;
        std::uint32_t scale = 100'000'000;
        for (; at < text.size() && text[at] >= '0' && text[at] <= '9'; ++at, scale /= 10)
            r.nanos += static_cast<std::uint32_t>(text[at] - '0') * scale;
        if (at == first)
            return std::nullopt;
    }
    long offset = 0;
    if (char const sign = one_of("Zz+-"); sign == '+' || sign == '-') {
        unsigned oh = 0, om = 0;
        if (!(digits(2, oh) && one_of(":") && digits(2, om)) || oh > 23 || om > 59)
            return std::nullopt;
        offset = (sign == '+' ? 1 : -1) * static_cast<long>(oh * 3600 + om * 60);
    } else if (!sign) {
        return std::nullopt;
    }
    year_month_day const date{year{static_cast<int>(y)}, month{mo}, day{d}};
    if (at != text.size() || !date.ok() || h > 23 || mi > 59 || s > 60)
        return std::nullopt;
    unsigned second = s;
    if (second == 60) { // a leap second: the last moment of its minute
        second = 59;
        r.nanos = 999'999'999;
    }
    auto const local = sys_days{date} + hours{h} + minutes{mi} + seconds{second};
    r.seconds = local.time_since_epoch().count() - offset;
    return r;
}

} // namespace rosterd::store
