// `znn train`: the whole training job of a .cfg (../shared/znn-manual.md §4, §5).
//
// Loads the network (.znn) and the samples (.spec), resumes from the current network file of the
// train_net folder when there is one (or loads/seeds from `seed_path`), then runs SGD on random
// patches of train_outsz from the samples of train_range, validating on test_range, until Max_iter.
// Networks are saved every Num_iter_per_save (net_<it>.h5 and net_current.h5, each written to a
// temporary name and renamed). When `stop` becomes true (SIGINT/SIGTERM), the current network is
// saved and train() returns with `interrupted` set.
#pragma once

#include "znn/config.hpp"

#include <atomic>
#include <iosfwd>
#include <string>

namespace znn {

struct train_options {
    std::string seed_path;                    // -s: load (same architecture) or seed (matching layers)
    std::ostream* progress = nullptr;         // progress lines; nullptr: quiet
    const std::atomic<bool>* stop = nullptr;  // polled once per iteration
    std::uint64_t seed = 0x5eed;              // initial weights and patch sampling (fresh runs)
    std::string fft_wisdom;                   // FFTW wisdom file (see engine_options)
};

struct train_result {
    long long iteration = 0;  // the last completed iteration
    bool interrupted = false;
    std::string saved;        // the last network file written
};

train_result train(const config& cfg, const train_options& options);

// The network file names of a job: "<train_net>/net_<it>.h5" or "<train_net_prefix>_<it>.h5";
// iteration < 0 gives the "current" file.
std::string network_file_path(const config& cfg, long long iteration);

}  // namespace znn
