#include "cli_common.hpp"
#include "signals.hpp"

#include "znn/config.hpp"
#include "znn/forward.hpp"

#include <cstdlib>
#include <iostream>

namespace znn::cli {

namespace {

// "K/N" -> (K, N); 0 <= K < N.
std::pair<int, int> parse_block(const std::string& text)
{
    auto slash = text.find('/');
    try {
        if (slash == std::string::npos) throw std::invalid_argument(text);
        std::size_t used = 0;
        int k = std::stoi(text.substr(0, slash), &used);
        if (used != slash) throw std::invalid_argument(text);
        std::string rest = text.substr(slash + 1);
        int n = std::stoi(rest, &used);
        if (used != rest.size() || n < 1 || k < 0 || k >= n) throw std::invalid_argument(text);
        return {k, n};
    } catch (const std::exception&) {
        throw usage_error("znn forward: --block takes K/N with 0 <= K < N, got '" + text + "'");
    }
}

}  // namespace

int run_forward(const args& argv)
{
    po::options_description desc("options");
    job_options job;
    std::string block, wisdom;
    bool tif = false;
    desc.add_options()
        ("block", po::value<std::string>(&block),
         "compute only block K of N of every volume (K/N, K from 0); default from SLURM_ARRAY_TASK_ID and "
         "SLURM_ARRAY_TASK_COUNT when set")
        ("tif", po::bool_switch(&tif), "also write one 32-bit tif per output channel")
        ("fft-wisdom", po::value<std::string>(&wisdom), "FFTW wisdom file: measured FFT plans are read from it and saved to it");
    if (!parse_job(argv, "forward", "znn forward CONFIG.cfg [--block K/N] [--tif] [--set key=value]... [--quiet]",
                   "Runs the network forward_net over every sample of forward_range and writes\n"
                   "<output_prefix>_sample<N>_output.h5 (dataset /main, float32 [channel,z,y,x]).",
                   desc, job))
        return 0;
    config cfg = load_config(job.config_path, job.overrides);
    forward_options opt;
    opt.progress = job.quiet ? nullptr : &std::cerr;
    opt.stop = &install_stop_handlers();
    opt.tif = tif;
    opt.fft_wisdom = wisdom;
    if (block.empty()) {
        const char* id = std::getenv("SLURM_ARRAY_TASK_ID");
        const char* count = std::getenv("SLURM_ARRAY_TASK_COUNT");
        if (id && count) block = std::string(id) + "/" + count;
    }
    if (!block.empty()) std::tie(opt.block, opt.blocks) = parse_block(block);
    forward_result r = run_forward(cfg, opt);
    if (!job.quiet) {
        for (const auto& f : r.written) std::cerr << "wrote " << f << "\n";
        std::cerr << "peak memory: " << r.peak_memory_kib / 1024 << " MiB\n";
    }
    if (r.interrupted) {
        std::cerr << "znn forward: interrupted; outputs not finished were not written\n";
        return 1;
    }
    return 0;
}

}  // namespace znn::cli
