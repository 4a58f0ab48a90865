// The .cfg job file: section [parameters], every key of ../shared/znn-manual.md §4 with the original's
// defaults. Keys are case-insensitive (ConfigParser). `--set key=value` overrides are applied on top.
#pragma once

#include "znn/vec3.hpp"

#include <string>
#include <vector>

namespace znn {

struct config {
    std::string path;  // the cfg file ("" when built in code)
    // The effective job as INI text: [parameters] with every key of the manual at its effective value
    // (overrides applied, paths absolute), saved in nets; parse_config_text(text, any path) gives it back.
    std::string text;

    // Paths are made absolute: relative ones are resolved against the cfg file's folder.
    std::string fnet_spec, fdata_spec;
    int num_threads = 0;              // <= 0: all cores (use effective_threads())
    std::string dtype = "float32";    // float32 | float64
    std::string out_type = "boundary";// boundary | affinity
    bool logging = false;
    vec3 train_outsz{1, 100, 100};
    std::string cost_fn = "auto";     // auto | square_loss | binomial_cross_entropy | softmax_loss
    double eta = 0.01;
    double anneal_factor = 1.0;
    int num_iter_per_annealing = 100;
    double momentum = 0.0;
    double weight_decay = 0.0;
    std::string train_net;            // folder; "" when train_net_prefix is used (train_net = P.h5 means prefix P)
    std::string train_net_prefix;     // the original's form: P_<it>.h5, P_current.h5
    std::vector<int> train_range, test_range;  // "1-3,6"
    std::string train_conv_mode = "optimize";  // fft | direct | winograd | optimize
    std::string forward_conv_mode = "optimize";
    bool is_data_aug = false;
    bool is_bd_mirror = false;
    std::string rebalance_mode = "none";   // none | global | patch
    bool is_malis = false;
    std::string malis_norm_type = "none";  // none | frac | num | pair
    int num_iter_per_show = 100;
    int num_iter_per_test = 500;
    int test_num = 10;
    int num_iter_per_save = 1000;
    long long max_iter = 400000;
    std::vector<int> forward_range;
    std::string forward_net;
    vec3 forward_outsz{1, 100, 100};
    std::string output_prefix;
    bool is_stdio = true;
    bool is_debug = false;
    bool is_check = false;

    int effective_threads() const;          // num_threads, or the number of cores when <= 0
    std::string effective_cost_fn() const;  // resolves "auto" by out_type
};

// overrides: "key=value" strings, applied after the file (an unknown key there is an error too); their
// errors read "--set key: ...", and their relative paths are relative to the working folder.
// Throws input_error("path:line: ...") for unknown keys (with a did-you-mean), bad values, a missing
// [parameters] section or a missing fnet_spec/fdata_spec. Sections other than [parameters] are ignored,
// and keys of older versions of the original are accepted (see src/spec/config.cpp).
config load_config(const std::string& path, const std::vector<std::string>& overrides = {});
config parse_config_text(const std::string& text, const std::string& path,
                         const std::vector<std::string>& overrides = {});

// "1-3,6" -> {1,2,3,6}: sorted, without repeats, as the original's parseIntSet (a set); "3-1" is 1-3,
// empty items and an empty text give nothing. Throws input_error(file, line, ...) for anything else
// than positive numbers and ranges.
std::vector<int> parse_range(const std::string& text, const std::string& file, int line, const std::string& key);
// {1,2,3,6} -> "1-3,6" (the inverse of parse_range; "" for none).
std::string format_range(const std::vector<int>& numbers);

}  // namespace znn
