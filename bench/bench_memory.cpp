#include "bench_memory.hpp"

#include "znn/activation_plan.hpp"
#include "znn/fft.hpp"

namespace znn::bench {

namespace {

std::int64_t spectrum_bytes(vec3 real_shape)
{
    const vec3 n = fft_size(real_shape);
    return n.z * n.y * (n.x / 2 + 1) * static_cast<std::int64_t>(sizeof(std::complex<float>));
}

}  // namespace

memory_estimate estimate_memory(const net_graph& g, const std::vector<vec3>& sizes, const std::vector<char>& fft,
                                bool training)
{
    memory_estimate m;
    // The maps as the network keeps them (an inference network shares storage between layers), and
    // when training each node's gradient.
    m.maps_bytes = plan_activations(g, sizes, !training, sizeof(float)).total_values() *
                   static_cast<std::int64_t>(sizeof(float));
    for (const auto& n : g.nodes()) {
        const std::int64_t bytes = n.maps() * sizes[n.index].volume() * static_cast<std::int64_t>(sizeof(float));
        if (training && n.spec->type != "input") m.maps_bytes += bytes;
        bool feeds_fft = false;
        for (int e : n.out_edges) feeds_fft = feeds_fft || fft[e];
        if (feeds_fft) m.other_spectra_bytes += n.maps() * spectrum_bytes(sizes[n.index]);
    }
    for (const auto& e : g.edges()) {
        if (!fft[e.index]) continue;
        const std::int64_t one = spectrum_bytes(sizes[e.from]);
        const std::int64_t n_in = g.nodes()[e.from].maps(), n_out = g.nodes()[e.to].maps();
        m.kernel_spectra_bytes += n_in * n_out * one;
        if (training) m.other_spectra_bytes += n_out * one;
    }
    return m;
}

}  // namespace znn::bench
