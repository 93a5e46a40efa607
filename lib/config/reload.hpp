#pragma once
// What a reload (SIGHUP) changes: the options whose text differs between
// the configuration in use and the one read anew, split into those applied
// live and those that wait for a restart.

#include <map>
#include <string>
#include <vector>

namespace rosterd::config {

using option_texts = std::map<std::string, std::string>;

struct option_changes {
    std::vector<std::string> applied; // by name, in order
    std::vector<std::string> waiting; // changed, but kept until a restart
    // The texts now in use: the new ones, except the waiting options'
    // (still the old), so that a later reload names them again.
    option_texts in_use;
};

// The options SIGHUP applies: log level and format, the TLS files (read
// anew on every reload, changed or not: a renewed certificate keeps its
// file name), limits and timeouts.
bool applies_live(std::string const& option);

option_changes compare(option_texts const& in_use, option_texts next);

// "a, b, c"
std::string joined(std::vector<std::string> const& names);

} // namespace rosterd::config
