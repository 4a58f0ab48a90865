#include "znn/net_params.hpp"

#include "znn/error.hpp"

#include <cmath>
#include <sstream>

namespace znn {

namespace {

std::string join_doubles(const std::vector<double>& v)
{
    std::string s;
    for (std::size_t i = 0; i < v.size(); ++i) {
        if (i) s += ",";
        std::ostringstream os;
        os.precision(17);
        os << v[i];
        s += os.str();
    }
    return s;
}

void note_non_finite(load_report& report, const std::string& name, const std::vector<double>& values)
{
    std::size_t bad = 0;
    for (double v : values) bad += !std::isfinite(v);
    if (bad)
        report.non_finite.push_back(name + ": " + std::to_string(bad) + " of " + std::to_string(values.size()) +
                                    " values are NaN or infinite");
}

}  // namespace

void require_finite(const load_report& report, const std::string& file)
{
    if (report.non_finite.empty()) return;
    std::string what;
    for (const auto& s : report.non_finite) what += "; " + s;
    throw input_error(file, 0, "the network's parameters are not all finite (its training diverged?)" + what);
}

template <class T>
std::vector<layer_record> network_layers(network<T>& net)
{
    const net_graph& g = net.graph();
    std::vector<layer_record> layers;
    for (const auto& n : g.nodes()) {
        layer_record r;
        r.name = n.name();
        r.is_edge = false;
        for (const auto& [key, value] : n.spec->properties)
            if (key != "size") r.strings.emplace_back(key, value);
        r.size = vec3{0, 0, n.maps()};
        if (n.spec->type == "transfer") {
            r.biases.assign(net.biases(n.index).begin(), net.biases(n.index).end());
            r.bias_momentum.assign(net.bias_momentum(n.index).begin(), net.bias_momentum(n.index).end());
            if (!n.spec->property_lines.count("function_args") && !n.spec->function_args.empty())
                r.strings.emplace_back("function_args", join_doubles(n.spec->function_args));
        }
        layers.push_back(std::move(r));
    }
    for (const auto& e : g.edges()) {
        layer_record r;
        r.name = e.name();
        r.is_edge = true;
        for (const auto& [key, value] : e.spec->properties)
            if (key != "size" && key != "stride" && key != "fft") r.strings.emplace_back(key, value);
        r.size = e.spec->size;
        r.stride = e.spec->stride;
        if (e.type() == "conv") {
            r.strings.emplace_back("fft", net.uses_fft(e.index) ? "1" : "0");
            r.n_in = g.nodes()[e.from].maps();
            r.n_out = g.nodes()[e.to].maps();
            for (const auto& f : net.filters(e.index)) r.filters.insert(r.filters.end(), f.begin(), f.end());
            for (const auto& f : net.filter_momentum(e.index))
                r.filter_momentum.insert(r.filter_momentum.end(), f.begin(), f.end());
        }
        layers.push_back(std::move(r));
    }
    return layers;
}

template <class T>
load_report load_parameters(network<T>& net, const net_file& file, bool seeding)
{
    const net_graph& g = net.graph();
    load_report report;
    for (const auto& e : g.edges()) {
        if (e.type() != "conv") continue;
        if (seeding && !e.spec->seeding) {
            report.skipped.push_back(e.name() + ": marked `seeding 0`");
            continue;
        }
        const layer_record* r = file.find(e.name());
        const std::int64_t n_in = g.nodes()[e.from].maps(), n_out = g.nodes()[e.to].maps();
        if (!r || !r->is_edge || r->filters.empty()) {
            report.skipped.push_back(e.name() + ": not in the file");
            continue;
        }
        if (r->n_in != n_in || r->n_out != n_out || r->size != e.spec->size) {
            report.skipped.push_back(e.name() + ": the file has " + std::to_string(r->n_in) + "->" + std::to_string(r->n_out) +
                                     " maps of " + r->size.dims() + ", the network " + std::to_string(n_in) + "->" +
                                     std::to_string(n_out) + " of " + e.spec->size.dims());
            continue;
        }
        note_non_finite(report, e.name(), r->filters);
        auto& filters = net.filters(e.index);
        auto& momentum = net.filter_momentum(e.index);
        const std::size_t k = static_cast<std::size_t>(e.spec->size.volume());
        for (std::size_t f = 0; f < filters.size(); ++f) {
            for (std::size_t v = 0; v < k; ++v) filters[f][v] = static_cast<T>(r->filters[f * k + v]);
            if (r->filter_momentum.size() == r->filters.size())
                for (std::size_t v = 0; v < k; ++v) momentum[f][v] = static_cast<T>(r->filter_momentum[f * k + v]);
        }
        report.loaded.push_back(e.name());
    }
    for (const auto& n : g.nodes()) {
        if (n.spec->type != "transfer") continue;
        const layer_record* r = file.find(n.name());
        if (!r || r->is_edge || r->biases.empty()) {
            report.skipped.push_back(n.name() + ": not in the file");
            continue;
        }
        if (static_cast<int>(r->biases.size()) != n.maps()) {
            report.skipped.push_back(n.name() + ": the file has " + std::to_string(r->biases.size()) +
                                     " biases, the network " + std::to_string(n.maps()));
            continue;
        }
        note_non_finite(report, n.name(), r->biases);
        auto& b = net.biases(n.index);
        auto& m = net.bias_momentum(n.index);
        for (std::size_t j = 0; j < b.size(); ++j) {
            b[j] = static_cast<T>(r->biases[j]);
            if (r->bias_momentum.size() == b.size()) m[j] = static_cast<T>(r->bias_momentum[j]);
        }
        report.loaded.push_back(n.name());
    }
    net.parameters_changed();
    return report;
}

template std::vector<layer_record> network_layers(network<float>&);
template std::vector<layer_record> network_layers(network<double>&);
template load_report load_parameters(network<float>&, const net_file&, bool);
template load_report load_parameters(network<double>&, const net_file&, bool);

}  // namespace znn
