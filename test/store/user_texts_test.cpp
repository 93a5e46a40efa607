// store::user_texts: seven optional texts in one block, each read and set
// as the separate optional strings they replace.
#define BOOST_TEST_MODULE user_texts
#include <boost/test/unit_test.hpp>

#include "store/records.hpp"

#include <array>
#include <string>
#include <thread>
#include <vector>

using namespace rosterd::store;

namespace {

constexpr auto phone = user_text::phone_number;
constexpr auto email = user_text::email_address;
constexpr auto remarks = user_text::remarks;
constexpr auto name = user_text::user_name;
constexpr auto description = user_text::description;
constexpr auto organization = user_text::auth_organization_id;

} // namespace

BOOST_AUTO_TEST_CASE(absent_present_and_empty_are_three_values)
{
    user_texts t;
    BOOST_TEST(!t.get(phone));
    t.set(phone, "");
    BOOST_TEST_REQUIRE(t.get(phone).has_value());
    BOOST_TEST(t.get(phone)->empty());
    t.set(email, "a@example.org");
    BOOST_TEST(*t.get(email) == "a@example.org");
    BOOST_TEST(t.get(phone)->empty());
    BOOST_TEST(!t.get(remarks));
    t.set(phone, std::nullopt);
    BOOST_TEST(!t.get(phone));
    t.set(email, std::nullopt);
    BOOST_TEST((t == user_texts{})); // nothing left: no block
    BOOST_TEST(sizeof(user_texts) == sizeof(void*));
}

BOOST_AUTO_TEST_CASE(each_text_keeps_its_own_value_whatever_the_others_do)
{
    // Every subset of present texts, with lengths that differ per text.
    for (unsigned mask = 0; mask < (1u << user_text_count); ++mask) {
        user_texts::values expected;
        for (std::size_t i = 0; i < user_text_count; ++i)
            if (mask & (1u << i))
                expected[i] = std::string_view("0123456789abcdef").substr(0, i * 2);
        user_texts built(expected);
        user_texts set_one_by_one;
        for (std::size_t i = user_text_count; i-- > 0;)
            set_one_by_one.set(static_cast<user_text>(i), expected[i]);
        BOOST_TEST((built == set_one_by_one)); // the block is canonical
        for (std::size_t i = 0; i < user_text_count; ++i) {
            BOOST_TEST((built.get(static_cast<user_text>(i)) == expected[i]));
            BOOST_TEST((built.all()[i] == expected[i]));
        }
    }
}

BOOST_AUTO_TEST_CASE(copies_own_their_texts_and_a_text_may_be_set_from_itself)
{
    std::string source(300, 'x');
    user_texts a;
    a.set(remarks, source);
    a.set(name, "ann");
    source.assign(300, 'y');
    auto b = a;
    a.set(remarks, "changed");
    BOOST_TEST(*b.get(remarks) == std::string(300, 'x'));
    BOOST_TEST(*a.get(remarks) == "changed");
    BOOST_TEST(!(a == b));
    a.set(user_text::description, a.get(remarks)); // a view into the block being replaced
    BOOST_TEST(*a.get(user_text::description) == "changed");
    auto c = std::move(b);
    BOOST_TEST(!b.get(remarks)); // NOLINT: a moved-from set is empty
    BOOST_TEST(*c.get(name) == "ann");
    std::string const embedded("a\0b", 3);
    c.set(phone, embedded);
    BOOST_TEST(c.get(phone)->size() == 3u);
}

BOOST_AUTO_TEST_CASE(a_text_of_the_same_length_is_written_over_in_place)
{
    user_texts t;
    t.set(user_text::first_name, "Caroline");
    t.set(email, "caroline@example.org");
    t.set(name, "carol");
    t.set_memberships(std::array{membership{7, true}});
    auto const copy = t;
    // No new block: checked after each change, since a block made anew is
    // allocated while the old one still lives (at another address), but
    // one freed earlier may be handed out again. As addresses: BOOST_TEST
    // would compare char pointers as C strings.
    auto const address = [&] { return static_cast<void const*>(t.get(email)->data()); };
    auto const block = address();
    t.set(user_text::first_name, "Carolina");
    BOOST_TEST(address() == block);
    t.set(email, "carolina@example.org");
    BOOST_TEST(address() == block);
    BOOST_TEST(*t.get(user_text::first_name) == "Carolina");
    BOOST_TEST(*t.get(email) == "carolina@example.org");
    BOOST_TEST(*t.get(name) == "carol");
    BOOST_TEST(t.memberships().size() == 1u);
    BOOST_TEST(*copy.get(user_text::first_name) == "Caroline"); // a copy keeps its own
    BOOST_TEST(*copy.get(email) == "caroline@example.org");
    // Still canonical: equal to the block built from the same values.
    user_texts::values expected;
    expected[text_index(user_text::first_name)] = "Carolina";
    expected[text_index(email)] = "carolina@example.org";
    expected[text_index(name)] = "carol";
    BOOST_TEST((t == user_texts(expected, std::array{membership{7, true}})));
    // From a view into the block itself, overlapping or the same place.
    t.set(user_text::first_name, t.get(user_text::first_name));
    t.set(name, t.get(email)->substr(3, 5));
    BOOST_TEST(*t.get(name) == "olina");
    BOOST_TEST(*t.get(email) == "carolina@example.org");
}

BOOST_AUTO_TEST_CASE(texts_over_65535_bytes_take_wide_lengths)
{
    // Remarks: a long description would be pooled, leaving the block short.
    std::string const big(70'000, 'd');
    user_texts t;
    t.set(email, "a@example.org");
    t.set(remarks, big);
    t.set(name, "ann");
    BOOST_TEST(*t.get(remarks) == big);
    BOOST_TEST(*t.get(email) == "a@example.org");
    BOOST_TEST(*t.get(name) == "ann");
    auto copy = t;
    BOOST_TEST((copy == t));
    t.set(remarks, "short again");
    BOOST_TEST(*t.get(name) == "ann");
    BOOST_TEST(*t.get(remarks) == "short again");
}

BOOST_AUTO_TEST_CASE(lengths_take_one_two_or_four_bytes_as_the_longest_text_needs)
{
    // Each side of each width's limit, beside texts before and after it.
    for (std::size_t const size : {0u, 1u, 255u, 256u, 65'535u, 65'536u}) {
        std::string const text(size, 'r');
        user_texts t;
        t.set(email, "a@example.org");
        t.set(name, "ann");
        auto const before = t.bytes();
        t.set(remarks, text);
        BOOST_TEST(*t.get(remarks) == text);
        BOOST_TEST(*t.get(email) == "a@example.org");
        BOOST_TEST(*t.get(name) == "ann");
        // The texts, one length each: one byte, two past 255, four past 65,535.
        std::size_t const width = size > 65'535 ? 4 : size > 255 ? 2 : 1;
        BOOST_TEST(t.bytes() == 4 + 3 * width + 13 + 3 + size);
        // Back to short texts: the same block as one never widened.
        t.set(remarks, std::nullopt);
        BOOST_TEST(t.bytes() == before);
        user_texts::values v;
        v[text_index(email)] = "a@example.org";
        v[text_index(name)] = "ann";
        BOOST_TEST((t == user_texts(v)));
    }
}

BOOST_AUTO_TEST_CASE(a_user_reads_and_sets_them_by_name)
{
    user u;
    u.set_phone_number("+31850607337");
    u.set_user_name("ann");
    BOOST_TEST(*u.phone_number() == "+31850607337");
    BOOST_TEST(*u.user_name() == "ann");
    BOOST_TEST(!u.email_address());
    BOOST_TEST(!u.external_id());
    BOOST_TEST(!u.description());
    BOOST_TEST(!u.remarks());
    BOOST_TEST(!u.auth_organization_id());
}

// The names share the block: never absent to a reader, and an empty name
// is the same user as one never given, so equal users make equal blocks.
BOOST_AUTO_TEST_CASE(the_names_are_in_the_block_and_empty_is_none)
{
    user u;
    BOOST_TEST(u.first_name().empty());
    BOOST_TEST((u.texts == user_texts{}));
    u.set_first_name("Ann");
    u.set_last_name("Lee");
    u.set_email_address("ann@example.org");
    u.set_membership(4, true);
    BOOST_TEST(u.first_name() == "Ann");
    BOOST_TEST(u.last_name() == "Lee");
    u.set_last_name(u.first_name()); // a view into the block it replaces
    BOOST_TEST(u.last_name() == "Ann");
    u.set_first_name("");
    BOOST_TEST(u.first_name().empty());
    BOOST_TEST(*u.email_address() == "ann@example.org");
    BOOST_TEST(u.is_admin_of(4));

    user same;
    same.set_membership(4, true);
    same.set_email_address("ann@example.org");
    same.set_last_name("Ann");
    BOOST_TEST((same == u));
    u.set_last_name("");
    u.set_email_address(std::nullopt);
    u.remove_membership(4);
    BOOST_TEST((u.texts == user_texts{})); // nothing left: no block
}

// A description or an organization id longer than a pointer is kept once
// for every block that holds it, and goes with the last of them.
BOOST_AUTO_TEST_CASE(repeated_descriptions_and_organizations_are_kept_once)
{
    auto const before = user_texts::pooled_texts();
    {
        std::string const imported = "Imported from the old directory";
        std::string const org = "7f1c0a2e-4b7d-4c55-9d0e-2b8f3c1a9e11";
        user_texts a, b;
        a.set(description, "Imported from the old directory");
        b.set(description, imported);
        BOOST_TEST(user_texts::pooled_texts() == before + 1);
        BOOST_TEST(static_cast<void const*>(a.get(description)->data()) == b.get(description)->data());
        BOOST_TEST((a == b)); // one entry, one pointer: still canonical
        a.set(organization, org);
        a.set(email, "a@example.org");
        BOOST_TEST(user_texts::pooled_texts() == before + 2);
        BOOST_TEST((a != b));
        user_texts c = a;
        a = user_texts();
        b.set(description, std::nullopt);
        // c holds both alone now, and reads them whole, with the rest.
        BOOST_TEST(user_texts::pooled_texts() == before + 2);
        BOOST_TEST(*c.get(description) == imported);
        BOOST_TEST(*c.get(organization) == org);
        BOOST_TEST(*c.get(email) == "a@example.org");
        BOOST_TEST(*c.all()[text_index(organization)] == org);
        // Set from its own pooled text, and from another kind's.
        c.set(organization, c.get(description));
        BOOST_TEST(*c.get(organization) == imported);
        BOOST_TEST(user_texts::pooled_texts() == before + 1);
        c.set(remarks, c.get(description)); // remarks are not pooled
        BOOST_TEST(*c.get(remarks) == imported);
        BOOST_TEST(static_cast<void const*>(c.get(remarks)->data()) != c.get(description)->data());
    }
    BOOST_TEST(user_texts::pooled_texts() == before);
}

BOOST_AUTO_TEST_CASE(a_text_no_longer_than_a_pointer_stays_in_the_block)
{
    auto const before = user_texts::pooled_texts();
    user_texts t;
    t.set(description, "8 chars!");
    t.set(organization, "");
    BOOST_TEST(user_texts::pooled_texts() == before);
    t.set(description, "9 chars!!");
    BOOST_TEST(user_texts::pooled_texts() == before + 1);
    BOOST_TEST(*t.get(description) == "9 chars!!");
    BOOST_TEST(t.get(organization)->empty());
}

// Written over in place, a pooled text would change for every block
// that holds it.
BOOST_AUTO_TEST_CASE(a_pooled_text_is_never_written_over)
{
    user_texts a, b;
    a.set(description, "the same forty-two characters, more or le");
    b = a;
    a.set(description, "a changed forty-two characters, more or l");
    BOOST_TEST(*a.get(description) == "a changed forty-two characters, more or l");
    BOOST_TEST(*b.get(description) == "the same forty-two characters, more or le");
    // Still canonical after the change.
    user_texts fresh;
    fresh.set(description, "a changed forty-two characters, more or l");
    BOOST_TEST((a == fresh));
}

// Blocks are made, copied and freed on many threads at once (the
// loaders' decoders, the committer, the handlers): every entry is let go
// exactly once. Run under the sanitizers, a lost or early release shows.
BOOST_AUTO_TEST_CASE(blocks_on_many_threads_share_the_pool)
{
    auto const before = user_texts::pooled_texts();
    std::array<std::string, 4> const texts = {"Imported from the old directory", "Imported from the HR system",
                                              "7f1c0a2e-4b7d-4c55-9d0e-2b8f3c1a9e11", "contractor, north region"};
    std::vector<std::thread> threads;
    std::vector<int> wrong(4, 0);
    for (int t = 0; t < 4; ++t)
        threads.emplace_back([&, t] {
            std::vector<user_texts> kept(16);
            for (int i = 0; i < 20'000; ++i) {
                auto const& text = texts[static_cast<std::size_t>(i + t) % texts.size()];
                auto& slot = kept[static_cast<std::size_t>(i) % kept.size()];
                user_texts made;
                made.set(i % 2 ? description : organization, text);
                slot = made; // a copy, and the old one freed
                if (*slot.get(i % 2 ? description : organization) != text)
                    ++wrong[static_cast<std::size_t>(t)];
            }
        });
    for (auto& th : threads)
        th.join();
    BOOST_TEST(wrong == std::vector<int>(4, 0), boost::test_tools::per_element());
    BOOST_TEST(user_texts::pooled_texts() == before);
}
