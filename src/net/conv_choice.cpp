// conv mode `optimize`: per conv edge, time direct, Winograd (where the filter allows it, in 6 x 6 and
// 8 x 8 tiles) and FFT convolution on the edge's real shapes once, when the network is built, and keep the fastest for the
// whole run, as far as the FFT spectra and Winograd transforms fit the memory budget
// (engine_options::fft_memory_budget). Mode `winograd` takes Winograd wherever it applies.
#include "network_state.hpp"

#include "znn/conv.hpp"
#include "znn/conv_winograd.hpp"
#include "znn/conv_winograd_kernel.hpp"

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <iomanip>
#include <limits>
#include <ostream>
#include <random>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include <unistd.h>

namespace znn {

namespace {

// Best-of-three seconds of fn(), each measured over enough repetitions to last about a millisecond;
// a call of more than a quarter of a second (a whole layer of ZNNi's networks) is timed once more
// after the first, not three times, which cut n337's start-up by a third; one of more than 4 s (a
// slab of n926's 9x9x9 80->80 layers) only once: the first call's page faults and cold caches are a
// few percent of it, and n926 spent 7 minutes in set-up.
template <class F>
double seconds_per_call(F&& fn)
{
    using clock = std::chrono::steady_clock;
    auto t0 = clock::now();
    fn();
    double once = std::chrono::duration<double>(clock::now() - t0).count();
    int reps = once > 1e-3 ? 1 : static_cast<int>(1e-3 / std::max(once, 1e-7)) + 1;
    const int trials = once > 4 ? 0 : once > 0.25 ? 1 : 3;
    double best = once;
    for (int trial = 0; trial < trials; ++trial) {
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

// The Winograd tile sides edge e may use, the default first: those engine_options::winograd_tile allows
// and the filter takes (6 x 6 for every filter Winograd takes, 8 x 8 for those square in y and x).
template <class T>
std::vector<int> winograd_tiles(const network_state<T>& s, int e)
{
    const vec3 kernel = s.graph.edges()[e].spec->size;
    const int wanted = s.options.winograd_tile;
    if (wanted != 0) return {winograd_supports_alpha(kernel, wanted) ? wanted : 6};
    if (s.options.conv_mode != "optimize" || !winograd_supports_alpha(kernel, 8)) return {6};
    return {6, 8};
}

struct edge_costs {
    double direct = 0, fft = 0;       // fft < 0: not timed, its spectra alone exceed the memory budget
    std::int64_t fft_bytes = 0;       // spectra the edge holds when it uses FFT
    double winograd = -1;             // < 0: the filter does not allow Winograd
    std::int64_t winograd_bytes = 0;  // its own transforms: orders the candidates (the budget counts shared storages)
    bool winograd_filter_grad = false;  // training by Winograd: its filter gradients too (faster than direct)
    bool winograd_fused = false;        // its forward pass fused (winograd_forward_fused: faster than stored)
    bool stored_over_budget = false;    // fused because its stored transforms alone exceed the budget
    int winograd_alpha = 6;             // its transformed tile side (the faster of those timed)
    // The other tile side's Winograd, when it was timed too (winograd_other < 0: not timed).
    double winograd_other = -1;
    int other_alpha = 6;
    bool other_fused = false, other_over_budget = false;
    std::int64_t other_bytes = 0;
    // Inference, a filter whose forward pass is not fused by choice (deeper than a plane, sparse, or in
    // pieces) and whose stored transforms would take much of the memory budget: the fused pass timed too
    // (< 0: not timed), taken where the stored transforms do not fit. It stores nothing.
    double fused_fallback = -1;
    int fallback_alpha = 6;
    bool timed_twice = false;           // a close call (close_call), timed again
    bool timed_whole = false;           // timed as the executor runs it, whole layer on all threads (layer_trial)
    bool tiles_timed_whole = false;     // only Winograd's two tile sizes timed so (trial::tiles)
    double spatial() const { return winograd >= 0 ? std::min(direct, winograd) : direct; }
};

// The times of the fastest and second fastest methods timed for an edge (the second infinite when only
// direct was timed).
std::pair<double, double> two_fastest(const edge_costs& c)
{
    std::vector<double> t{c.direct, std::numeric_limits<double>::infinity()};
    if (c.winograd >= 0) t.push_back(c.winograd);
    if (c.fft >= 0) t.push_back(c.fft);
    std::sort(t.begin(), t.end());
    return {t[0], t[1]};
}

// Whether the two fastest methods timed for an edge lie within 15% of each other: one timing on a busy
// machine can flip such a choice (N4's conv2 on the 2-vCPU VM: direct 353 ms against Winograd 379
// in one run, the other way round in the next).
bool close_call(const edge_costs& c)
{
    const auto [fastest, second] = two_fastest(c);
    return second < 1.15 * fastest;
}

// The faster of two timings of each method (best-of, as seconds_per_call): taken for close calls.
edge_costs faster_of(edge_costs a, const edge_costs& b)
{
    a.direct = std::min(a.direct, b.direct);
    if (a.winograd >= 0 && b.winograd >= 0) {
        if (b.winograd < a.winograd) {
            a.winograd_filter_grad = b.winograd_filter_grad;
            a.winograd_fused = b.winograd_fused;
            a.stored_over_budget = b.stored_over_budget;
            a.winograd_alpha = b.winograd_alpha;
            a.winograd_bytes = b.winograd_bytes;
            a.winograd_other = b.winograd_other;
            a.other_alpha = b.other_alpha;
            a.other_fused = b.other_fused;
            a.other_over_budget = b.other_over_budget;
            a.other_bytes = b.other_bytes;
        }
        a.winograd = std::min(a.winograd, b.winograd);
    }
    if (b.fused_fallback >= 0 && (a.fused_fallback < 0 || b.fused_fallback < a.fused_fallback)) {
        a.fused_fallback = b.fused_fallback;
        a.fallback_alpha = b.fallback_alpha;
    }
    if (a.fft >= 0 && b.fft >= 0) a.fft = std::min(a.fft, b.fft);
    a.timed_twice = true;
    return a;
}

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
edge_costs estimate(network_state<T>& s, int e, double bandwidth, std::int64_t budget)
{
    const graph_edge& edge = s.graph.edges()[e];
    const graph_node& src = s.graph.nodes()[edge.from];
    const double m = src.maps(), n = s.graph.nodes()[edge.to].maps();
    const vec3 in_shape = s.sizes[edge.from], out_shape = s.sizes[edge.to];
    // Direct and Winograd time a slab of the output planes of a layer of many (ZNNi's networks: 100
    // and more, seconds per whole-layer call), scaled up: every plane costs the same once the slab's
    // transforms, like the whole layer's, no longer fit the caches. At least 16 planes: 3 planes of a
    // 20-plane layer (5x5x5 48->48 on 24x48x48) timed Winograd at 183-191 ms for a 212 ms layer, and
    // optimize took it over FFT (181 ms).
    const std::int64_t slab = out_shape.z > 32 ? std::max<std::int64_t>((out_shape.z + 7) / 8, 16) : out_shape.z;
    const vec3 out_slab{slab, out_shape.y, out_shape.x}, in_slab{slab + s.dilated_kernel(e).z - 1, in_shape.y, in_shape.x};
    const double out_scale = static_cast<double>(out_shape.z) / static_cast<double>(slab);
    const double in_scale = static_cast<double>(in_shape.z) / static_cast<double>(in_slab.z);
    std::mt19937_64 rng(12345);
    volume<T> in = random_volume<T>(in_slab, rng), kernel = random_volume<T>(edge.spec->size, rng);
    volume<T> out(out_slab);

    // Direct: one group of output maps from all m input maps, the task of the executor (a few distinct
    // inputs stand in for the m, so that they do not all sit in L1; the values do not matter). Every
    // output plane costs direct convolution the same: a layer of many planes is timed on 4 of them
    // (the slab's 16 took n926's conv2 15 s).
    const int group = s.map_group(static_cast<int>(n));
    std::vector<volume<T>> distinct(static_cast<std::size_t>(std::min(m, 8.0)) - 1, in);
    std::vector<const volume<T>*> inputs(static_cast<std::size_t>(m)),
        kernels(static_cast<std::size_t>(m) * group, &kernel);
    const std::int64_t direct_planes = out_shape.z > 32 ? 4 : slab;
    const vec3 direct_in{direct_planes + s.dilated_kernel(e).z - 1, in_shape.y, in_shape.x};
    std::vector<volume<T>> direct_views;  // the first planes of `in` and `distinct`
    direct_views.push_back(volume<T>::view(in.data(), direct_in));
    for (auto& d : distinct) direct_views.push_back(volume<T>::view(d.data(), direct_in));
    for (std::size_t i = 0; i < inputs.size(); ++i) inputs[i] = &direct_views[i % direct_views.size()];
    volume<T> direct_out = volume<T>::view(out.data(), vec3{direct_planes, out_shape.y, out_shape.x});
    std::vector<volume<T>*> targets(group, &direct_out);
    const double t_group = seconds_per_call([&] { conv_forward_maps<T>(inputs, kernels, src.sparsity, targets); });
    const double t_direct = t_group / group * static_cast<double>(out_shape.z) / static_cast<double>(direct_planes);
    // The Winograd timings below read the whole slab.
    for (std::size_t i = 0; i < inputs.size(); ++i)
        inputs[i] = i % (distinct.size() + 1) == 0 ? &in : &distinct[i % (distinct.size() + 1) - 1];
    // A training pass takes the gradient to the source too, unless the source is an input.
    const double products = !s.options.training ? 1 : src.spec->type == "input" ? 2 : 3;

    edge_costs costs;
    costs.direct = products * n * t_direct;
    // Winograd in each tile size the filter takes (6 x 6, and 8 x 8 for filters square in y and x), the
    // faster kept: 8 x 8 tiles take fewer multiplications but need planes of many tiles to run their
    // products at speed (5x5x5 48->48 on 24x48x48, one thread: 35-38 ms against 63-65 for 6 x 6;
    // 3x3x3 48->48 there 15.1-15.2 against 14.0-14.3 ms).
    const std::vector<int> tiles =
        winograd_supports(edge.spec->size, src.sparsity) ? winograd_tiles(s, e) : std::vector<int>{};
    for (const int alpha : tiles) {
        // As the executor runs it: one transform per input map, then all n output maps in one call with
        // filters transformed beforehand (region tasks). The gradient to the input costs about as much
        // again (m and n swapped); the filter gradient is timed by Winograd and taken where that beats
        // direct.
        edge_costs w;
        const winograd_tiling tiling(in_slab, edge.spec->size, src.sparsity, alpha);
        const std::vector<const volume<T>*> all_kernels(static_cast<std::size_t>(m * n), &kernel);
        const std::vector<volume<T>*> all_targets(static_cast<std::size_t>(n), &out);
        const winograd_filters<T> filters =
            winograd_filters<T>::forward(tiling, all_kernels, static_cast<std::size_t>(m), static_cast<std::size_t>(n));
        // The forward pass fused, reading m distinct maps as the layer does: a few copies would sit in
        // cache and time it up to a third faster than it runs (N4's conv3).
        auto time_fused = [&] {
            const std::vector<volume<T>> own(static_cast<std::size_t>(m), in);
            std::vector<const volume<T>*> own_inputs;
            for (const auto& v : own) own_inputs.push_back(&v);
            return seconds_per_call([&] { winograd_forward_fused<T>(tiling, own_inputs, filters, all_targets); }) *
                   out_scale;
        };
        const double per_map = static_cast<double>(in_shape.z * tiling.components() * tiling.stride * tiling.pieces());
        double filter_bytes = 0;  // the filter gradients' transforms of the inputs and output gradients
        if (!s.options.training && winograd_fused_supports(edge.spec->size) &&
            m * per_map * sizeof(T) > static_cast<double>(budget)) {
            // The stored transforms alone exceed the budget: only the fused pass can run. Timing the
            // stored form too held its transforms of the slab (n926 at 24x24x24 peaked at 16 GiB in
            // set-up under an 8 GiB cap) and took minutes.
            w.winograd = time_fused();
            w.winograd_fused = w.stored_over_budget = true;
        } else {
            winograd_maps<T> transformed(tiling, inputs.size());
            for (std::size_t i = 0; i < inputs.size(); ++i) transformed.transform(i, *inputs[i]);
            const double t_transform = seconds_per_call([&] { transformed.transform(0, in); }) * in_scale;
            const double t_all =
                seconds_per_call([&] { winograd_forward_maps<T>(transformed, filters, all_targets); }) * out_scale;
            w.winograd = m * t_transform + t_all;
            if (s.may_fuse_winograd(e)) {
                // Taken unless the stored form is clearly faster: it stores nothing, and where the
                // one-thread timings lay within a few percent (1x4x4 48->48 on 1x256x256) alternated
                // passes ran it 10-20% faster at 1 and 2 threads.
                const double t_fused = time_fused();
                w.winograd_fused = t_fused < 1.1 * w.winograd;
                if (w.winograd_fused) w.winograd = t_fused;
            }
            if (!s.options.training && !s.may_fuse_winograd(e) && winograd_fused_supports(edge.spec->size) &&
                m * per_map * sizeof(T) > 0.25 * static_cast<double>(budget)) {
                // A little slower than the stored form where both fit (each source plane transformed
                // about twice, a slab of planes at a time), but far faster than direct: n537's 5x5x5
                // 80->80 layers on 172-182³ maps would store 6-8 GiB of transforms.
                const double t_fused = time_fused();
                if (costs.fused_fallback < 0 || t_fused < costs.fused_fallback) {
                    costs.fused_fallback = t_fused;
                    costs.fallback_alpha = alpha;
                }
            }
            if (s.options.training) {
                // The inputs transformed again in the backward pass (network_backward.cpp), each
                // output gradient once, then the products of all the components.
                winograd_gradients<T> grads(tiling, static_cast<std::size_t>(n));
                const double t_grad_transform = seconds_per_call([&] { grads.transform(0, out); }) * out_scale;
                for (std::size_t j = 1; j < grads.count(); ++j) grads.transform(j, out);
                winograd_kernel_sums<T> sums(tiling, static_cast<std::size_t>(m), static_cast<std::size_t>(n));
                const double t_sums = seconds_per_call([&] {
                    for (int c = 0; c < sums.components(); ++c) sums.compute(c, transformed, grads);
                }) * out_scale;
                const double t_filter = m * t_transform + n * t_grad_transform + t_sums;
                w.winograd_filter_grad = t_filter < n * t_direct;
                if (w.winograd_filter_grad)
                    filter_bytes =
                        m * per_map + n * static_cast<double>(out_shape.z * tiling.components() * tiling.stride);
                w.winograd += std::min(t_filter, n * t_direct) + (products == 3 ? n * t_transform + t_all : 0);
            }
        }
        w.winograd_bytes = static_cast<std::int64_t>(
            (((w.winograd_fused ? 0 : m) + (products == 3 ? n : 0)) * per_map + filter_bytes) * sizeof(T));
        const bool faster = costs.winograd < 0 || w.winograd < costs.winograd;
        if (costs.winograd >= 0) {  // the slower of the two sizes, kept for a trial on all threads
            const edge_costs& slower = faster ? costs : w;
            costs.winograd_other = slower.winograd;
            costs.other_alpha = faster ? costs.winograd_alpha : alpha;
            costs.other_fused = slower.winograd_fused;
            costs.other_over_budget = slower.stored_over_budget;
            costs.other_bytes = slower.winograd_bytes;
        }
        if (faster) {
            costs.winograd = w.winograd;
            costs.winograd_bytes = w.winograd_bytes;
            costs.winograd_filter_grad = w.winograd_filter_grad;
            costs.winograd_fused = w.winograd_fused;
            costs.stored_over_budget = w.stored_over_budget;
            costs.winograd_alpha = alpha;
        }
    }

    // Filter spectra, input spectra and (training) the output gradients' spectra. FFT is not timed when
    // they alone exceed the budget: planning and timing the transforms of large maps takes seconds
    // (n337's layers: 38 s of a 40 s start-up) for a method that cannot be chosen.
    const vec3 N = fft_size(in_shape);
    const std::int64_t spectrum_bytes = N.z * N.y * (N.x / 2 + 1) * 2 * static_cast<std::int64_t>(sizeof(T));
    const double spectra = m * n + m + (s.options.training ? n : 0);
    costs.fft_bytes = static_cast<std::int64_t>(spectra * static_cast<double>(spectrum_bytes));
    if (costs.fft_bytes > budget) {
        costs.fft = -1;
        return costs;
    }

    fft_transformer<T> tf(*s.plans, N);
    in = random_volume<T>(in_shape, rng);
    out = volume<T>(out_shape);
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

    if (s.options.training)
        costs.fft = (m + n + m * n) * t_transform + 3 * m * n * t_multiply + (n + m + m * n) * t_inverse;
    else
        costs.fft = m * t_transform + m * n * t_multiply + n * t_inverse;
    return costs;
}

// Whether an inference edge's methods are worth timing again as the executor runs them (layer_trial):
// with several threads, when the two fastest one-thread estimates lie within a factor of
// engine_options::optimize_trial_within (2 by default: what thread scaling can turn round). The
// methods scale differently (5x5x5 48->48 on 24x48x48, 1 -> 2 threads: FFT 237 -> 102 ms, direct 286 ->
// 158, stored Winograd 236 -> 143), and the estimates were off by up to 30% besides (direct 198-225 ms
// against 286): optimize took Winograd (estimated 174 ms) for a layer FFT ran twice as fast at 2 threads.
// Only layers of up to 1 GiB of maps, transforms and spectra whose fastest method should take at most
// a quarter of a second on all threads: each method is timed two to four times (seconds_per_call), and
// the layers of ZNNi's networks would add tens of seconds to the start-up.
// What a trial times: nothing, every method, or only Winograd's two tile sizes (their one-thread
// estimates alike, the other methods far off: 3x3x3 48->48 on 24x48x48 estimated 12.80 ms in 6x6
// tiles, 12.83 in 8x8, direct 30-33; at 2 threads 8x8 ran it in 7.7 ms, 6x6 in 8.8).
enum class trial { none, methods, tiles };

template <class T>
trial worth_a_trial(const network_state<T>& s, int e, const edge_costs& c)
{
    if (s.options.training || s.pool.threads() < 2) return trial::none;
    const auto [fastest, second] = two_fastest(c);
    const double maps = static_cast<double>(s.source(e).maps() * s.sizes[s.graph.edges()[e].from].volume() +
                                            s.target(e).maps() * s.sizes[s.graph.edges()[e].to].volume()) *
                        sizeof(T);
    const double winograd_bytes = c.winograd >= 0 ? static_cast<double>(std::max(c.winograd_bytes, c.other_bytes)) : 0;
    const double bytes = maps + static_cast<double>(c.fft >= 0 ? c.fft_bytes : 0) + winograd_bytes;
    // Counted with the FFT spectra for the tile sizes' trial too: timing only those on N4's layers
    // (0.9-3 GB of spectra) added 2.8 s to its start-up and left a forward pass as fast (84-86 ms
    // against 80-86 at 2 threads).
    if (bytes > static_cast<double>(std::int64_t(1) << 30) || fastest / s.pool.threads() > 0.25) return trial::none;
    const double within = s.options.optimize_trial_within;
    if (second < within * fastest) return trial::methods;
    const bool tiles_close = c.winograd >= 0 && c.winograd == fastest && c.winograd_other >= 0 &&
                             c.winograd_other < within * c.winograd;
    return tiles_close ? trial::tiles : trial::none;
}

// The forward pass of edge e by each method timed on the whole layer with all the pool's threads, as the
// executor splits it (map groups for direct; a transform per input map, then region tasks for Winograd;
// a spectrum per input map, then the products and one inverse per output map for FFT), in seconds of
// one thread's work (wall time x threads), replacing the estimates. Winograd is timed in both tile
// sizes where both were estimated within optimize_trial_within of each other, the faster kept; with
// trial::tiles only those two are timed.
template <class T>
edge_costs layer_trial(network_state<T>& s, int e, edge_costs c, trial what)
{
    const graph_edge& edge = s.graph.edges()[e];
    const graph_node& src = s.source(e);
    const std::size_t m = static_cast<std::size_t>(src.maps()), n = static_cast<std::size_t>(s.target(e).maps());
    const vec3 in_shape = s.sizes[edge.from], out_shape = s.sizes[edge.to];
    const double threads = s.pool.threads();
    std::mt19937_64 rng(54321);
    const volume<T> kernel = random_volume<T>(edge.spec->size, rng);
    std::vector<volume<T>> in, out(n, volume<T>(out_shape));
    for (std::size_t i = 0; i < m; ++i) in.push_back(random_volume<T>(in_shape, rng));
    std::vector<const volume<T>*> inputs;
    std::vector<volume<T>*> outputs;
    for (const auto& v : in) inputs.push_back(&v);
    for (auto& v : out) outputs.push_back(&v);
    const std::vector<const volume<T>*> kernels(m * n, &kernel);

    // Each method makes one pass first, untimed: the first method timed paid for waking the pool's
    // threads (5x5x5 1->48 on 24x48x48 at 2 threads: direct 4.1-4.3 ms timed first, 3.0 after the others).
    auto time_whole = [&](auto&& pass) {
        pass();
        return threads * seconds_per_call(pass);
    };
    const std::size_t group = static_cast<std::size_t>(s.map_group(static_cast<int>(n)));
    if (what == trial::methods)
        c.direct = time_whole([&] {
            s.pool.parallel_for((n + group - 1) / group, [&](std::size_t q) {
                const std::size_t j0 = q * group, g = std::min(n, j0 + group) - j0;
                const std::vector<const volume<T>*> group_kernels(m * g, &kernel);
                conv_forward_maps<T>(inputs, group_kernels, src.sparsity,
                                     std::span<volume<T>* const>(outputs.data() + j0, g), conv_write::overwrite);
            });
        });

    auto time_winograd = [&](int alpha, bool fused) {
        const winograd_tiling tiling(in_shape, edge.spec->size, src.sparsity, alpha);
        const winograd_filters<T> filters = winograd_filters<T>::forward(tiling, kernels, m, n);
        const vec3 space = region_shape(tiling.phased() ? &tiling : nullptr, out_shape);
        const std::vector<winograd_region> regions = split_into_regions(space, tiling.my, s.pool.threads());
        if (fused)
            return time_whole([&] {
                s.pool.parallel_for(regions.size(), [&](std::size_t r) {
                    winograd_forward_fused<T>(tiling, inputs, filters, outputs, regions[r], conv_write::overwrite);
                });
            });
        winograd_maps<T> transformed(tiling, m);
        return time_whole([&] {
            s.pool.parallel_for(m, [&](std::size_t i) { transformed.transform(i, in[i]); });
            s.pool.parallel_for(regions.size(), [&](std::size_t r) {
                winograd_forward_maps<T>(transformed, filters, outputs, regions[r], conv_write::overwrite);
            });
        });
    };
    if (c.winograd >= 0) {
        c.winograd = time_winograd(c.winograd_alpha, c.winograd_fused);
        if (c.winograd_other >= 0 && c.winograd_other < s.options.optimize_trial_within * c.winograd) {
            c.winograd_other = time_winograd(c.other_alpha, c.other_fused);
            if (c.winograd_other < c.winograd) {
                std::swap(c.winograd, c.winograd_other);
                std::swap(c.winograd_alpha, c.other_alpha);
                std::swap(c.winograd_fused, c.other_fused);
                std::swap(c.stored_over_budget, c.other_over_budget);
                std::swap(c.winograd_bytes, c.other_bytes);
            }
        }
    }

    if (c.fft >= 0 && what == trial::methods) {
        fft_transformer<T> tf(*s.plans, fft_size(in_shape));
        const spectrum<T> filter = tf.forward_dilated_kernel(kernel, src.sparsity);
        std::vector<spectrum<T>> images(m), filters(m * n, filter), sums(n, spectrum<T>(tf.real_shape()));
        const vec3 offset = s.dilated_kernel(e) - 1;
        c.fft = threads * seconds_per_call([&] {
            s.pool.parallel_for(m, [&](std::size_t i) { tf.forward(in[i], vec3{0, 0, 0}, images[i]); });
            s.pool.parallel_for(n, [&](std::size_t j) {
                sums[j].zero();
                for (std::size_t i = 0; i < m; ++i) multiply_accumulate(sums[j], images[i], filters[i * n + j]);
                out[j].fill(T(0));
                tf.inverse_add(sums[j], offset, vec3::one(), out[j]);
            });
        });
    }
    c.timed_whole = what == trial::methods;
    c.tiles_timed_whole = what == trial::tiles;
    return c;
}

}  // namespace

template <class T>
void choose_conv_methods(network_state<T>& s)
{
    const std::string& mode = s.options.conv_mode;
    std::vector<int> timed;
    std::vector<edge_costs> costs(s.graph.edges().size());
    double bandwidth = 0;  // measured when the first edge is timed
    const std::int64_t budget = s.options.fft_memory_budget > 0 ? s.options.fft_memory_budget : default_fft_budget();
    for (const auto& edge : s.graph.edges()) {
        if (edge.type() != "conv") continue;
        if (mode == "fft" || mode == "direct" || mode == "winograd") {
            s.fft[edge.index] = mode == "fft";
            s.winograd[edge.index] = mode == "winograd" && winograd_supports(edge.spec->size, s.source(edge.index).sparsity);
            s.winograd_filter_grad[edge.index] = s.winograd[edge.index] && s.options.training &&
                                                 s.source(edge.index).maps() >= s.winograd_filter_grad_min_maps;
            s.winograd_fused[edge.index] = s.winograd[edge.index] && s.may_fuse_winograd(edge.index);
            s.winograd_alpha[edge.index] = winograd_tiles(s, edge.index).front();
            continue;
        }
        if (bandwidth == 0) bandwidth = streaming_bandwidth();
        costs[edge.index] = estimate(s, edge.index, bandwidth, budget);
        if (close_call(costs[edge.index]))
            costs[edge.index] = faster_of(costs[edge.index], estimate(s, edge.index, bandwidth, budget));
        if (const trial what = worth_a_trial(s, edge.index, costs[edge.index]); what != trial::none)
            costs[edge.index] = layer_trial(s, edge.index, costs[edge.index], what);
        timed.push_back(edge.index);
    }
    if (timed.empty()) return;

    // Each edge's fastest method, within the memory budget: most seconds saved per byte first; an edge
    // whose fastest (FFT) does not fit then gets Winograd where that beats direct and fits.
    struct candidate {
        int edge;
        bool fft;
        double saved, bytes;
    };
    std::vector<candidate> faster, second;
    for (int e : timed) {
        const edge_costs& c = costs[e];
        const bool has_winograd = c.winograd >= 0 && c.winograd < c.direct;
        if (c.fft >= 0 && c.fft < c.spatial()) {
            faster.push_back({e, true, c.direct - c.fft, static_cast<double>(c.fft_bytes)});
            if (has_winograd) second.push_back({e, false, c.direct - c.winograd, static_cast<double>(c.winograd_bytes)});
        } else if (has_winograd) {
            faster.push_back({e, false, c.direct - c.winograd, static_cast<double>(c.winograd_bytes)});
        }
    }
    auto by_saving_per_byte = [](const candidate& a, const candidate& b) {
        return a.saved / std::max(a.bytes, 1.0) > b.saved / std::max(b.bytes, 1.0);
    };
    std::stable_sort(faster.begin(), faster.end(), by_saving_per_byte);
    std::stable_sort(second.begin(), second.end(), by_saving_per_byte);
    // FFT spectra are per edge; Winograd transforms are counted as the network stores them, layers
    // that run one after the other sharing one storage (plan_winograd_storages).
    std::int64_t fft_used = 0, winograd_used = 0;
    auto shared_winograd_bytes = [&] {
        return static_cast<std::int64_t>(plan_winograd_storages(s, s.winograd).values() * sizeof(T));
    };
    std::vector<char> over_budget(s.graph.edges().size(), 0), fused_instead(s.graph.edges().size(), 0);
    for (const auto* list : {&faster, &second})
        for (const candidate& c : *list) {
            if (s.fft[c.edge] || s.winograd[c.edge]) continue;
            bool fits = false;
            if (c.fft) {
                fits = fft_used + static_cast<std::int64_t>(c.bytes) + winograd_used <= budget;
                if (fits) {
                    s.fft[c.edge] = 1;
                    fft_used += static_cast<std::int64_t>(c.bytes);
                }
            } else {
                s.winograd[c.edge] = 1;
                s.winograd_filter_grad[c.edge] = costs[c.edge].winograd_filter_grad;
                s.winograd_fused[c.edge] = costs[c.edge].winograd_fused;
                s.winograd_alpha[c.edge] = costs[c.edge].winograd_alpha;
                std::int64_t with = shared_winograd_bytes();
                if (fft_used + with > budget && s.winograd_filter_grad[c.edge]) {
                    // The filter gradients' storages do not fit: those direct, the rest by Winograd.
                    s.winograd_filter_grad[c.edge] = 0;
                    with = shared_winograd_bytes();
                }
                fits = fft_used + with <= budget;
                const edge_costs& ce = costs[c.edge];
                if (!fits && ce.fused_fallback >= 0 && ce.fused_fallback < ce.direct) {
                    // The stored transforms do not fit: the fused pass, which stores none.
                    s.winograd_fused[c.edge] = 1;
                    s.winograd_alpha[c.edge] = ce.fallback_alpha;
                    with = shared_winograd_bytes();
                    fits = fft_used + with <= budget;
                    fused_instead[c.edge] = fits;
                }
                if (fits) winograd_used = with;
                else {
                    s.winograd[c.edge] = s.winograd_filter_grad[c.edge] = s.winograd_fused[c.edge] = 0;
                    s.winograd_alpha[c.edge] = 6;
                }
            }
            if (!fits && list == &faster) over_budget[c.edge] = 1;
        }
    const std::int64_t used = fft_used + winograd_used;

    if (!s.options.log) return;
    constexpr double mib = 1024.0 * 1024.0;
    for (int e : timed) {
        const graph_edge& edge = s.graph.edges()[e];
        const edge_costs& c = costs[e];
        const char* chosen = s.fft[e] ? "fft" : s.winograd[e] ? "winograd" : "direct";
        std::ostream& log = *s.options.log;
        log << "optimize: conv " << edge.name() << " (" << s.source(e).maps() << "->" << s.target(e).maps()
            << " maps, " << edge.spec->size.dims() << " filter, sparsity " << s.source(e).sparsity.dims() << ", input "
            << s.sizes[edge.from].dims() << "): direct " << std::fixed << std::setprecision(2) << c.direct * 1e3 << " ms, ";
        if (c.winograd >= 0) {
            log << "winograd " << c.winograd * 1e3 << " ms (" << c.winograd_alpha << "x" << c.winograd_alpha << " tiles"
                << (c.stored_over_budget ? ", fused: stored transforms over the memory budget"
                    : c.winograd_fused  ? ", fused"
                                        : "");
            if (c.winograd_other >= 0)
                log << "; " << c.other_alpha << "x" << c.other_alpha << " " << c.winograd_other * 1e3 << " ms";
            log << ")";
            if (fused_instead[e])
                log << " (stored transforms over the memory budget: fused, " << c.fused_fallback * 1e3 << " ms, "
                    << c.fallback_alpha << "x" << c.fallback_alpha << " tiles)";
            log << (s.options.training && s.winograd[e] ? s.winograd_filter_grad[e] ? " (filter gradients winograd)" : " (filter gradients direct)" : "")
                << ", ";
        }
        if (c.fft >= 0)
            log << "fft " << c.fft * 1e3 << " ms, fft spectra " << std::setprecision(0) << c.fft_bytes / mib << " MiB -> "
                << chosen << (over_budget[e] && !s.fft[e] ? " (a faster method is over the memory budget)" : "");
        else
            log << "fft not timed (spectra " << std::setprecision(0) << c.fft_bytes / mib
                << " MiB, over the memory budget) -> " << chosen;
        log << (c.timed_twice ? " (close: timed twice)" : "")
            << (c.timed_whole ? " (timed whole on " + std::to_string(s.pool.threads()) + " threads)" : std::string())
            << (c.tiles_timed_whole ? " (winograd's tile sizes timed whole on " + std::to_string(s.pool.threads()) + " threads)"
                                    : std::string())
            << "\n" << std::defaultfloat;
    }
    if (!faster.empty())
        *s.options.log << "optimize: fft spectra and winograd transforms " << std::fixed << std::setprecision(0)
                       << used / mib << " MiB of a " << budget / mib << " MiB budget\n"
                       << std::defaultfloat;
}

template void choose_conv_methods(network_state<float>&);
template void choose_conv_methods(network_state<double>&);

}  // namespace znn
