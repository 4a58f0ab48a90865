// The inside of network<T>: per-node maps, per-edge parameters and scratch, the prebuilt task graphs.
// Private to src/net.
#pragma once

#include "znn/activation_plan.hpp"
#include "znn/conv_winograd.hpp"
#include "znn/conv_winograd_kernel.hpp"
#include "znn/fft.hpp"
#include "znn/net_graph.hpp"
#include "znn/network.hpp"
#include "znn/pooling.hpp"
#include "znn/task_graph.hpp"
#include "znn/transfer.hpp"
#include "znn/volume.hpp"

#include <algorithm>
#include <memory>
#include <optional>
#include <vector>

namespace znn {

template <class T>
struct network_state {
    network_state(const net_graph& g, vec3 outsz, const engine_options& opt)
        : graph(g), options(opt), output_size(outsz), sizes(g.sizes_for_output(outsz)), pool(opt.threads),
          winograd_alpha(g.edges().size(), 6)
    {
    }

    const net_graph& graph;
    engine_options options;
    vec3 output_size;
    std::vector<vec3> sizes;  // per node
    task_pool pool;
    std::uint64_t seed = 0;
    std::uint64_t passes = 0;  // forward passes so far: dropout masks differ per pass
    bool dropout = false;      // the current pass drops voxels (forward() of a training network)

    // Per node.
    std::vector<maps<T>> act;   // outputs (after the transfer function): views of activation_storage
    // Which nodes share the storage of their maps (inference: a later layer takes over an earlier one's),
    // and that storage.
    activation_plan activations;
    std::vector<detail::aligned_vector<T>> activation_storage;
    std::vector<maps<T>> grad;  // dE/d(sum of inputs), i.e. before the transfer function
    std::vector<transfer_function> transfer;
    std::vector<std::vector<T>> bias, bias_momentum, bias_grad;
    std::vector<std::vector<volume<std::uint16_t>>> maxout_winner;  // per maxout node, per map: in-edge position

    // Per edge.
    std::vector<std::vector<volume<T>>> filter, filter_momentum, filter_grad;  // conv: n_in*n_out
    std::vector<std::vector<argmax_volume>> argmax;                            // max_filter / max_pool: per map
    std::vector<std::vector<volume<T>>> dropout_scale;                         // dropout: per map, 0 or 1/ratio
    std::vector<std::vector<volume<T>>> padded_grad;  // direct conv: per target map, its gradient padded once per pass
    std::vector<char> fft;                                                     // conv edges using FFT
    std::vector<char> winograd;                                                // conv edges using Winograd

    // Winograd state, per Winograd edge: the tiling of its source's maps, their transforms (forward;
    // none for a fused edge, whose forward pass transforms them as it goes: winograd_forward_fused), and
    // the transforms of its target's padded gradients (training, when the source needs a gradient).
    std::vector<winograd_tiling> winograd_forward_tiling;
    std::vector<char> winograd_fused;
    // The transformed tile side of each Winograd edge, forward and backward: 6, or 8 where optimize
    // timed it faster (conv_choice.cpp).
    std::vector<int> winograd_alpha;
    std::vector<std::optional<winograd_maps<T>>> winograd_input, winograd_grad;
    // Each pass reads only its own transforms, and layers that run one after the other share their
    // storage (plan_winograd_storages). Per Winograd edge, the edge that used the storage last before it in
    // the pass, or -1: forward, its target must be done before this edge's input transforms are
    // written; backward, the gradient of its source before this edge's gradient transforms are.
    std::vector<int> winograd_input_after, winograd_grad_after;
    // Winograd edges whose filter gradients are computed by Winograd too (znn/conv_winograd_kernel.hpp;
    // training only): the backward pass transforms their source maps again (winograd_filter_input) and
    // their target's gradients (winograd_out_grad), then reduces them into winograd_filter_sums, one task
    // per component. These edges take two storages in turn, in backward order: winograd_filter_after is the
    // edge before, whose filter gradients must be done first (or -1).
    std::vector<char> winograd_filter_grad;
    std::vector<int> winograd_filter_after;
    std::vector<std::optional<winograd_maps<T>>> winograd_filter_input;
    std::vector<std::optional<winograd_gradients<T>>> winograd_out_grad;
    std::vector<std::optional<winograd_kernel_sums<T>>> winograd_filter_sums;
    // Their filters, transformed when the filters change (with the FFT filter spectra).
    std::vector<winograd_filters<T>> winograd_forward_filters, winograd_backward_filters;
    // Per node whose in-edges (forward) or out-edges (backward) are all Winograd conv edges: the regions
    // of its maps (or gradients) computed as one task each, all maps at once, so that each task reads
    // every transformed source once; empty otherwise.
    std::vector<std::vector<winograd_region>> forward_regions, backward_regions;
    // The parts of a node's maps that its forward tasks compute when they are split by rows instead of
    // by maps (network_forward.cpp, direct_row_parts); empty for the other nodes.
    std::vector<std::vector<conv_rows>> forward_rows;
    // Per node with backward regions: the bias gradient of each map summed per region, added up in
    // region order when all are done (a fixed order, whatever the threads).
    std::vector<std::vector<std::vector<T>>> bias_grad_parts;

    // FFT state.
    std::shared_ptr<fft_plan_cache<T>> plans;
    std::vector<std::optional<fft_transformer<T>>> transformer;  // per node that feeds an FFT edge
    std::vector<std::vector<spectrum<T>>> image_spectra;         // per node, per map
    std::vector<std::vector<spectrum<T>>> kernel_spectra;        // per FFT edge, per filter
    std::vector<std::vector<spectrum<T>>> grad_spectra;          // per FFT edge, per target map
    bool kernels_fresh = false;

    // Output gradients handed to backward(), per output node position.
    std::vector<const maps<T>*> given_output_grads;
    // Inputs handed to forward(), per input node position: copied into the input nodes' maps by one
    // task per map, so that the copy runs on all cores and the first layer starts on the first maps.
    const std::vector<maps<T>>* given_inputs = nullptr;

    task_graph forward_tasks, backward_tasks;

    bool feeds_fft(int node) const
    {
        for (int e : graph.nodes()[node].out_edges)
            if (fft[e]) return true;
        return false;
    }
    const graph_node& source(int edge) const { return graph.nodes()[graph.edges()[edge].from]; }
    const graph_node& target(int edge) const { return graph.nodes()[graph.edges()[edge].to]; }
    // Maps per task for a node of `maps` maps: as many as possible up to 16, in the same number of tasks
    // for every thread. The direct kernels read each chunk of their inputs once for all the output maps
    // of a call, so larger groups mean less memory traffic (4 maps per register block was 3-4x faster
    // than one; 16 per call keeps 3D layers of 80 maps compute-bound).
    int map_group(int maps) const
    {
        constexpr int most = 16;
        const int threads = std::max(1, pool.threads());
        const int tasks_per_thread = std::max(1, (maps + most * threads - 1) / (most * threads));
        return std::max(1, (maps + tasks_per_thread * threads - 1) / (tasks_per_thread * threads));
    }
    winograd_tiling winograd_input_tiling(int edge) const
    {
        return winograd_tiling(sizes[graph.edges()[edge].from], graph.edges()[edge].spec->size, source(edge).sparsity,
                               winograd_alpha[edge]);
    }
    winograd_tiling winograd_grad_tiling(int edge) const
    {
        return winograd_backward_tiling(sizes[graph.edges()[edge].from], graph.edges()[edge].spec->size,
                                        source(edge).sparsity, winograd_alpha[edge]);
    }
    // Source maps from which mode winograd computes filter gradients by Winograd. Each output gradient
    // is transformed once (for 3x3 taps ~15 operations per output value, against 9 multiply-adds per
    // source map direct), and the products save 75% of the multiplications at about half direct's rate:
    // by operation count it pays from 2-3 source maps on; 8 leaves a margin (a 1->48 layer stays direct).
    // Mode optimize times both instead.
    static constexpr int winograd_filter_grad_min_maps = 8;
    // Whether a Winograd edge may run its forward pass fused (winograd_forward_fused): mode winograd
    // fuses these, mode optimize times both ways. Filters one plane deep, dense in y and x, one piece only:
    // a deeper filter transforms each input plane about twice, a slab of planes at a time, and gains
    // nothing by it (3x3x3 48->48 on 24x48x48, one thread, `znn-winograd-phases 48 48 5 3,3,3 24 6`:
    // fused 25.9-28.5 ms against 25.0-26.9 stored; 68-72 ms when each plane was transformed once per
    // kernel plane), and a sparse one de-interleaves the rows of each chunk again (N4, all four 48-map
    // layers fused: forward 386 -> 465 ms at 2 threads). 1x4x4 48->48 on 1x256x256
    // (znn-winograd-phases): fused 26-28 ms against 31-41.
    bool may_fuse_winograd(int edge) const
    {
        const vec3 sparsity = source(edge).sparsity;
        const vec3 size = graph.edges()[edge].spec->size;
        return size.z == 1 && sparsity.y == 1 && sparsity.x == 1 && winograd_one_piece(size);
    }
    vec3 dilated_kernel(int edge) const
    {
        const edge_spec& s = *graph.edges()[edge].spec;
        return (s.size - 1) * source(edge).sparsity + 1;
    }
};

// A per-thread spectrum of `shape`, reused across tasks: big temporaries allocated per task cost page
// faults and zeroing that showed up as a third of the run time. The caller zeroes or overwrites it.
template <class T>
spectrum<T>& scratch_spectrum(vec3 shape)
{
    thread_local spectrum<T> scratch;
    if (scratch.real_shape() != shape) scratch = spectrum<T>(shape);
    return scratch;
}

// The values of maps of shape O that region r covers: planes [z0, z1), in each `values` values from
// row y0 (whole rows, contiguous).
struct region_extent {
    std::int64_t z0, z1, y0;
    std::size_t values;
};
inline region_extent extent_of(const winograd_region& r, vec3 O)
{
    const std::int64_t z1 = std::min(r.z1, O.z), y1 = std::min(r.y1, O.y);
    return {r.z0, z1, r.y0, static_cast<std::size_t>((y1 - r.y0) * O.x)};
}

// Plane z of region r.
inline winograd_region plane_of(const winograd_region& r, std::int64_t z)
{
    winograd_region plane = r;
    plane.z0 = z;
    plane.z1 = z + 1;
    return plane;
}

// The maps of `m` as the targets of a region task.
template <class T>
std::vector<volume<T>*> region_targets(maps<T>& m)
{
    std::vector<volume<T>*> targets;
    for (auto& map : m) targets.push_back(&map);
    return targets;
}

// The maps of `m` as the sources of a fused Winograd call.
template <class T>
std::vector<const volume<T>*> region_sources(const maps<T>& m)
{
    std::vector<const volume<T>*> sources;
    for (const auto& map : m) sources.push_back(&map);
    return sources;
}

// How the k-th edge into a region writes it: the first one overwrites (no zeroing pass), the others add.
inline conv_write region_write(std::size_t k)
{
    return k == 0 ? conv_write::overwrite : conv_write::add;
}

// Region `region` of maps of shape O a plane at a time: edge(e, plane, write) for every edge of `edges`
// in order (the first one overwriting, see region_write), then plane_done(z, extent) while the plane is
// still in cache. The forward and backward region tasks.
template <class Edge, class PlaneDone>
void for_each_region_plane(const winograd_region& region, vec3 O, const std::vector<int>& edges, Edge edge,
                           PlaneDone plane_done)
{
    const region_extent x = extent_of(region, O);
    for (std::int64_t z = x.z0; z < x.z1; ++z) {
        const winograd_region plane = plane_of(region, z);
        for (std::size_t k = 0; k < edges.size(); ++k) edge(edges[k], plane, region_write(k));
        plane_done(z, x);
    }
}

// A node whose only edge on one side (in-edges forward, out-edges backward) is a Winograd conv edge
// with a phased tiling (a filter sparse in y or x) splits into regions of rows of that tiling's
// de-interleaved planes. phased_tiling gives that tiling (nullptr for any other node; tiling_of(e) is the
// edge's Winograd tiling, or nullptr when it has none); region_shape the shape its regions split;
// for_each_region_run calls f(y, values) for the values of plane-region x that lie in whole output
// rows from row y: once for a dense tiling, once per output row for a phased one.
template <class TilingOf>
const winograd_tiling* phased_tiling(const std::vector<int>& edges, TilingOf tiling_of)
{
    if (edges.size() != 1) return nullptr;
    const winograd_tiling* tiling = tiling_of(edges[0]);
    return tiling && tiling->phased() ? tiling : nullptr;
}
inline vec3 region_shape(const winograd_tiling* phased, vec3 O)
{
    return phased ? vec3{O.z, phased->tiled_y, phased->tiled_x} : O;
}
template <class F>
void for_each_region_run(const winograd_tiling* phased, const winograd_region& r, const region_extent& x,
                         std::int64_t row_values, F f)
{
    if (!phased) return f(x.y0, x.values);
    const std::int64_t y1 = std::min(r.y1, phased->tiled_y);
    for (std::int64_t y = std::max<std::int64_t>(r.y0, 0); y < y1; ++y)
        if (const std::int64_t oy = phased->output_row(y); oy >= 0) f(oy, static_cast<std::size_t>(row_values));
}

// The tile height my_of(e) shared by every edge of `edges`, or -1 when they differ (regions then split
// planes only: rows are split at multiples of the tile height).
template <class F>
int common_tile_height(const std::vector<int>& edges, F my_of)
{
    int my = 0;
    for (int e : edges) {
        const int edge_my = my_of(e);
        my = my == 0 || my == edge_my ? edge_my : -1;
    }
    return my;
}

// The planes and rows of maps of shape O split into one to four regions per thread, ranges of planes
// times ranges of rows of tiles of height my (my <= 0: no row split), chosen so that the threads finish
// together (network_forward.cpp).
std::vector<winograd_region> split_into_regions(vec3 O, int my, int threads);

// Builders of the two task graphs (network_forward.cpp, network_backward.cpp).
template <class T>
void build_forward_tasks(network_state<T>& s);
template <class T>
void build_backward_tasks(network_state<T>& s);
// Fills kernel_spectra and the Winograd filters from the filters (parallel over all filters).
template <class T>
void refresh_kernel_spectra(network_state<T>& s);
// Chooses direct or FFT per conv edge (conv_choice.cpp).
template <class T>
void choose_conv_methods(network_state<T>& s);

// The storages of the Winograd transforms when the edges flagged in `winograd` use Winograd and those
// flagged in network_state::winograd_filter_grad too compute their filter gradients by Winograd
// (winograd_storage.cpp): per storage its size in values and the edges whose transforms it holds; per
// edge the edge before it in its storage, or -1.
struct winograd_storage_plan {
    std::vector<std::size_t> sizes;
    // Per storage: the edges whose input transforms (forward), padded-gradient transforms (backward),
    // and for Winograd filter gradients input transforms (filter_inputs) and output-gradient transforms
    // (gradients) it holds.
    std::vector<std::vector<int>> forward, backward, filter_inputs, gradients;
    std::vector<int> input_after, grad_after, filter_after;
    // Values the fused passes of filters deeper than a plane allocate while they run, not kept: one
    // call's scratch per thread (winograd_fused_scratch_bytes), for the edge that takes the most.
    std::size_t fused_scratch = 0;
    std::size_t values() const
    {
        std::size_t sum = fused_scratch;
        for (std::size_t v : sizes) sum += v;
        return sum;
    }
};
template <class T>
winograd_storage_plan plan_winograd_storages(const network_state<T>& s, const std::vector<char>& winograd);

}  // namespace znn
