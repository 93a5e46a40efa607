#include "cli/commands.hpp"

#include "cli/http_client.hpp"
#include "cli/table.hpp"
#include "config/secrets.hpp"

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <boost/program_options.hpp>
#include <boost/url/encode.hpp>
#include <boost/url/rfc/unreserved_chars.hpp>

#include <map>
#include <ostream>

namespace rosterd::cli {

namespace po = boost::program_options;
namespace json = boost::json;
using bhttp_verb = boost::beast::http::verb;

namespace {

// A command line the user must fix: exit_refused, and the usage.
struct usage_error : std::runtime_error {
    using std::runtime_error::runtime_error;
};

constexpr std::string_view usage_text =
    "Usage: rosterd user  list [-q TEXT] [--limit N] [--offset N] | show ID | add [FIELD=VALUE...] [--group ID [--admin]]\n"
    "                     | set ID FIELD=VALUE... | rm ID\n"
    "       rosterd group list | show ID | add name=NAME [FIELD=VALUE...] | rm ID\n"
    "       rosterd token list USER | add USER [description=TEXT] [expiresIn:=SECONDS] | rm ID\n"
    "       rosterd audit list [--user ID] [--actor ID] [--since TIME] [--until TIME] [--limit N]\n"
    "FIELD=VALUE sends VALUE as a JSON string; FIELD:=VALUE sends it as JSON (a number, true, null, ...).\n"
    "Options: --url URL (ROSTERD_URL, default http://127.0.0.1:8080), --token-file FILE (ROSTERD_TOKEN_FILE),\n"
    "         --ca-file FILE (ROSTERD_CA_FILE, for https), --json (the server's JSON as it came), -h/--help\n";

struct resource {
    std::string_view name;
    std::string_view collection; // "/user"
    std::vector<std::string_view> verbs;
    std::vector<column> columns;
};

std::vector<resource> const& resources()
{
    static std::vector<resource> const all{
        {"user",
         "/user",
         {"list", "show", "add", "set", "rm"},
         {{"ID", "id"},
          {"USERNAME", "userName"},
          {"FIRST", "firstName"},
          {"LAST", "lastName"},
          {"EMAIL", "emailAddress"},
          {"SUPER", "superUser"},
          {"ACTIVE", "active"}}},
        {"group",
         "/usergroup",
         {"list", "show", "add", "rm"},
         {{"ID", "id"}, {"NAME", "name"}, {"CLIENT", "clientId"}, {"MEMBERS", "memberCount"}, {"ADMINS", "adminCount"}}},
        {"token",
         "/token",
         {"list", "add", "rm"},
         {{"ID", "id"}, {"DESCRIPTION", "description"}, {"CREATED", "created"}, {"EXPIRES", "expires"},
          {"LAST USED", "lastUsed"}}},
        {"audit",
         "/audit",
         {"list"},
         {{"ID", "id"},
          {"AT", "at"},
          {"ACTION", "action"},
          {"BY", "actor.userId"},
          {"USER", "userId"},
          {"GROUP", "userGroupId"},
          {"TOKEN", "tokenId"},
          {"FIELDS", "fields"}}},
    };
    return all;
}

resource const* find_resource(std::string_view name)
{
    for (auto const& r : resources())
        if (r.name == name)
            return &r;
    return nullptr;
}

std::string env_or(std::vector<std::string> const& environment, std::string_view name, std::string fallback)
{
    for (auto const& e : environment)
        if (e.size() > name.size() && e.starts_with(name) && e[name.size()] == '=')
            return e.substr(name.size() + 1);
    return fallback;
}

std::string read_token(std::string const& path)
{
    try {
        return config::read_secret_file(path);
    } catch (std::runtime_error const& e) {
        throw std::invalid_argument(std::string("the token file: ") + e.what());
    }
}

// A positive decimal id, as the API writes it.
std::string id_of(std::vector<std::string> const& words, std::size_t at, std::string_view what)
{
    if (words.size() <= at)
        throw usage_error("name the " + std::string(what) + "'s id");
    auto const& w = words[at];
    if (w.empty() || w.size() > 19 || w.front() == '0' || w.find_first_not_of("0123456789") != std::string::npos)
        throw usage_error("'" + w + "' is not an id: ids are whole numbers from 1");
    return w;
}

// FIELD=TEXT and FIELD:=JSON words, from `from` on, as one JSON object.
std::string body_of(std::vector<std::string> const& words, std::size_t from)
{
    json::object body;
    for (std::size_t i = from; i < words.size(); ++i) {
        auto const& w = words[i];
        auto const eq = w.find('=');
        if (eq == std::string::npos || eq == 0 || (eq == 1 && w[0] == ':'))
            throw usage_error("'" + w + "' is not FIELD=VALUE or FIELD:=JSON");
        bool const raw = w[eq - 1] == ':';
        auto const key = w.substr(0, raw ? eq - 1 : eq);
        if (!raw) {
            body[key] = w.substr(eq + 1);
            continue;
        }
        boost::system::error_code ec;
        auto value = json::parse(w.substr(eq + 1), ec);
        if (ec)
            throw usage_error(key + ":= takes JSON (a number, true, false, null, \"text\", [...]); '" +
                              w.substr(eq + 1) + "' is not");
        body[key] = std::move(value);
    }
    return json::serialize(body);
}

std::string query_of(std::vector<std::pair<std::string, std::string>> const& params)
{
    std::string q;
    for (auto const& [key, value] : params) {
        q += q.empty() ? "?" : "&";
        q += key + "=" + boost::urls::encode(value, boost::urls::unreserved_chars);
    }
    return q;
}

int status_exit(unsigned status)
{
    if (status < 400)
        return exit_done;
    if (status == 404)
        return exit_not_found;
    if (status == 401 || status == 403)
        return exit_not_allowed;
    if (status == 409 || status == 412)
        return exit_conflict;
    return status < 500 ? exit_refused : exit_unreachable;
}

// The server's problem detail, as one line: "404 Not Found: user 9 not found".
std::string problem_line(answer const& a)
{
    boost::system::error_code ec;
    auto const v = json::parse(a.body, ec);
    auto const* o = ec ? nullptr : v.if_object();
    std::string line = std::to_string(a.status);
    if (o && o->contains("title"))
        line += " " + cell(o->at("title"));
    if (o && o->contains("detail"))
        line += ": " + cell(o->at("detail"));
    return line;
}

struct request {
    bhttp_verb method = bhttp_verb::get;
    std::string target;
    std::optional<std::string> body;
    enum class shows { table, record, created, done } show = shows::table;
    std::string done_text; // for created and done: "user {id} added"
};

// What the words ask of the API.
request plan(resource const& r, std::string const& verb, std::vector<std::string> const& words,
             po::variables_map const& vm)
{
    using shows = request::shows;
    auto const collection = std::string(r.collection);
    auto const noun = std::string(r.name);
    auto const extra_after = [&](std::size_t n) {
        if (words.size() > n)
            throw usage_error("unexpected '" + words[n] + "'");
    };
    if (r.name == "token" && verb == "list") {
        auto const user = id_of(words, 2, "user");
        extra_after(3);
        return {bhttp_verb::get, "/user/" + user + "/token", {}, shows::table, {}};
    }
    if (r.name == "token" && verb == "add") {
        auto const user = id_of(words, 2, "user");
        return {bhttp_verb::post, "/user/" + user + "/token", body_of(words, 3), shows::created, {}};
    }
    if (verb == "list") {
        extra_after(2);
        std::vector<std::pair<std::string, std::string>> params;
        for (auto const& [option, key] : std::map<std::string, std::string>{
                 {"query", "q"}, {"limit", "limit"}, {"offset", "offset"}, {"user", "userId"}, {"actor", "actor"},
                 {"since", "since"}, {"until", "until"}})
            if (vm.count(option))
                params.emplace_back(key, vm[option].as<std::string>());
        return {bhttp_verb::get, collection + query_of(params), {}, shows::table, {}};
    }
    if (verb == "show") {
        auto const id = id_of(words, 2, noun);
        extra_after(3);
        return {bhttp_verb::get, collection + "/" + id, {}, shows::record, {}};
    }
    if (verb == "add") {
        std::vector<std::pair<std::string, std::string>> params;
        if (vm.count("group"))
            params.emplace_back("userGroupId", vm["group"].as<std::string>());
        if (vm.count("admin"))
            params.emplace_back("groupAdmin", "true");
        return {bhttp_verb::post, collection + query_of(params), body_of(words, 2), shows::created,
                noun + " {id} added"};
    }
    if (verb == "set") {
        auto const id = id_of(words, 2, noun);
        if (words.size() < 4)
            throw usage_error("name what to change: FIELD=VALUE ...");
        return {bhttp_verb::put, collection + "/" + id, body_of(words, 3), shows::done, noun + " " + id + " changed"};
    }
    auto const id = id_of(words, 2, noun); // rm
    extra_after(3);
    return {bhttp_verb::delete_, collection + "/" + id, {}, shows::done, noun + " " + id + " removed"};
}

void show(request const& req, resource const& r, answer const& a, std::ostream& out)
{
    boost::system::error_code ec;
    auto const v = json::parse(a.body, ec);
    using shows = request::shows;
    if (req.show == shows::table) {
        out << table(v, r.columns);
    } else if (req.show == shows::record) {
        out << record(v);
    } else if (r.name == "token" && req.show == shows::created && v.is_object() && v.as_object().contains("token")) {
        out << "token " << cell(v.at("id")) << ": " << cell(v.at("token"))
            << "\n(the secret is shown this once: keep it now)\n";
    } else {
        auto text = req.done_text;
        if (auto const at = text.find("{id}"); at != std::string::npos)
            text.replace(at, 4, cell(ec ? json::value(json::string(a.body)) : v));
        out << text << "\n";
    }
}

} // namespace

bool is_command(std::string_view word) { return find_resource(word) != nullptr; }

int main(std::vector<std::string> const& args, std::vector<std::string> const& environment, std::ostream& out,
         std::ostream& err)
{
    po::options_description desc;
    desc.add_options()("help,h", "")("json", "")("admin", "")("url", po::value<std::string>())(
        "token-file", po::value<std::string>())("ca-file", po::value<std::string>())(
        "query,q", po::value<std::string>())("limit", po::value<std::string>())("offset", po::value<std::string>())(
        "user", po::value<std::string>())("actor", po::value<std::string>())("since", po::value<std::string>())(
        "until", po::value<std::string>())("group", po::value<std::string>())("words", po::value<std::vector<std::string>>());
    po::positional_options_description positional;
    positional.add("words", -1);
    try {
        po::variables_map vm;
        std::vector<std::string> tail(args.begin(), args.end());
        po::store(po::command_line_parser(tail).options(desc).positional(positional).run(), vm);
        if (vm.count("help")) {
            out << usage_text;
            return exit_done;
        }
        auto const words = vm.count("words") ? vm["words"].as<std::vector<std::string>>() : std::vector<std::string>{};
        auto const* r = words.empty() ? nullptr : find_resource(words[0]);
        if (!r)
            throw usage_error("unknown command");
        if (words.size() < 2)
            throw usage_error("name what to do with " + std::string(r->name) + "s");
        auto const& verb = words[1];
        if (std::find(r->verbs.begin(), r->verbs.end(), verb) == r->verbs.end()) {
            std::string known;
            for (auto const v : r->verbs)
                known.append(known.empty() ? "" : ", ").append(v);
            throw usage_error("'" + std::string(r->name) + " " + verb + "' is not a command; " +
                              std::string(r->name) + " takes " + known);
        }
        auto const req = plan(*r, verb, words, vm);

        endpoint to;
        to.url = vm.count("url") ? vm["url"].as<std::string>() : env_or(environment, "ROSTERD_URL", "http://127.0.0.1:8080");
        auto const token_file = vm.count("token-file") ? vm["token-file"].as<std::string>()
                                                       : env_or(environment, "ROSTERD_TOKEN_FILE", "");
        if (token_file.empty())
            throw std::invalid_argument("name the file holding your token: --token-file FILE or ROSTERD_TOKEN_FILE "
                              "(a token is never an argument: ps would show it)");
        to.token = read_token(token_file);
        if (auto ca = vm.count("ca-file") ? vm["ca-file"].as<std::string>() : env_or(environment, "ROSTERD_CA_FILE", "");
            !ca.empty())
            to.ca_file = ca;

        auto const a = call(to, req.method, req.target, req.body);
        if (a.status >= 400) {
            err << "rosterd: " << problem_line(a) << "\n";
            return status_exit(a.status);
        }
        if (vm.count("json"))
            out << a.body << "\n";
        else
            show(req, *r, a, out);
        return exit_done;
    } catch (usage_error const& e) {
        err << "rosterd: " << e.what() << "\n" << usage_text;
        return exit_refused;
    } catch (po::error const& e) {
        err << "rosterd: " << e.what() << "\n" << usage_text;
        return exit_refused;
    } catch (std::invalid_argument const& e) {
        err << "rosterd: " << e.what() << "\n";
        return exit_refused;
    } catch (unreachable const& e) {
        err << "rosterd: " << e.what() << "\n";
        return exit_unreachable;
    } catch (std::exception const& e) {
        err << "rosterd: " << e.what() << "\n";
        return exit_unreachable;
    }
}

} // namespace rosterd::cli
