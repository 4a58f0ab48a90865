// Command line of znn-bench: `znn-bench CASE --key value ...` (see usage()).
#pragma once

#include "znn/vec3.hpp"

#include <string>

namespace znn::bench {

struct bench_args {
    std::string command;           // conv | forward | train
    std::string net;               // forward/train: the .znn file
    vec3 outsz{1, 1, 1};           // forward/train: output patch
    vec3 kernel{3, 3, 3};          // conv: filter size
    vec3 input{32, 64, 64};        // conv: input map size
    int maps_in = 1, maps_out = 48;  // conv: feature maps on each side
    std::string mode = "optimize";   // engine conv mode: direct | fft | optimize
    int threads = 1;
    double budget_s = 3;  // time for the repetitions after the warm-up
    int max_reps = 10;
    int winograd_tile = 0;       // engine_options::winograd_tile (checked by the engine)
    double memory_cap_gib = 0;   // > 0: refuse networks estimated to need more
    bool describe = false;       // print the layer list for the peer and exit
    bool measure_plans = false;  // FFTW_MEASURE plans
    bool verbose = false;        // `optimize` choices on stderr
    bool print_runs = false;     // every timed run on stderr
    bool profile = false;        // per-task profile of as many more passes (bench_profile.hpp)
};

std::string usage();
// Throws std::invalid_argument with a message for the user.
bench_args parse_args(int argc, char** argv);

}  // namespace znn::bench
