// rosterd: everything it does is rosterd::server::main(), in lib/, so that
// tests can run start-up and shutdown.
#include "server/server.hpp"

#include <string>
#include <vector>

extern char** environ;

int main(int argc, char** argv)
{
    std::vector<std::string> environment;
    for (char** e = environ; e && *e; ++e)
        environment.emplace_back(*e);
    return rosterd::server::main(argc, argv, environment);
}
