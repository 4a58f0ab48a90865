// describe_net_file: the `znn inspect NET.h5` report.
#include "znn/report.hpp"

#include "znn/describe.hpp"
#include "znn/error.hpp"
#include "znn/net_graph.hpp"
#include "znn/net_spec.hpp"

#include <iomanip>
#include <memory>
#include <ostream>
#include <sstream>

namespace znn {

namespace {

std::string string_or(const layer_record& layer, const std::string& key, const std::string& fallback)
{
    const std::string* value = layer.find_string(key);
    return value ? *value : fallback;
}

// The stored layers as they are, for files whose layers do not make a network that znn can build.
void list_layers(const net_file& net, std::ostream& out)
{
    out << std::left << std::setw(16) << "layer" << std::setw(6) << "kind" << std::setw(14) << "type"
        << std::setw(26) << "connects" << std::setw(10) << "size" << "params\n";
    for (const layer_record& layer : net.layers) {
        std::string connects, size = "-";
        if (layer.is_edge) {
            connects = string_or(layer, "input", "?") + "->" + string_or(layer, "output", "?");
            if (layer.n_in > 0) connects += " (" + std::to_string(layer.n_in) + "x" + std::to_string(layer.n_out) + ")";
            if (layer.size.all_positive()) size = layer.size.dims();
        } else {
            connects = std::to_string(layer.size.x) + " maps";
        }
        const auto params = static_cast<std::int64_t>(layer.filters.size() + layer.biases.size());
        out << std::left << std::setw(16) << layer.name << std::setw(6) << (layer.is_edge ? "edge" : "node")
            << std::setw(14) << string_or(layer, "type", "?") << std::setw(26) << connects << std::setw(10) << size
            << (params ? std::to_string(params) : std::string("-")) << "\n";
    }
}

void indent_text(const std::string& text, std::ostream& out)
{
    std::istringstream in(text);
    for (std::string line; std::getline(in, line);) {
        if (!line.empty() && line.back() == '\r') line.pop_back();
        out << "  " << line << "\n";
    }
}

}  // namespace

std::int64_t stored_parameter_count(const net_file& net)
{
    std::int64_t n = 0;
    for (const layer_record& layer : net.layers)
        n += static_cast<std::int64_t>(layer.filters.size() + layer.biases.size());
    return n;
}

void describe_net_file(const net_file& net, const std::string& path, std::optional<vec3> outsz, std::ostream& out,
                       std::size_t curve_rows)
{
    out << "network file: " << path << "\n";
    out << "saved by: " << (net.version.empty() ? std::string("the original ZNN") : "znn " + net.version) << "\n";
    out << "iteration: " << net.iteration << "\n";
    out << "dtype: " << (net.float64 ? "float64" : "float32") << "\n";
    out << "stored parameters: " << stored_parameter_count(net) << "\n\n";

    // The architecture: the stored .znn text (or the one rebuilt from the groups) as a graph.
    std::unique_ptr<net_graph> graph;
    std::string why_not;
    try {
        graph = std::make_unique<net_graph>(parse_net_spec_text(network_text(net), path));
    } catch (const input_error& e) {
        why_not = e.message();
    }
    if (graph) {
        describe_network(*graph, outsz, out);
    } else {
        out << "The stored layers do not form a network znn can build (" << why_not << "); as stored:\n\n";
        list_layers(net, out);
        out << "\nfield of view: unknown\n";
    }

    out << "\ntraining cfg:";
    if (net.cfg_text.empty()) {
        out << " not stored\n";
    } else {
        out << "\n";
        indent_text(net.cfg_text, out);
    }
    out << "\n";
    write_curve_table(net.curve, out, curve_rows);
}

}  // namespace znn
