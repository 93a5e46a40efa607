#include "store/search_index.hpp"

#include "store/user_name.hpp"

#include <algorithm>
#include <cstring>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

namespace rosterd::store {

namespace {

// The texts a search looks in, in their order in an entry.
constexpr std::array searched = {user_text::first_name, user_text::last_name, user_text::email_address,
                                 user_text::user_name};

void append_entry(std::string& entry, user const& u)
{
    auto const texts = u.texts.all(); // the block read once, not once a text
    // Nearly every text is ASCII, whose fold() is its lower case: the
    // entry is made in place, in one step.
    auto const at = entry.size();
    std::size_t size = 0;
    for (auto t : searched)
        size += texts[text_index(t)].value_or(std::string_view()).size() + 1;
    entry.resize(at + size);
    auto* out = entry.data() + at;
    bool ascii = true;
    for (auto t : searched) {
        auto const text = texts[text_index(t)].value_or(std::string_view());
        ascii = ascii_lower_into(out, text) && ascii;
        out += text.size();
        *out++ = search_index::separator;
    }
    if (ascii)
        return;
    entry.resize(at);
    for (auto t : searched) {
        if (auto const text = texts[text_index(t)])
            entry.append(search_index::fold(*text));
        entry.push_back(search_index::separator);
    }
}

} // namespace

std::string search_index::fold(std::string_view utf8) { return name_key(utf8); }

std::string search_index::entry_of(user const& u)
{
    std::string entry;
    append_entry(entry, u);
    return entry;
}

bool search_index::same_texts(user const& a, user const& b)
{
    // Each block read once, not once per text.
    auto const x = a.texts.all(), y = b.texts.all();
    for (auto t : searched)
        if (x[text_index(t)] != y[text_index(t)])
            return false;
    return true;
}

void search_index::put(user const& u) { replace(u.id, entry_of(u)); }

void search_index::erase(record_id id)
{
    if (chunks_.count(id / ids_per_chunk))
        replace(id, {});
}

void search_index::replace(record_id id, std::string_view entry)
{
    auto& c = chunks_[id / ids_per_chunk];
    auto const i = static_cast<std::size_t>(id % ids_per_chunk);
    auto const start = start_of(c, i);
    auto const old_size = c.ends[i] - start;
    c.text.replace(start, old_size, entry);
    // A chunk fills in id order as a directory loads: once its last id is
    // in, give back what growing it left spare.
    if (i == ids_per_chunk - 1)
        c.text.shrink_to_fit();
    auto const delta = static_cast<std::int64_t>(entry.size()) - static_cast<std::int64_t>(old_size);
    for (auto j = i; j < ids_per_chunk; ++j)
        c.ends[j] = static_cast<std::uint32_t>(c.ends[j] + delta);
}

void search_index::builder::put(user const& u)
{
    auto const key = u.id / ids_per_chunk;
    auto const i = static_cast<std::size_t>(u.id % ids_per_chunk);
    if (!open_ || key != key_ || i < next_) {
        close();
        if (index_.chunks_.count(key)) { // out of order
            index_.put(u);
            return;
        }
        open_ = true;
        key_ = key;
        next_ = 0;
    }
    std::fill(ends_.begin() + static_cast<std::ptrdiff_t>(next_), ends_.begin() + static_cast<std::ptrdiff_t>(i),
              static_cast<std::uint32_t>(text_.size()));
    append_entry(text_, u);
    ends_[i] = static_cast<std::uint32_t>(text_.size());
    next_ = i + 1;
}

void search_index::builder::erase(record_id id)
{
    close();
    index_.erase(id);
}

void search_index::builder::close()
{
    if (!open_)
        return;
    std::fill(ends_.begin() + static_cast<std::ptrdiff_t>(next_), ends_.end(),
              static_cast<std::uint32_t>(text_.size()));
    index_.chunks_.emplace_hint(index_.chunks_.end(), key_, chunk{text_, ends_});
    text_.clear();
    open_ = false;
}

search_index search_index::builder::finish() &&
{
    close();
    return std::move(index_);
}

bool search_index::contains(record_id id, std::string_view folded) const
{
    auto const found = chunks_.find(id / ids_per_chunk);
    if (found == chunks_.end())
        return false;
    auto const& c = found->second;
    auto const i = static_cast<std::size_t>(id % ids_per_chunk);
    auto const start = start_of(c, i);
    return std::string_view(c.text).substr(start, c.ends[i] - start).find(folded) != std::string_view::npos;
}

// A query of two or more bytes is looked for sixteen places at a time by
// its first and last byte (SSE2, on every x86-64), then checked whole where
// both agree; one byte is the same with its first and last byte alike. The
// scan is bound by memory, so it never restarts: after a match it goes on in
// the same block, past the match's entry.
void search_index::scan(chunk const& c, std::uint32_t at, std::uint32_t stop, std::string_view folded, hit_fn on_hit,
                        void* context)
{
    auto const* const text = c.text.data();
    auto const k = static_cast<std::uint32_t>(folded.size());
    std::uint32_t i = at;
#if defined(__SSE2__)
    auto const first = _mm_set1_epi8(folded[0]);
    auto const last = _mm_set1_epi8(folded[k - 1]);
    constexpr std::uint32_t block = 16;
    while (i + k - 1 + block <= stop) {
        auto const a = _mm_loadu_si128(reinterpret_cast<__m128i const*>(text + i));
        auto const b = _mm_loadu_si128(reinterpret_cast<__m128i const*>(text + i + k - 1));
        auto mask = static_cast<unsigned>(_mm_movemask_epi8(_mm_and_si128(_mm_cmpeq_epi8(a, first),
                                                                          _mm_cmpeq_epi8(b, last))));
        auto next_block = i + block;
        while (mask) {
            auto const hit = i + static_cast<std::uint32_t>(__builtin_ctz(mask));
            mask &= mask - 1;
            if (k > 2 && std::memcmp(text + hit + 1, folded.data() + 1, k - 2) != 0)
                continue;
            auto const next = on_hit(context, hit);
            if (next >= stop)
                return;
            if (next >= i + block) {
                next_block = next;
                break;
            }
            mask &= ~((1u << (next - i)) - 1); // the rest of this entry
        }
        i = next_block;
    }
#endif
    while (i + k <= stop) {
        auto const* hit = static_cast<char const*>(::memmem(text + i, stop - i, folded.data(), k));
        if (!hit)
            return;
        auto const next = on_hit(context, static_cast<std::uint32_t>(hit - text));
        if (next >= stop)
            return;
        i = next;
    }
}

} // namespace rosterd::store
