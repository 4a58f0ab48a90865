// `znn`: one executable, four subcommands. Exit codes: 0 ok, 1 runtime failure, 2 bad usage or input.
#include "cli_common.hpp"

#include "znn/error.hpp"

#include <exception>
#include <cstdio>
#include <cstdlib>
#include <iostream>
#include <map>
#include <new>

namespace {

const char* const top_help =
    "usage: znn <command> [options]\n"
    "\n"
    "znn trains and runs 2D/3D convolutional networks on multi-core CPUs (a native re-creation of ZNN).\n"
    "\n"
    "commands:\n"
    "  train CONFIG.cfg [-s SEED.h5]   train the network described by the job file\n"
    "  forward CONFIG.cfg              run a trained network over whole volumes\n"
    "  inspect FILE                    describe a .znn network, a network .h5 or an image stack\n"
    "  convert IN OUT                  convert image stacks and networks; `convert merge CONFIG.cfg`\n"
    "\n"
    "options:\n"
    "  -h, --help      this help; `znn <command> --help` for a command's options\n"
    "  --version       print the version\n"
    "\n"
    "exit status: 0 success, 1 failure while running, 2 bad usage or bad input.\n";

// Ends the process after a failure while running, once the exception has unwound every scope (so
// outputs are closed and temporary files removed) but without the libraries' exit handlers: after a
// write failed on a full disk, libhdf5 1.10 keeps the file it could not close and crashes in its own
// exit-time close (znn then exited 139 instead of 1).
int end_after_failure(int status)
{
    std::cout.flush();
    std::fflush(nullptr);
    std::_Exit(status);
}

}  // namespace

int main(int argc, char** argv)
{
    using namespace znn::cli;
    const std::map<std::string, int (*)(const args&)> commands = {
        {"train", run_train}, {"forward", run_forward}, {"inspect", run_inspect}, {"convert", run_convert}};

    if (argc < 2) {
        std::cerr << top_help;
        return 2;
    }
    std::string command = argv[1];
    if (command == "-h" || command == "--help" || command == "help") {
        if (command == "help" && argc > 2 && commands.count(argv[2])) return commands.at(argv[2])({"--help"});
        std::cout << top_help;
        return 0;
    }
    if (command == "--version" || command == "-V") {
        std::cout << "znn " << ZNN_VERSION << "\n";
        return 0;
    }
    auto it = commands.find(command);
    if (it == commands.end()) {
        std::cerr << "znn: unknown command '" << command << "' (commands: train, forward, inspect, convert; see znn --help)\n";
        return 2;
    }
    try {
        return it->second(args(argv + 2, argv + argc));
    } catch (const usage_error& e) {
        std::cerr << e.what() << "\n(see znn " << command << " --help)\n";
        return 2;
    } catch (const znn::input_error& e) {
        std::cerr << "znn " << command << ": " << e.what() << "\n";
        return 2;
    } catch (const znn::runtime_failure& e) {
        std::cerr << "znn " << command << ": " << e.what() << "\n";
        return end_after_failure(1);
    } catch (const std::bad_alloc&) {
        std::cerr << "znn " << command << ": out of memory (try a smaller output size)\n";
        return 1;
    } catch (const std::exception& e) {
        std::cerr << "znn " << command << ": " << e.what() << "\n";
        return 1;
    }
}
