// conv mode `optimize`: per conv edge, time direct and FFT convolution on the edge's real shapes once,
// when the network is built, and keep the faster for the whole run.
#include "network_state.hpp"

#include "znn/conv.hpp"

#include <chrono>
#include <iomanip>
#include <ostream>
#include <random>
#include <span>
#include <vector>

namespace znn {

namespace {

// Best-of-three seconds of fn(), each measured over enough repetitions to last about a millisecond.
template <class F>
double seconds_per_call(F&& fn)
{
    using clock = std::chrono::steady_clock;
    auto t0 = clock::now();
    fn();
    double once = std::chrono::duration<double>(clock::now() - t0).count();
    int reps = once > 1e-3 ? 1 : static_cast<int>(1e-3 / std::max(once, 1e-7)) + 1;
    double best = once;
    for (int trial = 0; trial < 3; ++trial) {
        auto t = clock::now();
        for (int r = 0; r < reps; ++r) fn();
        best = std::min(best, std::chrono::duration<double>(clock::now() - t).count() / reps);
    }
    return best;
}

template <class T>
volume<T> random_volume(vec3 shape, std::mt19937_64& rng)
{
    volume<T> v(shape);
    for (auto& x : v) x = static_cast<T>(static_cast<double>(rng() >> 11) * 0x1.0p-53 - 0.5);
    return v;
}

struct edge_costs {
    double direct, fft;
};

// Seconds per training iteration (forward, both backward products and the filter-transform refresh) or
// per forward pass (filter transforms amortised over many tiles) of the whole edge, m x n filters.
template <class T>
edge_costs estimate(network_state<T>& s, int e)
{
    const graph_edge& edge = s.graph.edges()[e];
    const graph_node& src = s.graph.nodes()[edge.from];
    const double m = src.maps(), n = s.graph.nodes()[edge.to].maps();
    const vec3 in_shape = s.sizes[edge.from], out_shape = s.sizes[edge.to];
    std::mt19937_64 rng(12345);
    volume<T> in = random_volume<T>(in_shape, rng), kernel = random_volume<T>(edge.spec->size, rng);
    volume<T> out(out_shape);

    // Direct: one group of output maps from all m input maps, the task of the executor (the same input,
    // kernel and output stand in for every map: the cost does not depend on the values).
    const int group = s.map_group(static_cast<int>(n));
    std::vector<const volume<T>*> inputs(static_cast<std::size_t>(m), &in),
        kernels(static_cast<std::size_t>(m) * group, &kernel);
    std::vector<volume<T>*> targets(group, &out);
    const double t_group = seconds_per_call([&] { conv_forward_maps<T>(inputs, kernels, src.sparsity, targets); });
    const double t_direct = t_group / group;  // per output map

    fft_transformer<T> tf(*s.plans, fft_size(in_shape));
    spectrum<T> image, filter, acc(tf.real_shape());
    tf.forward(in, vec3{0, 0, 0}, image);
    double t_transform = seconds_per_call([&] { tf.forward(in, vec3{0, 0, 0}, image); });
    tf.forward_dilated_kernel(kernel, src.sparsity, filter);
    double t_multiply = seconds_per_call([&] { multiply_accumulate(acc, image, filter); });
    double t_inverse = seconds_per_call([&] {
        spectrum<T> scratch = image;
        tf.inverse_add(scratch, s.dilated_kernel(e) - 1, vec3::one(), out);
    });

    if (s.options.training) {
        return {3 * n * t_direct,
                (m + n + m * n) * t_transform + 3 * m * n * t_multiply + (n + m + m * n) * t_inverse};
    }
    return {n * t_direct, m * t_transform + m * n * t_multiply + n * t_inverse};
}

}  // namespace

template <class T>
void choose_conv_methods(network_state<T>& s)
{
    for (const auto& edge : s.graph.edges()) {
        if (edge.type() != "conv") continue;
        const std::string& mode = s.options.conv_mode;
        if (mode == "fft" || mode == "direct") {
            s.fft[edge.index] = mode == "fft";
            continue;
        }
        edge_costs c = estimate(s, edge.index);
        s.fft[edge.index] = c.fft < c.direct;
        if (s.options.log) {
            *s.options.log << "optimize: conv " << edge.name() << " (" << s.source(edge.index).maps() << "->"
                           << s.target(edge.index).maps() << " maps, " << edge.spec->size.dims() << " filter, sparsity "
                           << s.source(edge.index).sparsity.dims() << ", input " << s.sizes[edge.from].dims()
                           << "): direct " << std::fixed << std::setprecision(2) << c.direct * 1e3 << " ms, fft "
                           << c.fft * 1e3 << " ms -> " << (s.fft[edge.index] ? "fft" : "direct") << "\n"
                           << std::defaultfloat;
        }
    }
}

template void choose_conv_methods(network_state<float>&);
template void choose_conv_methods(network_state<double>&);

}  // namespace znn
