#include "znn/describe.hpp"

#include <iomanip>
#include <ostream>

namespace znn {

namespace {

std::string with_thousands(std::int64_t n)
{
    std::string digits = std::to_string(n);
    std::string out;
    int count = 0;
    for (auto it = digits.rbegin(); it != digits.rend(); ++it) {
        if (count > 0 && count % 3 == 0 && *it != '-') out.insert(out.begin(), ',');
        out.insert(out.begin(), *it);
        ++count;
    }
    return out;
}

std::string node_kind(const node_spec& n)
{
    if (n.type == "transfer") return "transfer/" + n.function;
    return n.type;
}

}  // namespace

void describe_network(const net_graph& graph, std::optional<vec3> outsz, std::ostream& out)
{
    const net_spec& spec = graph.spec();
    std::vector<vec3> sizes;
    if (outsz) sizes = graph.sizes_for_output(*outsz);

    out << "network: " << spec.path << "\n";
    out << "nodes: " << graph.nodes().size() << ", edges: " << graph.edges().size() << "\n\n";
    out << std::left << std::setw(16) << "layer" << std::setw(30) << "type" << std::setw(7) << "maps"
        << std::setw(11) << "sparsity" << std::setw(10) << "window" << std::setw(10) << "stride" << std::setw(12)
        << "params";
    if (outsz) out << "size";
    out << "\n";

    auto row = [&](const std::string& name, const std::string& type, std::string maps, vec3 sparsity,
                   std::string window, std::string stride, std::int64_t params, std::optional<vec3> size) {
        out << std::left << std::setw(16) << name << std::setw(30) << type << std::setw(7) << maps << std::setw(11)
            << sparsity.dims() << std::setw(10) << window << std::setw(10) << stride << std::setw(12)
            << (params ? with_thousands(params) : std::string("-"));
        if (size) out << size->dims();
        out << "\n";
    };

    for (int n : graph.topological_order()) {
        const graph_node& node = graph.nodes()[n];
        for (int ei : node.in_edges) {
            const graph_edge& e = graph.edges()[ei];
            const edge_spec& s = *e.spec;
            const graph_node& from = graph.nodes()[e.from];
            bool windowed = s.type == "conv" || s.type == "max_filter" || s.type == "max_pool";
            std::string type = "  " + s.type + " " + from.name() + "->" + node.name();
            row("  " + s.name, type.substr(2), "", from.sparsity, windowed ? s.size.dims() : "-",
                (s.type == "conv" || s.type == "max_filter") ? s.stride.dims() : "-", graph.edge_parameter_count(ei),
                std::nullopt);
        }
        row(node.name(), node_kind(*node.spec), std::to_string(node.maps()), node.sparsity, "-", "-",
            graph.node_parameter_count(n), outsz ? std::optional<vec3>(sizes[n]) : std::nullopt);
    }

    out << "\nparameters: " << with_thousands(graph.parameter_count()) << "\n";
    out << "field of view: " << graph.field_of_view().dims() << "\n";
    if (outsz) {
        out << "output size: " << outsz->dims() << "\n";
        out << "input size: " << sizes[graph.inputs().front()].dims() << "\n";
    }
}

}  // namespace znn
