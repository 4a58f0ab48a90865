#include "cli_common.hpp"
#include "signals.hpp"

#include "znn/config.hpp"
#include "znn/train.hpp"

#include <iostream>

namespace znn::cli {

int run_train(const args& argv)
{
    po::options_description desc("options");
    job_options job;
    std::string seed, wisdom;
    desc.add_options()("fft-wisdom", po::value<std::string>(&wisdom), "FFTW wisdom file: measured FFT plans are read from it and saved to it");
    desc.add_options()("seed,s", po::value<std::string>(&seed), "network .h5 to load (same architecture) or to seed from (layers whose name and shape match)");
    if (!parse_job(argv, "train", "znn train CONFIG.cfg [-s SEED.h5] [--set key=value]... [--quiet]",
                   "Trains the network of the job file on the samples of train_range, validating on test_range.\n"
                   "Resumes from the train_net folder's current network when there is one. SIGINT/SIGTERM save\n"
                   "the current network and exit 0.",
                   desc, job))
        return 0;
    config cfg = load_config(job.config_path, job.overrides);
    train_options opt;
    opt.seed_path = seed;
    opt.fft_wisdom = wisdom;
    opt.progress = job.quiet ? nullptr : &std::cerr;
    opt.stop = &install_stop_handlers();
    train_result r = train(cfg, opt);
    if (!job.quiet) std::cerr << "network: " << r.saved << " (iteration " << r.iteration << ")\n";
    return 0;
}

}  // namespace znn::cli
