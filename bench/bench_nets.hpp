// The networks znn-bench times: a one-layer network for the `conv` case, and the layer list of a
// chain network in the small text form the torch peer of tools/bench rebuilds it from.
#pragma once

#include "znn/net_graph.hpp"
#include "znn/vec3.hpp"

#include <string>

namespace znn::bench {

// .znn text of input(in maps) -> conv(kernel) -> linear transfer node(out maps).
std::string conv_layer_spec(vec3 kernel, int maps_in, int maps_out);

// One line per step, for an output patch `outsz`:
//   input MAPS Z Y X
//   conv IN OUT KZ KY KX DZ DY DX BIAS       (dilation = the input node's sparsity; BIAS 0|1)
//   pool WZ WY WX DZ DY DX                   (max_filter: stride-1 max over a dilated window)
//   act linear|relu|sigmoid|tanh|softsign    (a transfer node's function, after its bias)
//   output MAPS Z Y X
// Throws std::invalid_argument for a graph that is not a single chain of conv and max_filter edges.
std::string describe_chain(const net_graph& graph, vec3 outsz);

}  // namespace znn::bench
