// Where a network keeps the maps of its nodes. A training network keeps every node's maps: backward()
// reads them. An inference network needs a node's maps only until the nodes that read them have been
// computed, so a later node takes over their storage (ZNNi's layer-by-layer memory): the maps of a
// chain of layers take about its two largest neighbouring layers instead of all of them (ZNNi's n537
// at output 24x24x24: 3.6 instead of 9.7 GiB of maps). The forward pass's tasks that write a node
// wait for the nodes that read the storage's previous holder (network_forward.cpp), so results do
// not depend on the sharing.
#pragma once

#include "znn/net_graph.hpp"
#include "znn/vec3.hpp"

#include <cstddef>
#include <cstdint>
#include <vector>

namespace znn {

struct activation_plan {
    std::vector<int> storage;                   // per node: the storage holding its maps
    std::vector<std::int64_t> storage_values;   // per storage: values (its largest holder's maps)
    std::vector<std::vector<int>> wait_for;     // per node: nodes that must be computed before its maps are written
    std::vector<char> kept;                     // per node: no later node takes over its storage (its maps stay valid)

    std::int64_t total_values() const;
};

// Values a map of `size` takes in a storage: every map starts 64-byte aligned.
std::int64_t activation_map_values(vec3 size, std::size_t value_bytes);

// share = false: one storage per node (training). Output nodes are never taken over: their maps are
// read after the pass.
activation_plan plan_activations(const net_graph& graph, const std::vector<vec3>& sizes, bool share,
                                 std::size_t value_bytes);

}  // namespace znn
