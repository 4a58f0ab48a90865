#include "cli_common.hpp"

#include <iostream>

namespace znn::cli {

void add_job_options(po::options_description& desc, job_options& job)
{
    desc.add_options()
        ("config,c", po::value<std::string>(&job.config_path), "job file (.cfg); may also be given as the first argument")
        ("set", po::value<std::vector<std::string>>(&job.overrides)->composing(),
         "override a [parameters] key of the cfg: --set key=value (repeatable)")
        ("quiet,q", po::bool_switch(&job.quiet), "no progress output on stderr");
}

bool parse_command(const args& argv, const std::string& command, const std::string& usage_line,
                   const std::string& about, po::options_description& desc,
                   const std::vector<std::string>& positional, po::variables_map& vm)
{
    desc.add_options()("help,h", "show this help");
    po::positional_options_description pos;
    for (const auto& p : positional) pos.add(p.c_str(), 1);
    try {
        po::store(po::command_line_parser(argv).options(desc).positional(pos).run(), vm);
        if (vm.count("help")) {
            std::cout << "usage: " << usage_line << "\n\n" << about << "\n\n" << desc << "\n";
            return false;
        }
        po::notify(vm);
    } catch (const po::error& e) {
        throw usage_error("znn " + command + ": " + e.what());
    }
    return true;
}

bool parse_job(const args& argv, const std::string& command, const std::string& usage_line,
               const std::string& about, po::options_description& desc, job_options& job)
{
    add_job_options(desc, job);
    desc.add_options()("config-positional", po::value<std::string>(), "");
    po::options_description visible(desc);
    po::variables_map vm;
    if (!parse_command(argv, command, usage_line, about, desc, {"config-positional"}, vm)) return false;
    if (vm.count("config-positional")) {
        if (!job.config_path.empty()) throw usage_error("znn " + command + ": give the config either as an argument or with -c, not both");
        job.config_path = vm["config-positional"].as<std::string>();
    }
    if (job.config_path.empty()) throw usage_error("znn " + command + ": missing the job file (CONFIG.cfg)");
    return true;
}

}  // namespace znn::cli
