// `rosterd ...`: the command line's word decides what runs: the server, a
// command on a stopped server's data directory, or a client of a running one.
#include "server/server.hpp"

#include "cli/commands.hpp"
#include "log/log.hpp"
#include "server/data_commands.hpp"

#include <algorithm>
#include <iostream>

namespace rosterd::server {

int main(int argc, char const* const* argv, std::vector<std::string> const& environment)
{
    // `rosterd user|group|token|audit ...`: a client of a running server.
    if (argc > 1 && cli::is_command(argv[1]))
        return cli::main(std::vector<std::string>(argv + 1, argv + argc), environment, std::cout, std::cerr);
    config::parsed cli;
    try {
        cli = config::parse(argc, argv, environment);
    } catch (config::option_error const& e) {
        // A start stops at one line; --check-config lists every problem.
        bool const checking = std::find(argv, argv + argc, std::string_view("--check-config")) != argv + argc;
        for (auto const& line : e.problems) {
            std::cerr << "rosterd: " << line << "\n";
            if (!checking)
                break;
        }
        return exit_bad_input;
    }
    log::set_level(cli.opts.log_level);
    log::set_format(cli.opts.log_format);
    switch (cli.what) {
    case config::action::check_config:
        for (auto const& warning : cli.warnings)
            std::cerr << "rosterd: warning: " << warning << "\n";
        std::cout << "rosterd: configuration is valid\n";
        return exit_ok;
    case config::action::help:
        std::cout << cli.help_text;
        return exit_ok;
    case config::action::version:
        std::cout << "rosterd " << ROSTERD_VERSION << "\n";
        return exit_ok;
    case config::action::recover:
        return recover(cli.opts);
    case config::action::restore:
        return restore(cli.opts);
    case config::action::import_store:
        return import_store(cli.opts);
    case config::action::export_store:
        return export_store(cli.opts);
    case config::action::serve:
        break;
    }
    for (auto const& warning : cli.warnings)
        log::warn(warning);
    try {
        server s(cli.opts);
        // A reload reads what a start would read now.
        std::vector<std::string> args(argv, argv + argc);
        s.reload_with(
            [args, environment] {
                std::vector<char const*> argv_again;
                for (auto const& a : args)
                    argv_again.push_back(a.c_str());
                return config::parse(static_cast<int>(argv_again.size()), argv_again.data(), environment);
            },
            cli.texts);
        return s.run();
    } catch (start_error const& e) {
        // Option-like problems (a TLS file) read as options do; the rest is logged.
        if (e.exit_code == exit_bad_input && cli.opts.tls_cert && std::string_view(e.what()).starts_with("--tls"))
            std::cerr << "rosterd: " << e.what() << "\n";
        else
            log::error(e.what());
        return e.exit_code;
    } catch (std::exception const& e) {
        log::error(e.what());
        return exit_failure;
    }
}

} // namespace rosterd::server
