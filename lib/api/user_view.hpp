#pragma once
// How records look to clients (docs/api.md).

#include "store/directory.hpp"

#include <boost/json/object.hpp>

namespace rosterd::api {

// Every settable field, plus id, phoneNumberVerified, emailAddressVerified,
// userGroups ([{"id":1,"admin":true}]), removeAt, created, updated. Built
// in `sp`'s memory: a view lives only until it is serialized, so callers
// pass a monotonic_resource and skip an allocation per field.
boost::json::object user_view(store::user const& u, boost::json::storage_ptr sp = {});

// A window on a list: skip `offset` items, show at most `limit`.
struct page_window {
    std::size_t offset = 0;
    std::size_t limit = 0;
};

// name, clientId, created, memberCount and adminCount, and the ids of its
// members and of its admins, each list cut to `lists` (ordered by id).
boost::json::object group_view(store::group const& g, store::directory const& dir, page_window lists);

} // namespace rosterd::api
