// network<T>: construction, parameters and the SGD update. The passes are in network_forward.cpp and
// network_backward.cpp; the choice between direct, Winograd and FFT convolution in conv_choice.cpp.
#include "network_state.hpp"

#include "znn/error.hpp"
#include "znn/init.hpp"

#include <memory>
#include <random>
#include <stdexcept>
#include <string>

namespace znn {

namespace {

template <class T>
void check_supported(const network_state<T>& s)
{
    for (const auto& e : s.graph.edges()) {
        if (e.spec->repeat != vec3::one())
            throw input_error(s.graph.spec().path, e.spec->line,
                              "edges " + e.name() + ": `repeat` (weight tying) is not supported by znn yet");
    }
}

template <class T>
void allocate_maps(network_state<T>& s)
{
    const auto& nodes = s.graph.nodes();
    s.act.resize(nodes.size());
    s.grad.resize(nodes.size());
    s.transfer.resize(nodes.size());
    s.bias.resize(nodes.size());
    s.bias_momentum.resize(nodes.size());
    s.bias_grad.resize(nodes.size());
    s.maxout_winner.resize(nodes.size());
    s.activations = plan_activations(s.graph, s.sizes, !s.options.training, sizeof(T));
    s.activation_storage.clear();
    for (std::int64_t values : s.activations.storage_values)
        s.activation_storage.emplace_back(static_cast<std::size_t>(values), T(0));
    for (const auto& n : nodes) {
        vec3 size = s.sizes[n.index];
        T* storage = s.activation_storage[static_cast<std::size_t>(s.activations.storage[n.index])].data();
        const std::int64_t map_values = activation_map_values(size, sizeof(T));
        s.act[n.index].clear();
        for (int j = 0; j < n.maps(); ++j) s.act[n.index].push_back(volume<T>::view(storage + j * map_values, size));
        if (n.spec->type != "input" && s.options.training) s.grad[n.index].assign(n.maps(), volume<T>(size));
        if (n.spec->type == "transfer") {
            s.transfer[n.index] = make_transfer_function(n.spec->function, n.spec->function_args);
            s.bias[n.index].assign(n.maps(), T(0));
            s.bias_momentum[n.index].assign(n.maps(), T(0));
            s.bias_grad[n.index].assign(n.maps(), T(0));
        }
        if (n.spec->type == "maxout") s.maxout_winner[n.index].assign(n.maps(), volume<std::uint16_t>(size));
    }
    const auto& edges = s.graph.edges();
    s.filter.resize(edges.size());
    s.filter_momentum.resize(edges.size());
    s.filter_grad.resize(edges.size());
    s.argmax.resize(edges.size());
    s.dropout_scale.resize(edges.size());
    s.padded_grad.resize(edges.size());
    s.fft.assign(edges.size(), 0);
    s.winograd.assign(edges.size(), 0);
    s.winograd_filter_grad.assign(edges.size(), 0);
    s.winograd_fused.assign(edges.size(), 0);
    for (const auto& e : edges) {
        const edge_spec& spec = *e.spec;
        int n_in = s.graph.nodes()[e.from].maps(), n_out = s.graph.nodes()[e.to].maps();
        if (spec.type == "conv") {
            std::size_t count = static_cast<std::size_t>(n_in) * n_out;
            s.filter[e.index].assign(count, volume<T>(spec.size));
            s.filter_momentum[e.index].assign(count, volume<T>(spec.size));
            if (s.options.training) s.filter_grad[e.index].assign(count, volume<T>(spec.size));
        } else if (spec.type == "max_filter" || spec.type == "max_pool") {
            s.argmax[e.index].resize(n_in);
        } else if (spec.type == "dropout") {
            s.dropout_scale[e.index].assign(n_in, volume<T>(s.sizes[e.from]));
        }
    }
}

// Filters in edge file order, then biases in node file order: one reproducible stream per seed.
template <class T>
void initialize_parameters(network_state<T>& s)
{
    std::mt19937_64 rng(s.seed);
    for (const auto& e : s.graph.edges()) {
        if (e.type() != "conv") continue;
        const edge_spec& spec = *e.spec;
        int n_in = s.graph.nodes()[e.from].maps(), n_out = s.graph.nodes()[e.to].maps();
        initializer init;
        try {
            init = make_initializer(spec.init, spec.init_args);
        } catch (const std::invalid_argument& err) {
            throw input_error(s.graph.spec().path, spec.line, "edges " + spec.name + ": " + err.what());
        }
        double fan_in = conv_fan(n_in, spec.size), fan_out = conv_fan(n_out, spec.size);
        for (auto& w : s.filter[e.index]) initialize(init, w.span(), rng, fan_in, fan_out);
    }
    for (const auto& n : s.graph.nodes()) {
        if (n.spec->type != "transfer") continue;
        initializer init;
        try {
            init = make_initializer(n.spec->init, n.spec->init_args);
        } catch (const std::invalid_argument& err) {
            throw input_error(s.graph.spec().path, n.spec->line, "nodes " + n.name() + ": " + err.what());
        }
        auto& b = s.bias[n.index];
        initialize(init, std::span<T>(b.data(), b.size()), rng, double(n.maps()), double(n.maps()));
    }
}

template <class T>
void prepare_fft(network_state<T>& s)
{
    const auto& nodes = s.graph.nodes();
    s.transformer.assign(nodes.size(), std::nullopt);
    s.image_spectra.assign(nodes.size(), {});
    s.kernel_spectra.assign(s.graph.edges().size(), {});
    s.grad_spectra.assign(s.graph.edges().size(), {});
    for (const auto& n : nodes) {
        if (!s.feeds_fft(n.index)) continue;
        s.transformer[n.index].emplace(*s.plans, fft_size(s.sizes[n.index]));
        s.image_spectra[n.index].resize(n.maps());
    }
    for (const auto& e : s.graph.edges()) {
        if (!s.fft[e.index]) continue;
        s.kernel_spectra[e.index].resize(s.filter[e.index].size());
        if (s.options.training) s.grad_spectra[e.index].resize(s.graph.nodes()[e.to].maps());
    }
    s.kernels_fresh = false;
}

// The transforms of the Winograd edges, in the storages of plan_winograd_storages.
template <class T>
void prepare_winograd(network_state<T>& s)
{
    const auto& edges = s.graph.edges();
    const auto& nodes = s.graph.nodes();
    s.winograd_forward_tiling.assign(edges.size(), winograd_tiling{});
    for (const auto& e : edges)
        if (s.winograd[e.index]) s.winograd_forward_tiling[e.index] = s.winograd_input_tiling(e.index);
    s.winograd_input.assign(edges.size(), std::nullopt);
    s.winograd_grad.assign(edges.size(), std::nullopt);
    s.winograd_filter_input.assign(edges.size(), std::nullopt);
    s.winograd_out_grad.assign(edges.size(), std::nullopt);
    s.winograd_filter_sums.assign(edges.size(), std::nullopt);
    s.winograd_forward_filters.assign(edges.size(), {});
    s.winograd_backward_filters.assign(edges.size(), {});
    const winograd_storage_plan plan = plan_winograd_storages(s, s.winograd);
    s.winograd_input_after = plan.input_after;
    s.winograd_grad_after = plan.grad_after;
    s.winograd_filter_after = plan.filter_after;
    for (std::size_t k = 0; k < plan.sizes.size(); ++k) {
        auto storage = std::make_shared<volume<T>>(vec3{1, 1, static_cast<std::int64_t>(plan.sizes[k])});
        for (int e : plan.forward[k])
            s.winograd_input[e].emplace(s.winograd_input_tiling(e), static_cast<std::size_t>(nodes[edges[e].from].maps()),
                                        storage);
        for (int e : plan.backward[k])
            s.winograd_grad[e].emplace(s.winograd_grad_tiling(e), static_cast<std::size_t>(nodes[edges[e].to].maps()),
                                       storage);
        for (int e : plan.filter_inputs[k])
            s.winograd_filter_input[e].emplace(s.winograd_input_tiling(e),
                                               static_cast<std::size_t>(nodes[edges[e].from].maps()), storage);
        for (int e : plan.gradients[k]) {
            const auto m = static_cast<std::size_t>(nodes[edges[e].from].maps());
            const auto n = static_cast<std::size_t>(nodes[edges[e].to].maps());
            s.winograd_out_grad[e].emplace(s.winograd_input_tiling(e), n, storage);
            s.winograd_filter_sums[e].emplace(s.winograd_input_tiling(e), m, n);
        }
    }
}

}  // namespace

template <class T>
network<T>::network(const net_graph& graph, vec3 output_size, const engine_options& options, std::uint64_t seed)
    : s_(std::make_unique<network_state<T>>(graph, output_size, options))
{
    network_state<T>& s = *s_;
    if (options.conv_mode != "fft" && options.conv_mode != "direct" && options.conv_mode != "winograd" &&
        options.conv_mode != "optimize")
        throw input_error("conv mode '" + options.conv_mode + "' is not one of fft, direct, winograd, optimize");
    if (options.winograd_tile != 0 && options.winograd_tile != 6 && options.winograd_tile != 8)
        throw input_error("winograd tile " + std::to_string(options.winograd_tile) + " is not one of 0 (optimize chooses), 6, 8");
    s.seed = seed;
    check_supported(s);
    allocate_maps(s);
    initialize_parameters(s);
    const bool measure = options.measure_fft_plans || !options.fft_wisdom.empty();
    if (!options.fft_wisdom.empty()) import_fft_wisdom<T>(options.fft_wisdom);
    s.plans = std::make_shared<fft_plan_cache<T>>(measure ? fft_planning::measure : fft_planning::estimate);
    choose_conv_methods(s);
    prepare_fft(s);
    prepare_winograd(s);
    build_forward_tasks(s);
    if (options.training) build_backward_tasks(s);
    if (!options.fft_wisdom.empty()) {
        refresh_kernel_spectra(s);  // plans every transform shape now, so the wisdom holds them all
        export_fft_wisdom<T>(options.fft_wisdom);
    }
}

template <class T>
network<T>::~network() = default;
template <class T>
network<T>::network(network&&) noexcept = default;
template <class T>
network<T>& network<T>::operator=(network&&) noexcept = default;

template <class T>
const net_graph& network<T>::graph() const
{
    return s_->graph;
}
template <class T>
vec3 network<T>::output_size() const
{
    return s_->output_size;
}
template <class T>
const std::vector<vec3>& network<T>::node_sizes() const
{
    return s_->sizes;
}
template <class T>
vec3 network<T>::input_size() const
{
    return s_->sizes[s_->graph.inputs().front()];
}

template <class T>
void network<T>::forward(const std::vector<maps<T>>& inputs)
{
    run_forward(inputs, s_->options.training);
}

template <class T>
void network<T>::evaluate(const std::vector<maps<T>>& inputs)
{
    run_forward(inputs, false);
}

template <class T>
void network<T>::run_forward(const std::vector<maps<T>>& inputs, bool dropout)
{
    network_state<T>& s = *s_;
    const auto& in_nodes = s.graph.inputs();
    if (inputs.size() != in_nodes.size())
        throw std::invalid_argument("forward: " + std::to_string(inputs.size()) + " inputs given, the network has " +
                                    std::to_string(in_nodes.size()));
    for (std::size_t k = 0; k < inputs.size(); ++k) {
        const graph_node& node = s.graph.nodes()[in_nodes[k]];
        if (static_cast<int>(inputs[k].size()) != node.maps())
            throw std::invalid_argument("forward: input '" + node.name() + "' needs " + std::to_string(node.maps()) +
                                        " maps, got " + std::to_string(inputs[k].size()));
        for (const auto& m : inputs[k])
            if (m.shape() != s.sizes[node.index])
                throw std::invalid_argument("forward: input '" + node.name() + "' needs maps of " +
                                            s.sizes[node.index].dims() + ", got " + m.shape().dims());
    }
    if (!s.kernels_fresh) refresh_kernel_spectra(s);
    ++s.passes;
    s.dropout = dropout;
    s.given_inputs = &inputs;
    s.pool.run(s.forward_tasks);
    s.given_inputs = nullptr;
}

template <class T>
const maps<T>& network<T>::output(std::size_t k) const
{
    return s_->act[s_->graph.outputs().at(k)];
}

template <class T>
const maps<T>& network<T>::activation(int node) const
{
    const maps<T>& a = s_->act.at(node);
    if (!s_->activations.kept[static_cast<std::size_t>(node)])
        throw std::logic_error("activation(): the maps of node '" + s_->graph.nodes()[node].name() +
                               "' are not kept by an inference network (a later layer reuses their memory)");
    return a;
}

template <class T>
void network<T>::backward(const std::vector<maps<T>>& output_grads)
{
    network_state<T>& s = *s_;
    if (!s.options.training) throw std::logic_error("backward() on a network built for forward passes only");
    const auto& outs = s.graph.outputs();
    if (output_grads.size() != outs.size())
        throw std::invalid_argument("backward: " + std::to_string(output_grads.size()) +
                                    " output gradients given, the network has " + std::to_string(outs.size()));
    s.given_output_grads.clear();
    for (std::size_t k = 0; k < outs.size(); ++k) {
        const maps<T>& g = output_grads[k];
        if (g.size() != s.act[outs[k]].size()) throw std::invalid_argument("backward: wrong number of output maps");
        for (const auto& m : g)
            if (m.shape() != s.sizes[outs[k]]) throw std::invalid_argument("backward: wrong output gradient shape");
        s.given_output_grads.push_back(&g);
    }
    s.pool.run(s.backward_tasks);
    s.given_output_grads.clear();
}

template <class T>
const maps<T>& network<T>::gradient(int node) const
{
    return s_->grad.at(node);
}

template <class T>
void network<T>::update(double eta, double momentum, double weight_decay, double patch_voxels)
{
    network_state<T>& s = *s_;
    const T m = static_cast<T>(momentum);
    const T step = static_cast<T>(eta / patch_voxels);
    const T decay = static_cast<T>(eta * weight_decay);
    // One job per filter or bias vector; each touches only its own values.
    struct job {
        T* w;
        T* v;
        const T* g;
        std::size_t n;
    };
    std::vector<job> jobs;
    for (std::size_t e = 0; e < s.filter.size(); ++e)
        for (std::size_t k = 0; k < s.filter[e].size(); ++k)
            jobs.push_back({s.filter[e][k].data(), s.filter_momentum[e][k].data(), s.filter_grad[e][k].data(),
                            s.filter[e][k].size()});
    for (std::size_t n = 0; n < s.bias.size(); ++n)
        if (!s.bias[n].empty())
            jobs.push_back({s.bias[n].data(), s.bias_momentum[n].data(), s.bias_grad[n].data(), s.bias[n].size()});
    s.pool.parallel_for(jobs.size(), [&](std::size_t k) {
        const job& j = jobs[k];
        for (std::size_t i = 0; i < j.n; ++i) {
            j.v[i] = m * j.v[i] - step * j.g[i] - decay * j.w[i];
            j.w[i] += j.v[i];
        }
    });
    s.kernels_fresh = false;
}

template <class T>
std::vector<volume<T>>& network<T>::filters(int edge)
{
    return s_->filter.at(edge);
}
template <class T>
std::vector<volume<T>>& network<T>::filter_momentum(int edge)
{
    return s_->filter_momentum.at(edge);
}
template <class T>
const std::vector<volume<T>>& network<T>::filter_gradients(int edge) const
{
    return s_->filter_grad.at(edge);
}
template <class T>
std::vector<T>& network<T>::biases(int node)
{
    return s_->bias.at(node);
}
template <class T>
std::vector<T>& network<T>::bias_momentum(int node)
{
    return s_->bias_momentum.at(node);
}
template <class T>
const std::vector<T>& network<T>::bias_gradients(int node) const
{
    return s_->bias_grad.at(node);
}
template <class T>
void network<T>::parameters_changed()
{
    s_->kernels_fresh = false;
}
template <class T>
bool network<T>::uses_fft(int edge) const
{
    return s_->fft.at(edge) != 0;
}
template <class T>
bool network<T>::uses_winograd(int edge) const
{
    return s_->winograd.at(edge) != 0;
}

template <class T>
bool network<T>::uses_winograd_filter_gradients(int edge) const
{
    return s_->winograd_filter_grad.at(edge) != 0;
}
template <class T>
bool network<T>::uses_fused_winograd(int edge) const
{
    return s_->winograd_fused.at(edge) != 0;
}
template <class T>
int network<T>::winograd_tile(int edge) const
{
    return s_->winograd.at(edge) != 0 ? s_->winograd_alpha.at(edge) : 0;
}
template <class T>
int network<T>::threads() const
{
    return s_->pool.threads();
}

template <class T>
void network<T>::log_tasks(task_log* log)
{
    s_->pool.log_tasks(log);
}

template class network<float>;
template class network<double>;

}  // namespace znn
