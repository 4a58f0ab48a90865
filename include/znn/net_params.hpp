// Moving parameters between a running network and a network file (net_file.hpp).
#pragma once

#include "znn/net_file.hpp"
#include "znn/network.hpp"

#include <string>
#include <vector>

namespace znn {

// A record per node and per edge of the network, in file order: the spec's keys as strings, size and
// stride, filters/biases and their momentum; `fft` records the method the engine chose.
template <class T>
std::vector<layer_record> network_layers(network<T>& net);

struct load_report {
    std::vector<std::string> loaded;   // layer names whose parameters were copied
    std::vector<std::string> skipped;  // "name: why" for layers with parameters that were not
    std::vector<std::string> non_finite;  // "name: N of M values are NaN or infinite" (copied layers)
};

// Throws input_error(file, 0, ...) naming the layers when report.non_finite is not empty: a network
// whose training diverged gives NaN everywhere, better said at once.
void require_finite(const load_report& report, const std::string& file);

// Copies filters, biases and momentum from `file` into `net` for every layer whose name and shape
// match. With `seeding`, edges marked `seeding 0` are left as initialised. Nothing else changes.
template <class T>
load_report load_parameters(network<T>& net, const net_file& file, bool seeding);

}  // namespace znn
