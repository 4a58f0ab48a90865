// Shared pieces of the `znn` subcommands: argument parsing helpers and the usage-error type.
// The CLI only parses arguments and calls the library; everything else lives in libznn.
#pragma once

#include <boost/program_options.hpp>

#include <stdexcept>
#include <string>
#include <vector>

namespace znn::cli {

namespace po = boost::program_options;

// Wrong command-line usage: exit code 2 with a hint to --help.
class usage_error : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

using args = std::vector<std::string>;

// Options every config-driven subcommand takes: CONFIG (positional or -c), --set k=v..., --quiet.
struct job_options {
    std::string config_path;
    std::vector<std::string> overrides;
    bool quiet = false;
};

void add_job_options(po::options_description& desc, job_options& job);
// Parses `argv` against `desc` with CONFIG as the single positional argument; returns false when
// --help was asked for (the help has been printed).
bool parse_job(const args& argv, const std::string& command, const std::string& usage_line,
               const std::string& about, po::options_description& desc, job_options& job);

// Parses against `desc` with the named positional arguments; prints help and returns false on --help.
bool parse_command(const args& argv, const std::string& command, const std::string& usage_line,
                   const std::string& about, po::options_description& desc,
                   const std::vector<std::string>& positional, po::variables_map& vm);

int run_train(const args& argv);
int run_forward(const args& argv);
int run_inspect(const args& argv);
int run_convert(const args& argv);

}  // namespace znn::cli
