#pragma once
// A user's texts and memberships in one pointer: null when there are none,
// else one heap block. The texts are the first and last names and seven
// optional ones, of which most users have one to three (an e-mail
// address, a phone number). As separate fields the names took 32 bytes
// of the record, the seven optional texts 56 and a malloc chunk each, and
// the memberships a block of their own (its header and malloc's, and its
// rounding: about 28 bytes a user with the pointer).
//
// The block: the flags (two bytes: bit i, text i is present; bits 9 and
// 10, the description and the authOrganizationId are pooled; bit 11, the
// memberships are eight bytes, else packed in four; bit 12, lengths are
// one byte; bit 15, four; else two; bit 13, the number of memberships is
// four bytes, else two); the number of memberships; the memberships; the
// lengths of the present texts in order; then their characters in order.
// The smallest layout that holds the contents is the one used, so the
// block is canonical: equal contents make equal blocks.
//
// Repeated texts are kept once (interned): a description or an
// authOrganizationId longer than a pointer is stored in a process-wide
// pool, counted by the blocks that hold it, and the block holds the
// pointer where the characters would be (its length slot says 8). An
// identity provider gives thousands of users the same organization id,
// an import the same description; the pool keeps each once, and a text
// is freed with the last block that holds it. Equal texts are one entry,
// so the block stays canonical.
//
// get() and memberships() answer views into the block (or the pool):
// copy them to keep them past a change.

#include "store/membership.hpp"

#include <array>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <optional>
#include <string_view>
#include <utility>

namespace rosterd::store {

enum class user_text : std::uint8_t {
    // First, so that reading them sums no other lengths: every view of a
    // user shows them. Never absent to a reader (user::first_name()): an
    // empty name is stored as absent, so that both are one block.
    first_name,
    last_name,
    phone_number,
    email_address,
    external_id,
    description,
    remarks,
    auth_organization_id,
    user_name,
};
inline constexpr std::size_t user_text_count = 9;
// Where text `t` sits in a user_texts::values.
constexpr std::size_t text_index(user_text t) { return static_cast<std::size_t>(t); }

class user_texts {
public:
    using value = std::optional<std::string_view>;
    using values = std::array<value, user_text_count>;

    user_texts() noexcept = default;
    // All at once, in one allocation: how a decoder builds a user.
    // `groups` sorted by group id, at most one a group.
    explicit user_texts(values const& all, membership_view groups = {});
    user_texts(user_texts const& other);
    user_texts(user_texts&& other) noexcept : block_(std::exchange(other.block_, nullptr)) {}
    user_texts& operator=(user_texts other) noexcept
    {
        std::swap(block_, other.block_);
        return *this;
    }
    // Inline: copies of a user are destroyed on every write.
    ~user_texts()
    {
        if (!block_)
            return;
        if (holds_pooled())
            release_pooled();
        std::free(block_);
    }

    value get(user_text t) const noexcept;
    values all() const noexcept;
    membership_view memberships() const noexcept;
    // Rebuild the block; `v` and `groups` may be views into it.
    void set(user_text t, value v);
    void set_memberships(membership_view groups);

    friend bool operator==(user_texts const& a, user_texts const& b) noexcept;

    // The bytes of the block (none without one), malloc's own not counted.
    std::size_t bytes() const noexcept { return block_ ? block_size() : 0; }

    // How many distinct texts the pool holds (every block's, in the process).
    static std::size_t pooled_texts();

    // Where the block's two bytes of flags are, and their bits that say a
    // text is pooled.
    static constexpr std::size_t flags_at = 0;
    static constexpr unsigned pooled_flags = 0x0600;

private:
    std::size_t block_size() const noexcept;
    bool holds_pooled() const noexcept
    {
        std::uint16_t flags;
        std::memcpy(&flags, block_ + flags_at, sizeof flags);
        return flags & pooled_flags;
    }
    // Lets go of the block's pooled texts (before it is freed).
    void release_pooled() noexcept;
    unsigned char* block_ = nullptr;
};

} // namespace rosterd::store
