// The network as a graph: nodes (feature-map layers) joined by edges (convolutions, filters, ...).
// Built from a parsed net_spec, it checks what the parser cannot see alone — dangling node names,
// cycles, edges into input nodes, map-count and sparsity agreement — and answers the geometric
// questions: sparsity per node, field of view, and every node's size for a requested output size.
//
// Sizes follow ../shared/znn-manual.md §2 ("dense output through sparseness"): a conv or max_filter
// edge runs with its window dilated by its input node's sparsity s, so its input is
// output + (size-1)*s; the target's sparsity is s*stride; max_pool multiplies sizes by its window;
// crop adds 2*offset. Walking back from the outputs, a node read by several edges must get the same
// size from each.
#pragma once

#include "znn/net_spec.hpp"
#include "znn/vec3.hpp"

#include <cstdint>
#include <string>
#include <unordered_map>
#include <vector>

namespace znn {

struct graph_node {
    int index = 0;
    const node_spec* spec = nullptr;
    std::vector<int> in_edges, out_edges;  // edge indices, in file order
    vec3 sparsity{1, 1, 1};

    const std::string& name() const { return spec->name; }
    int maps() const { return spec->size; }
};

struct graph_edge {
    int index = 0;
    const edge_spec* spec = nullptr;
    int from = -1, to = -1;  // node indices

    const std::string& name() const { return spec->name; }
    const std::string& type() const { return spec->type; }
};

class net_graph {
public:
    // Throws input_error("file:line: ...") for a graph that cannot run.
    explicit net_graph(net_spec spec);
    net_graph(const net_graph&) = delete;  // nodes point into spec_
    net_graph& operator=(const net_graph&) = delete;

    const net_spec& spec() const { return spec_; }
    const std::vector<graph_node>& nodes() const { return nodes_; }
    const std::vector<graph_edge>& edges() const { return edges_; }
    // Node indices with every node after all nodes it reads from (inputs first, file order on ties).
    const std::vector<int>& topological_order() const { return order_; }
    const std::vector<int>& inputs() const { return inputs_; }
    const std::vector<int>& outputs() const { return outputs_; }
    int find_node(const std::string& name) const;  // -1 when absent
    int find_edge(const std::string& name) const;

    // Size of every node (indexed like nodes()) for an output patch `outsz` on every output node.
    // Throws input_error when outsz is not positive or a max_pool window does not divide a size.
    std::vector<vec3> sizes_for_output(vec3 outsz) const;
    // The input patch needed for `outsz` (the first input node's size).
    vec3 input_size_for_output(vec3 outsz) const;
    // Input size for an output of 1x1x1.
    vec3 field_of_view() const;

    std::int64_t edge_parameter_count(int edge) const;  // filter weights of a conv edge, else 0
    std::int64_t node_parameter_count(int node) const;  // biases of a transfer node, else 0
    std::int64_t parameter_count() const;

private:
    void link_edges();
    void order_nodes();
    void assign_sparsity();
    [[noreturn]] void fail(int line, const std::string& message) const;
    int edge_line(const edge_spec& e, const std::string& key) const;

    net_spec spec_;
    std::vector<graph_node> nodes_;
    std::vector<graph_edge> edges_;
    std::vector<int> order_, inputs_, outputs_;
    std::unordered_map<std::string, int> node_index_, edge_index_;  // name -> index (files with 10^5 blocks)
};

}  // namespace znn
