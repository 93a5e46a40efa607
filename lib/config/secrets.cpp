#include "config/secrets.hpp"

#include <filesystem>
#include <fstream>
#include <stdexcept>

namespace rosterd::config {

namespace {

std::string problem(std::string_view option, std::string_view why)
{
    return "--" + std::string(option) + ": " + std::string(why);
}

constexpr std::size_t max_secret_bytes = 64 * 1024;

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

std::string read_secret_file(std::string const& path)
{
    std::error_code ec;
    auto const type = std::filesystem::status(path, ec).type();
    if (type == std::filesystem::file_type::not_found || type == std::filesystem::file_type::none)
        throw std::runtime_error("cannot read " + path);
    if (type != std::filesystem::file_type::regular)
        throw std::runtime_error(path + " is not a regular file");
    std::ifstream file(path, std::ios::binary);
    std::string text(max_secret_bytes + 1, '\0');
    file.read(text.data(), static_cast<std::streamsize>(text.size()));
    if (file.bad() || (!file && !file.eof()))
        throw std::runtime_error("cannot read " + path);
    text.resize(static_cast<std::size_t>(file.gcount()));
    if (text.size() > max_secret_bytes)
        throw std::runtime_error(path + " is larger than 64 KiB: no secret is");
    if (text.ends_with('\n'))
        text.pop_back();
    if (text.ends_with('\r'))
        text.pop_back();
    if (text.empty())
        throw std::runtime_error(path + " is empty");
    return text;
}

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
    try {
        return read_secret_file(*file);
    } catch (std::runtime_error const& e) {
        problems.push_back(problem(file_option, e.what()));
        return std::nullopt;
    }
}

} // namespace rosterd::config
