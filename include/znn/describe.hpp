// Human-readable reports of a network (used by `znn inspect`).
#pragma once

#include "znn/net_graph.hpp"

#include <iosfwd>
#include <optional>

namespace znn {

// Layers in topological order with their maps, sparsity, window, stride and parameters, then the
// parameter count and the field of view ("field of view: 1x95x95"). With `outsz`, also every node's
// size for that output patch and the input patch it needs.
void describe_network(const net_graph& graph, std::optional<vec3> outsz, std::ostream& out);

}  // namespace znn
