// Runs the built `znn` executable (path in ZNN_EXE, set by meson) and captures its exit code, stdout and
// stderr, for the cli suite.
#pragma once

#include <sys/wait.h>

#include <catch2/catch.hpp>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <random>
#include <sstream>
#include <string>
#include <vector>

namespace cli_test {

struct result {
    int code = -1;
    std::string out, err;

    // The first line of stderr (without the newline).
    std::string first_error_line() const { return err.substr(0, err.find('\n')); }
};

inline std::string shell_quote(const std::string& s)
{
    std::string q = "'";
    for (char c : s) q += c == '\'' ? std::string("'\\''") : std::string(1, c);
    return q + "'";
}

inline std::string slurp(const std::string& path)
{
    std::ifstream in(path, std::ios::binary);
    std::ostringstream text;
    text << in.rdbuf();
    return text.str();
}

inline std::string source_root()
{
    const char* root = std::getenv("ZNN_SOURCE_ROOT");
    return root ? root : ".";
}

inline result run_znn(const std::vector<std::string>& args)
{
    const char* exe = std::getenv("ZNN_EXE");
    REQUIRE(exe != nullptr);
    std::random_device entropy;
    const auto base = std::filesystem::temp_directory_path() / ("znn-cli-" + std::to_string(entropy()));
    const std::string out = base.string() + ".out", err = base.string() + ".err";
    std::string command = shell_quote(exe);
    for (const std::string& a : args) command.append(" ").append(shell_quote(a));
    command += " >" + shell_quote(out) + " 2>" + shell_quote(err) + " </dev/null";
    const int status = std::system(command.c_str());
    result r;
    r.code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    r.out = slurp(out);
    r.err = slurp(err);
    std::filesystem::remove(out);
    std::filesystem::remove(err);
    return r;
}

}  // namespace cli_test
