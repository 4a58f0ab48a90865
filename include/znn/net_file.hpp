// Network files (HDF5) in the original ZNN layout, so that nets trained by either program open in both
// (../shared/znn-manual.md §5). The record here is independent of the engine and of the dtype: the
// engine copies its parameters in and out; the file keeps them as float32 or float64.
//
// Layout (prefix /processing/znn/train/network/, one group per node and per edge):
//   conv edge:      filters, momentum_vol  [n_in, n_out, s0, s1, s2] — inside each filter the FIRST axis
//                   runs fastest (W[kz,ky,kx] = filters[i,j].reshape(s2,s1,s0).transpose(2,1,0));
//                   size, stride int64[3]; string scalars for every other spec key; group_type "edge".
//   transfer node:  biases, momentum_vol [n]; size int64[1]; string scalars; group_type "node".
//   other nodes:    size int64[1]; type, name (and other keys) strings; group_type "node".
//   Every group also has the string scalar `name` (= the group's name; the original's loader needs it).
//   Strings are variable-length ASCII scalars, as the original (h5py) wrote them.
//   learning curve: /processing/znn/train/statistics/{train,test}/{it,err,cls} float64 (written when the
//                   curve has any entry), and /processing/znn/train/statistics/elapsed float64 (only when
//                   non-empty; outside train/ because the original's readers treat every dataset of
//                   train/ as a curve to plot against test/, and its own train/elapsed meant s/iteration).
//   znn extras (attributes on "/"): znn_text, cfg_text, random_state, znn_version (variable-length
//                   strings), iteration (int64). The original ignores them.
// The reader also opens the original's older layout (layer groups with group_type directly under "/").
#pragma once

#include "znn/vec3.hpp"

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

namespace znn {

struct layer_record {
    std::string name;  // the group's name
    bool is_edge = false;
    // Every string scalar of the group except the bookkeeping name and group_type (type, input, output,
    // init, function, eta, ...), in a stable order (as written / as read, sorted by name when read).
    // Numeric datasets other than size/stride/filters/biases/momentum_vol come back as "a,b,c" strings.
    // The writer skips "name"/"group_type" here and a "size"/"stride" string when the vec3 below is
    // set; it rejects keys naming the parameter datasets.
    std::vector<std::pair<std::string, std::string>> strings;
    vec3 size{0, 0, 0};    // edges: int64[3]; for nodes size.x holds the map count (int64[1]); 0 = absent
    vec3 stride{0, 0, 0};  // edges only; 0 = absent

    // conv edges: n_in*n_out filters, filter (i, j) at offset (i*n_out + j) * size.volume(), each in znn
    // order (x fastest: index (kz*sy + ky)*sx + kx). The file's own order is handled by the reader/writer.
    // Momentum: empty is written as zeros; a file without momentum_vol reads as zeros.
    std::int64_t n_in = 0, n_out = 0;
    std::vector<double> filters, filter_momentum;
    // transfer nodes
    std::vector<double> biases, bias_momentum;

    const std::string* find_string(const std::string& key) const;
};

struct learning_curve {
    std::vector<double> train_it, train_err, train_cls;
    std::vector<double> test_it, test_err, test_cls;
    std::vector<double> elapsed;  // seconds since training began, one per train entry (may be empty)
};

struct net_file {
    std::vector<layer_record> layers;  // as given when saving; sorted by name when loaded
    learning_curve curve;
    bool float64 = false;      // dtype of the parameter datasets
    std::string znn_text;      // "" for files written by the original ZNN
    std::string cfg_text;
    // The root attribute when present, else the curve's last train_it, else 0 (the original stored none).
    long long iteration = 0;
    std::string random_state;  // engine RNG state, so a resumed run continues the same stream (no NUL bytes)
    std::string version;       // znn version that wrote it; the writer stamps this build's when empty

    const layer_record* find(const std::string& name) const;
};

// Writes to "<path>.tmp-<pid>-<random>" in the same folder, fsyncs it, and renames it over `path`, so a
// crash, a full disk or a rejected record never leaves a half-written network and never destroys the
// previous file (the temporary file is removed on failure). Throws runtime_failure on I/O errors and on
// inconsistent records (filter counts that do not match n_in*n_out*size, duplicate names, ...).
// Uses HDF5, which is not thread-safe in the usual builds: do not save or load from two threads at once.
void save_net_file(const std::string& path, const net_file& net);

// Throws input_error(path, 0, ...) when the file is missing, not HDF5, lacks the network groups, or holds
// inconsistent shapes (filters vs size, momentum_vol vs filters).
net_file load_net_file(const std::string& path);

// The .znn text of a network file: znn_text when the file has it, otherwise rebuilt from the groups'
// string scalars, size and stride (files written by the original ZNN): one block per group, nodes in
// breadth-first order from the input node(s), each followed by its outgoing edges.
std::string network_text(const net_file& net);

}  // namespace znn
