// conv mode `optimize`: per conv edge, time direct and FFT convolution on the edge's real shapes once,
// when the network is built, and keep the faster for the whole run, as far as the FFT spectra fit the
// memory budget (engine_options::fft_memory_budget).
#include "network_state.hpp"

#include "znn/conv.hpp"

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <iomanip>
#include <ostream>
#include <random>
#include <span>
#include <vector>

#include <unistd.h>

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
    std::int64_t fft_bytes;  // spectra the edge holds when it uses FFT
};

std::int64_t default_fft_budget()
{
    const long pages = sysconf(_SC_PHYS_PAGES), page = sysconf(_SC_PAGESIZE);
    return pages > 0 && page > 0 ? static_cast<std::int64_t>(pages) * page / 2 : std::int64_t(8) << 30;
}

// Bytes per second of reading a buffer far larger than the caches: what the FFT products get, since a
// pass streams every filter spectrum (m·n of them, often GBs) once. Timing one product on one cached
// spectrum made FFT look up to twice as fast as it ran.
double streaming_bandwidth()
{
    std::vector<float> buffer(std::size_t(16) << 20, 1.0f);  // 64 MiB
    volatile float sink = 0;
    const double t = seconds_per_call([&] {
        float sum[16] = {};
        for (std::size_t i = 0; i < buffer.size(); i += 16)
            for (int l = 0; l < 16; ++l) sum[l] += buffer[i + l];
        sink = sink + sum[0] + sum[15];
    });
    return static_cast<double>(buffer.size() * sizeof(float)) / t;
}

// Seconds per training iteration (forward, both backward products and the filter-transform refresh) or
// per forward pass (filter transforms amortised over many tiles) of the whole edge, m x n filters.
template <class T>
edge_costs estimate(network_state<T>& s, int e, double bandwidth)
{
    const graph_edge& edge = s.graph.edges()[e];
    const graph_node& src = s.graph.nodes()[edge.from];
    const double m = src.maps(), n = s.graph.nodes()[edge.to].maps();
    const vec3 in_shape = s.sizes[edge.from], out_shape = s.sizes[edge.to];
    std::mt19937_64 rng(12345);
    volume<T> in = random_volume<T>(in_shape, rng), kernel = random_volume<T>(edge.spec->size, rng);
    volume<T> out(out_shape);

    // Direct: one group of output maps from all m input maps, the task of the executor (a few distinct
    // inputs stand in for the m, so that they do not all sit in L1; the values do not matter).
    const int group = s.map_group(static_cast<int>(n));
    std::vector<volume<T>> distinct(static_cast<std::size_t>(std::min(m, 8.0)) - 1, in);
    std::vector<const volume<T>*> inputs(static_cast<std::size_t>(m)),
        kernels(static_cast<std::size_t>(m) * group, &kernel);
    for (std::size_t i = 0; i < inputs.size(); ++i)
        inputs[i] = i % (distinct.size() + 1) == 0 ? &in : &distinct[i % (distinct.size() + 1) - 1];
    std::vector<volume<T>*> targets(group, &out);
    const double t_group = seconds_per_call([&] { conv_forward_maps<T>(inputs, kernels, src.sparsity, targets); });
    const double t_direct = t_group / group;  // per output map

    fft_transformer<T> tf(*s.plans, fft_size(in_shape));
    spectrum<T> image, filter, acc(tf.real_shape());
    tf.forward(in, vec3{0, 0, 0}, image);
    double t_transform = seconds_per_call([&] { tf.forward(in, vec3{0, 0, 0}, image); });
    tf.forward_dilated_kernel(kernel, src.sparsity, filter);
    // A pass reads each filter spectrum and an input spectrum per product, from memory.
    const double spectrum_bytes_read = 2.0 * static_cast<double>(acc.shape().volume()) * 2 * sizeof(T);
    const double t_multiply =
        std::max(seconds_per_call([&] { multiply_accumulate(acc, image, filter); }), spectrum_bytes_read / bandwidth);
    double t_inverse = seconds_per_call([&] {
        spectrum<T> scratch = image;
        tf.inverse_add(scratch, s.dilated_kernel(e) - 1, vec3::one(), out);
    });

    // Filter spectra, input spectra and (training) the output gradients' spectra.
    const std::int64_t spectrum_bytes = static_cast<std::int64_t>(acc.shape().volume()) * 2 * sizeof(T);
    const double spectra = m * n + m + (s.options.training ? n : 0);
    const auto bytes = static_cast<std::int64_t>(spectra * static_cast<double>(spectrum_bytes));
    if (s.options.training) {
        return {3 * n * t_direct,
                (m + n + m * n) * t_transform + 3 * m * n * t_multiply + (n + m + m * n) * t_inverse, bytes};
    }
    return {n * t_direct, m * t_transform + m * n * t_multiply + n * t_inverse, bytes};
}

}  // namespace

template <class T>
void choose_conv_methods(network_state<T>& s)
{
    const std::string& mode = s.options.conv_mode;
    std::vector<int> timed;
    std::vector<edge_costs> costs(s.graph.edges().size());
    double bandwidth = 0;  // measured when the first edge is timed
    for (const auto& edge : s.graph.edges()) {
        if (edge.type() != "conv") continue;
        if (mode == "fft" || mode == "direct") {
            s.fft[edge.index] = mode == "fft";
            continue;
        }
        if (bandwidth == 0) bandwidth = streaming_bandwidth();
        costs[edge.index] = estimate(s, edge.index, bandwidth);
        timed.push_back(edge.index);
    }
    if (timed.empty()) return;

    // FFT where it is faster, within the memory budget: most seconds saved per byte first.
    std::vector<int> faster;
    for (int e : timed)
        if (costs[e].fft < costs[e].direct) faster.push_back(e);
    std::stable_sort(faster.begin(), faster.end(), [&](int a, int b) {
        return (costs[a].direct - costs[a].fft) / static_cast<double>(costs[a].fft_bytes) >
               (costs[b].direct - costs[b].fft) / static_cast<double>(costs[b].fft_bytes);
    });
    const std::int64_t budget = s.options.fft_memory_budget > 0 ? s.options.fft_memory_budget : default_fft_budget();
    std::int64_t used = 0;
    std::vector<char> over_budget(s.graph.edges().size(), 0);
    for (int e : faster) {
        if (used + costs[e].fft_bytes <= budget) {
            s.fft[e] = 1;
            used += costs[e].fft_bytes;
        } else {
            over_budget[e] = 1;
        }
    }

    if (!s.options.log) return;
    constexpr double mib = 1024.0 * 1024.0;
    for (int e : timed) {
        const graph_edge& edge = s.graph.edges()[e];
        const edge_costs& c = costs[e];
        *s.options.log << "optimize: conv " << edge.name() << " (" << s.source(e).maps() << "->" << s.target(e).maps()
                       << " maps, " << edge.spec->size.dims() << " filter, sparsity " << s.source(e).sparsity.dims()
                       << ", input " << s.sizes[edge.from].dims() << "): direct " << std::fixed << std::setprecision(2)
                       << c.direct * 1e3 << " ms, fft " << c.fft * 1e3 << " ms, fft spectra "
                       << std::setprecision(0) << c.fft_bytes / mib << " MiB -> " << (s.fft[e] ? "fft" : "direct")
                       << (over_budget[e] ? " (fft is faster but over the memory budget)" : "") << "\n"
                       << std::defaultfloat;
    }
    if (!faster.empty())
        *s.options.log << "optimize: fft spectra " << std::fixed << std::setprecision(0) << used / mib << " MiB of a "
                       << budget / mib << " MiB budget\n"
                       << std::defaultfloat;
}

template void choose_conv_methods(network_state<float>&);
template void choose_conv_methods(network_state<double>&);

}  // namespace znn
