#include "bench_nets.hpp"

#include <sstream>
#include <stdexcept>

namespace znn::bench {

namespace {

std::string spaced(vec3 v)
{
    return std::to_string(v.z) + " " + std::to_string(v.y) + " " + std::to_string(v.x);
}

// The torch name of a transfer function (linear is only supported with its default arguments).
std::string peer_activation(const node_spec& node)
{
    const std::string& f = node.function;
    if (f == "rectify_linear") return "relu";
    if (f == "logistics" || f == "forward_logistics") return "sigmoid";
    if (f == "soft_sign") return "softsign";
    if ((f == "linear" || f == "tanh") && node.function_args == std::vector<double>{1, f == "linear" ? 0.0 : 1.0})
        return f;
    throw std::invalid_argument("node " + node.name + ": function " + f + " with these arguments has no peer form");
}

}  // namespace

std::string conv_layer_spec(vec3 kernel, int maps_in, int maps_out)
{
    std::ostringstream s;
    s << "nodes input\ntype input\nsize " << maps_in << "\n\n"
      << "edges conv\ntype conv\ninit xavier\nsize " << kernel.str() << "\ninput input\noutput output\n\n"
      << "nodes output\ntype transfer\nfunction linear\nsize " << maps_out << "\n";
    return s.str();
}

std::string describe_chain(const net_graph& graph, vec3 outsz)
{
    if (graph.inputs().size() != 1 || graph.outputs().size() != 1)
        throw std::invalid_argument("the peer needs one input and one output node");
    const std::vector<vec3> sizes = graph.sizes_for_output(outsz);
    std::ostringstream out;
    int n = graph.inputs().front();
    out << "input " << graph.nodes()[n].maps() << " " << spaced(sizes[n]) << "\n";
    while (!graph.nodes()[n].out_edges.empty()) {
        const graph_node& node = graph.nodes()[n];
        if (node.out_edges.size() != 1) throw std::invalid_argument("node " + node.name() + " feeds several edges");
        const graph_edge& edge = graph.edges()[node.out_edges.front()];
        const graph_node& next = graph.nodes()[edge.to];
        if (next.in_edges.size() != 1) throw std::invalid_argument("node " + next.name() + " sums several edges");
        const bool transfer = next.spec->type == "transfer";
        if (!transfer && next.spec->type != "sum")
            throw std::invalid_argument("node " + next.name() + ": type " + next.spec->type + " has no peer form");
        if (edge.type() == "conv") {
            out << "conv " << node.maps() << " " << next.maps() << " " << spaced(edge.spec->size) << " "
                << spaced(node.sparsity) << " " << (transfer ? 1 : 0) << "\n";
        } else if (edge.type() == "max_filter") {
            out << "pool " << spaced(edge.spec->size) << " " << spaced(node.sparsity) << "\n";
        } else {
            throw std::invalid_argument("edge " + edge.name() + ": type " + edge.type() + " has no peer form");
        }
        if (transfer) out << "act " << peer_activation(*next.spec) << "\n";
        n = next.index;
    }
    out << "output " << graph.nodes()[n].maps() << " " << spaced(sizes[n]) << "\n";
    return out.str();
}

}  // namespace znn::bench
