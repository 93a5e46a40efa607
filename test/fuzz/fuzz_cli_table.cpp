// A server's answer, as the command line shows it: any JSON (the bytes as
// they came) through table() and record(). Whatever the answer holds, what
// reaches the terminal has no control character but the line breaks the
// renderer writes itself (a violation aborts).
#include "cli/table.hpp"

#include <boost/json/parse.hpp>

#include <cstdlib>
#include <string_view>

using namespace rosterd;

namespace {

void check(std::string const& shown)
{
    for (std::size_t i = 0; i < shown.size(); ++i) {
        auto const c = static_cast<unsigned char>(shown[i]);
        bool const c1 = c == 0xc2 && i + 1 < shown.size() && static_cast<unsigned char>(shown[i + 1]) >= 0x80 &&
                        static_cast<unsigned char>(shown[i + 1]) <= 0x9f;
        if ((c < 0x20 && c != '\n') || c == 0x7f || c1)
            std::abort();
    }
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(std::uint8_t const* data, std::size_t size)
{
    boost::system::error_code ec;
    auto const answer = boost::json::parse(std::string_view(reinterpret_cast<char const*>(data), size), ec);
    if (ec)
        return 0;
    check(cli::table(answer, {{"ID", "id"}, {"NAME", "name"}, {"BY", "actor.userId"}, {"FIELDS", "fields"}}));
    check(cli::record(answer));
    return 0;
}
