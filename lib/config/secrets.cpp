#include "config/secrets.hpp"

#include <filesystem>
#include <fstream>
#include <sstream>

namespace rosterd::config {

namespace {

std::string problem(std::string_view option, std::string_view why)
{
    return "--" + std::string(option) + ": " + std::string(why);
}

// A secret's value from a file: the whole file, less one final line break.
std::string read_secret(std::string const& path, std::string_view option, std::vector<std::string>& problems)
{
    std::ifstream file(path, std::ios::binary);
    std::ostringstream bytes;
    if (!(file && bytes << file.rdbuf())) {
        problems.push_back(problem(option, "cannot read " + path));
        return {};
    }
    auto text = bytes.str();
    if (text.ends_with('\n'))
        text.pop_back();
    if (text.ends_with('\r'))
        text.pop_back();
    if (text.empty())
        problems.push_back(problem(option, path + " is empty"));
    return text;
}

// A warning when others may read the file at `path`, which `option` named.
std::optional<std::string> exposure_of(std::string const& path, std::string_view option)
{
    std::error_code ec;
    auto const perms = std::filesystem::status(path, ec).permissions();
    if (ec || (perms & std::filesystem::perms::others_read) == std::filesystem::perms::none)
        return std::nullopt;
    return "--" + std::string(option) + ": " + path + " is readable by every user of this machine; make it 0600 or 0640";
}

} // namespace

std::optional<std::string> credential(std::vector<std::string> const& environment, std::string_view name)
{
    constexpr std::string_view var = "CREDENTIALS_DIRECTORY=";
    for (auto const& entry : environment)
        if (entry.starts_with(var) && entry.size() > var.size()) {
            auto path = entry.substr(var.size()) + "/" + std::string(name);
            std::error_code ec;
            if (std::filesystem::is_regular_file(path, ec))
                return path;
        }
    return std::nullopt;
}



std::optional<std::string> secret_value(std::string const& name, std::optional<std::string> given,
                                        std::optional<std::string> file, std::vector<std::string> const& environment,
                                        std::vector<std::string>& problems, std::vector<std::string>& warnings)
{
    auto const file_option = name + "-file";
    if (given && file) {
        problems.push_back(problem(file_option, "give --" + name + " or --" + file_option + ", not both"));
        return std::nullopt;
    }
    if (given)
        return given;
    if (!file)
        file = credential(environment, name);
    if (!file)
        return std::nullopt;
    if (auto const warning = exposure_of(*file, file_option))
        warnings.push_back(*warning);
    auto text = read_secret(*file, file_option, problems);
    if (text.empty())
        return std::nullopt;
    return text;
}

} // namespace rosterd::config
