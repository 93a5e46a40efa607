// Writes a data directory holding a snapshot of a large, realistic
// directory, for scripts/bench-scale:
//   generate_directory DATA_DIR USERS SECRET [ADMIN_SECRET]
// User 1 is a superuser whose token is SECRET. There is one group per 1,000
// users; every user belongs to one to three groups (admin of one in twenty),
// has a name, most have an e-mail address and a phone number, some an
// external id or a description, and one in ten has an API token.
// With ADMIN_SECRET (scripts/bench-stall), everyone is instead a plain
// member of group 1, and user 2 its admin, whose token is ADMIN_SECRET.
// Deterministic: the same arguments give the same directory.
#include "auth/token.hpp"
#include "persist/data_dir.hpp"
#include "persist/file_io.hpp"
#include "persist/snapshot.hpp"
#include "store/directory.hpp"

#include <array>
#include <chrono>
#include <cstdio>
#include <random>
#include <string>

using namespace rosterd;

namespace {

constexpr std::array<char const*, 16> first_names = {
    "Caroline", "Daan", "Emma", "Lucas", "Julia", "Sem", "Tess", "Finn",
    "Sophie", "Noah", "Anna", "Levi", "Mila", "Bram", "Sara", "Jesse"};
constexpr std::array<char const*, 16> last_names = {
    "de Vries", "Jansen", "van den Berg", "Bakker", "Visser", "Smit", "Meijer", "de Boer",
    "Mulder", "de Groot", "Bos", "Vos", "Peters", "Hendriks", "van Leeuwen", "Dekker"};
constexpr store::unix_time base_time = 1'700'000'000;

std::string lower_no_spaces(std::string s)
{
    std::string out;
    for (char c : s)
        if (c != ' ')
            out.push_back(static_cast<char>(c | 0x20));
    return out;
}

} // namespace

int main(int argc, char** argv)
{
    if (argc != 4 && argc != 5) {
        std::fprintf(stderr, "usage: generate_directory DATA_DIR USERS SECRET [ADMIN_SECRET]\n");
        return 2;
    }
    bool const one_group = argc == 5;
    persist::data_dir files(argv[1]);
    auto const users = std::stoull(argv[2]);
    std::mt19937_64 rng(42);
    auto chance = [&](unsigned percent) { return rng() % 100 < percent; };

    store::directory dir;
    auto const groups = users / 1000 + 1;
    for (store::record_id g = 1; g <= groups; ++g)
        dir.apply(store::put_group{{g, "group " + std::to_string(g), std::nullopt, base_time, 0}});
    store::record_id next_token = 1;
    for (store::record_id id = 1; id <= users; ++id) {
        store::user u;
        u.id = id;
        u.set_first_name(first_names[rng() % first_names.size()]);
        u.set_last_name(last_names[rng() % last_names.size()]);
        if (chance(90)) {
            u.set_email_address(lower_no_spaces(std::string(u.first_name()) + "." + std::string(u.last_name())) + std::to_string(id) + "@example.org");
            u.email_address_verified = chance(70);
        }
        if (chance(60)) {
            u.set_phone_number("+3185" + std::to_string(1'000'000 + rng() % 9'000'000));
            u.phone_number_verified = chance(50);
        }
        if (chance(20))
            u.set_external_id("ext-" + std::to_string(rng() % 100'000'000));
        if (chance(10))
            u.set_description("Imported from the old directory");
        u.super_user = id == 1;
        if (one_group)
            u.set_membership(1, id == 2);
        else
            for (unsigned n = 1 + rng() % 3; n > 0; --n)
                u.set_membership(1 + rng() % groups, chance(5));
        u.created = base_time + static_cast<store::unix_time>(id);
        u.updated = u.created;
        dir.apply(store::put_user{u});
        if (id == 1 || (one_group && id == 2) || chance(10)) {
            store::token t;
            t.id = next_token++;
            t.user_id = id;
            t.hash = auth::hash_token(id == 1 ? std::string(argv[3])
                                      : one_group && id == 2 ? std::string(argv[4])
                                                            : auth::generate_token());
            t.description = "generated";
            t.created = u.created;
            dir.apply(store::put_token{t});
        }
    }

    auto const start = std::chrono::steady_clock::now();
    auto const id = persist::new_snapshot_id();
    if (!persist::write_snapshot(dir, 0, {id, id}, files.snapshot(), persist::system_io())) {
        std::fprintf(stderr, "generate_directory: cannot write %s\n", files.snapshot().c_str());
        return 1;
    }
    auto const ms = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - start);
    std::printf("%llu users, %zu groups, %zu tokens; snapshot written in %lld ms\n",
                static_cast<unsigned long long>(users), dir.groups().size(), dir.token_count(),
                static_cast<long long>(ms.count()));
    return 0;
}
