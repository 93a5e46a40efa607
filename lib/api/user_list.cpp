// GET /user: the users the caller may see, filtered, searched (q) and paged.
#include "api/handlers.hpp"

#include "api/paging.hpp"
#include "api/user_view.hpp"
#include "auth/rights.hpp"

#include <boost/json/array.hpp>
#include <boost/json/monotonic_resource.hpp>
#include <boost/json/serialize.hpp>

#include <algorithm>

namespace rosterd::api {

namespace {

// A search longer than any text it could be found in is a mistake.
constexpr std::size_t max_query = 256;
// total=true counts at most this many matches: past it the count is left
// out, as GitLab leaves out its X-Total past 10,000. A count of 900,000
// matches would cost more than the search itself; a list so long is
// searched further, not paged to its end.
constexpr std::size_t max_counted = 10'000;

// Whether `u` passes the list filters of GET /user but q.
bool matches(store::user const& u, list_query const& q)
{
    if (auto v = q.filter("clientId"); v && (!u.client_id || parse_id(*v) != u.client_id))
        return false;
    if (auto v = q.filter("externalId"); v && u.external_id() != *v)
        return false;
    if (auto v = q.filter("emailAddress"); v && u.email_address() != *v)
        return false;
    return true;
}

// The folded search (empty: none), or a 400.
std::optional<http::response> parse_search(list_query const& q, std::string& folded)
{
    auto const v = q.filter("q");
    if (!v)
        return std::nullopt;
    if (v->size() > max_query)
        return bad_request("q: at most " + std::to_string(max_query) + " bytes");
    if (std::any_of(v->begin(), v->end(), [](char c) { return static_cast<unsigned char>(c) < 0x20; }))
        return bad_request("q: control characters are not searched for");
    folded = store::search_index::fold(*v);
    return std::nullopt;
}

} // namespace

http::response list_users(context& ctx)
{
    list_query q;
    if (auto malformed = parse_list_query(
            ctx.query, {"clientId", "userGroupId", "externalId", "emailAddress", "q", "total"}, q))
        return *malformed;
    std::optional<store::record_id> group;
    if (auto v = q.filter("userGroupId")) {
        group = parse_id(*v);
        if (!group)
            return bad_request("userGroupId: must be a positive integer");
    }
    if (auto v = q.filter("clientId"); v && !parse_id(*v))
        return bad_request("clientId: must be a positive integer");
    bool const want_total = q.filter("total") == "true";
    if (auto v = q.filter("total"); v && *v != "true" && *v != "false")
        return bad_request("total: must be true or false");
    std::string search;
    if (auto malformed = parse_search(q, search))
        return *malformed;

    auto const* me = ctx.me;
    // A superuser's unfiltered list: its total is the directory's size, and
    // no walk to the end is needed to count.
    bool const total_is_size = want_total && me->super_user && q.filters.size() == 1;
    bool const counting = want_total && !total_is_size;
    boost::json::monotonic_resource memory; // freed at once, with the page
    boost::json::array page(&memory);
    std::size_t seen = 0;
    // Whether to go on after a match: until the page is full, or for a
    // total until one past max_counted.
    auto more_wanted = [&] { return page.size() < q.limit || (counting && seen <= max_counted); };
    // A large directory is not walked to its end for one page.
    auto take = [&](store::user const& u) {
        if (on_page(q, seen++))
            page.push_back(user_view(u, &memory));
        return more_wanted();
    };
    auto consider = [&](store::user const& u) {
        if (auth::access_to(*me, u) == auth::access::none || !matches(u, q)
            || (!search.empty() && !ctx.dir.search().contains(u.id, search)))
            return true;
        return take(u);
    };
    // A walk pauses every few thousand users (pause_read), so that writers
    // wait for one stretch of it, not the whole; it then resumes after the
    // last id it saw, in the directory as it is by then.
    std::size_t walked = 0;
    auto time_to_pause = [&] { return ++walked % records_between_pauses == 0; };
    // An identity provider's lookup: a few users, from an index.
    std::optional<std::vector<store::record_id>> indexed;
    if (auto v = q.filter("externalId"))
        indexed = ctx.dir.users_with_external_id(*v);
    else if (auto v = q.filter("emailAddress"))
        indexed = ctx.dir.users_with_address(*v);
    if (q.limit == 0 && !counting) {
        // Nothing to find.
    } else if (indexed) {
        for (auto const id : *indexed) {
            auto const& u = *ctx.dir.find_user(id);
            if ((!group || u.membership_of(*group)) && !consider(u))
                break;
        }
    } else if (group) {
        auto const* members = &ctx.dir.members_of(*group);
        for (auto it = members->begin(); it != members->end();) {
            if (!consider(*ctx.dir.find_user(*it)))
                break;
            auto const last = *it++;
            if (!time_to_pause())
                continue;
            if (!pause_read(ctx))
                return unauthorized();
            me = ctx.me;
            members = &ctx.dir.members_of(*group);
            it = std::upper_bound(members->begin(), members->end(), last);
        }
    } else if (!search.empty()) {
        // A search: the index's scan finds the users worth a look. A
        // superuser's matches need no more checks: the users beyond the
        // page are counted, never looked up.
        bool const everyone = !q.filter("clientId");
        auto const match = [&](store::record_id id) {
            if (everyone && me->super_user) {
                if (!on_page(q, seen)) {
                    ++seen;
                    return more_wanted();
                }
                return take(*ctx.dir.find_user(id));
            }
            auto const& u = *ctx.dir.find_user(id);
            return auth::access_to(*me, u) == auth::access::none || !matches(u, q) || take(u);
        };
        for (auto from = ctx.dir.search().next_from(1); from != 0;) {
            auto const to = from + records_between_pauses;
            if (!ctx.dir.search().for_each_match(from, to, search, match))
                break;
            if (!pause_read(ctx))
                return unauthorized();
            me = ctx.me;
            from = ctx.dir.search().next_from(to);
        }
    } else {
        auto const& users = ctx.dir.users();
        for (auto it = users.begin(); it != users.end();) {
            if (!consider(*it))
                break;
            auto const last = (it++)->id;
            if (!time_to_pause())
                continue;
            if (!pause_read(ctx))
                return unauthorized();
            me = ctx.me;
            it = users.upper_bound(last);
        }
    }
    auto res = http::json(http::status::ok, boost::json::serialize(page));
    if (total_is_size)
        res.headers = "X-Total-Count: " + std::to_string(ctx.dir.users().size()) + "\r\n";
    else if (counting && seen <= max_counted)
        res.headers = "X-Total-Count: " + std::to_string(seen) + "\r\n";
    return res;
}

} // namespace rosterd::api
