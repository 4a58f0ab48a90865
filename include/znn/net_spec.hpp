// The .znn network description: blocks of `nodes NAME` / `edges NAME`, each followed by `key value`
// lines (see ../shared/znn-manual.md §2). parse_net_spec checks every property of every block: unknown
// keys, missing required keys, bad numbers and vectors, unknown types, functions and inits, and fills in
// the documented defaults. Graph-level checks (dangling names, cycles, sizes) live in net_graph.
// A word starting with `#` begins a comment. Keys are case-sensitive, as in the original. Node and edge
// names share one namespace (a network file holds one group per name) and must not contain `/`.
#pragma once

#include "znn/vec3.hpp"

#include <iosfwd>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace znn {

// Per-layer overrides of the optimiser settings (the cfg's global values win where it sets them).
struct learning_overrides {
    std::optional<double> eta, momentum, weight_decay;
};

struct node_spec {
    std::string name;
    int line = 0;  // line of `nodes NAME`
    std::string type;  // input | sum | transfer | maxout
    int size = 0;      // number of feature maps
    // transfer only: linear | rectify_linear | tanh | soft_sign | logistics | forward_logistics
    // ("forward_logistic" is normalised to "forward_logistics"). Sum nodes may carry `function` too (files
    // written for the original do); it is checked but left out here, since the original ignored it.
    std::string function;
    std::vector<double> function_args;  // defaults filled in: linear {1,0}, tanh {1,1}, others {}
    std::string init = "zero";          // bias init, same vocabulary as edges
    std::vector<double> init_args;      // defaults filled in (see edge_spec)
    learning_overrides learning;
    bool dense = false;  // `dense 1`: reset sparsity to 1 at this node
    bool seeding = true; // `seeding 0` (or the old `load 0`): biases never loaded from a seed file
    // Every property as written (key -> value), in file order, for saving back to network files.
    std::vector<std::pair<std::string, std::string>> properties;
    std::map<std::string, int> property_lines;  // key -> line
};

struct edge_spec {
    std::string name;
    int line = 0;
    std::string type;  // conv | max_filter | max_pool | dropout | crop | maxout | dummy
    std::string input, output;  // node names
    vec3 size{1, 1, 1};   // conv, max_filter, max_pool (required there)
    vec3 stride{1, 1, 1}; // conv (default 1,1,1), max_filter (required); max_pool accepts and ignores it
    // conv only: zero | constant | uniform | gaussian | bernoulli | xavier | msra, with defaults filled in:
    // constant {0}; uniform {-0.1,0.1} (one arg r -> {-r,r}); gaussian {0,0.01}; bernoulli {0.5};
    // zero/xavier/msra {}.
    std::string init;
    std::vector<double> init_args;
    std::optional<bool> fft;        // per-edge convolution choice
    vec3 repeat{1, 1, 1};           // weight tying (conv)
    double ratio = 0.5;             // dropout keep probability
    vec3 offset{0, 0, 0};           // crop (required there): offset per side (one number means all axes)
    learning_overrides learning;
    bool seeding = true;            // `seeding 0` (or the old `load 0`): never loaded from a seed file
    std::vector<std::pair<std::string, std::string>> properties;
    std::map<std::string, int> property_lines;
};

struct net_spec {
    std::string path;  // file name used in error messages
    std::string text;  // the file's text, stored in network files
    std::vector<node_spec> nodes;  // in file order
    std::vector<edge_spec> edges;  // in file order

    const node_spec* find_node(const std::string& name) const;
    const edge_spec* find_edge(const std::string& name) const;
};

// Throws input_error("path:line: ...") naming the offending line and key.
net_spec parse_net_spec(std::istream& in, const std::string& path);
net_spec parse_net_spec_text(const std::string& text, const std::string& path);
net_spec load_net_spec(const std::string& path);

}  // namespace znn
