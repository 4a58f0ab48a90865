// The forward pass of network<T> as a task graph: one task per (node, group of maps), one per image
// transform (FFT or Winograd).
#include "network_state.hpp"

#include "znn/conv.hpp"

#include <algorithm>
#include <limits>
#include <random>

namespace znn {

namespace {

std::uint64_t mix(std::uint64_t x)
{
    // splitmix64: decorrelates the (seed, pass, edge, map) tuple into a generator seed.
    x += 0x9e3779b97f4a7c15ull;
    x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ull;
    x = (x ^ (x >> 27)) * 0x94d049bb133111ebull;
    return x ^ (x >> 31);
}

template <class T>
void add_into(volume<T>& out, const volume<T>& in)
{
    T* o = out.data();
    const T* i = in.data();
    for (std::size_t k = 0, n = out.size(); k < n; ++k) o[k] += i[k];
}

// Dropout keeps each voxel with probability `ratio` and scales the kept ones by 1/ratio; the draw
// depends only on (seed, pass, edge, map), never on which thread runs it.
template <class T>
void draw_dropout(network_state<T>& s, int edge, int map)
{
    volume<T>& scale = s.dropout_scale[edge][map];
    const double ratio = s.graph.edges()[edge].spec->ratio;
    std::mt19937_64 rng(mix(s.seed ^ mix(s.passes ^ mix((std::uint64_t(edge) << 32) | std::uint64_t(map)))));
    const T kept = static_cast<T>(1.0 / ratio);
    for (auto& v : scale) {
        double u = static_cast<double>(rng() >> 11) * 0x1.0p-53;
        v = u < ratio ? kept : T(0);
    }
}

// Max filter or max pool edge e on map j; the argmax is kept only where a backward pass may follow.
template <class T>
void max_forward(network_state<T>& s, int e, const volume<T>& in, int j, volume<T>& out)
{
    const edge_spec& spec = *s.graph.edges()[e].spec;
    const vec3 sparsity = s.graph.nodes()[s.graph.edges()[e].from].sparsity;
    if (spec.type == "max_filter") {
        if (s.options.training) max_filter_forward(in, spec.size, sparsity, out, s.argmax[e][j]);
        else max_filter_forward(in, spec.size, sparsity, out);
    } else {
        if (s.options.training) max_pool_forward(in, spec.size, out, s.argmax[e][j]);
        else max_pool_forward(in, spec.size, out);
    }
}

// One map j of node n from all its in-edges except direct conv edges (done per group, see
// compute_maps), then nothing else: the caller applies the transfer function.
template <class T>
void add_edge_to_map(network_state<T>& s, int n, int k, int j)
{
    const graph_node& node = s.graph.nodes()[n];
    volume<T>& out = s.act[n][j];
    const int n_out = node.maps();
    const int e = node.in_edges[k];
    const graph_edge& edge = s.graph.edges()[e];
    const edge_spec& spec = *edge.spec;
    const graph_node& src = s.graph.nodes()[edge.from];
    const maps<T>& x = s.act[src.index];

    if (spec.type == "conv") {  // FFT: direct conv edges are done per group of maps
        const fft_transformer<T>& tf = *s.transformer[src.index];
        spectrum<T>& acc = scratch_spectrum<T>(tf.real_shape());
        acc.zero();
        for (int i = 0; i < src.maps(); ++i)
            multiply_accumulate(acc, s.image_spectra[src.index][i], s.kernel_spectra[e][i * n_out + j]);
        tf.inverse_add(acc, s.dilated_kernel(e) - 1, vec3::one(), out);
    } else if (spec.type == "max_filter" || spec.type == "max_pool") {
        thread_local volume<T> pooled;
        max_forward(s, e, x[j], j, pooled);
        add_into(out, pooled);
    } else if (spec.type == "dropout" && s.dropout) {
        draw_dropout(s, e, j);
        const volume<T>& scale = s.dropout_scale[e][j];
        for (std::size_t v = 0; v < out.size(); ++v) out[v] += x[j][v] * scale[v];
    } else if (spec.type == "crop") {
        add_into(out, crop(x[j], spec.offset, out.shape()));
    } else if (spec.type == "maxout") {
        volume<std::uint16_t>& winner = s.maxout_winner[n][j];
        for (std::size_t v = 0; v < out.size(); ++v)
            if (x[j][v] > out[v]) {
                out[v] = x[j][v];
                winner[v] = static_cast<std::uint16_t>(k);
            }
    } else {  // dummy, and dropout outside training: identity
        add_into(out, x[j]);
    }
}

// The transfer function of node n, with each map's bias, for a call whose output list starts at map
// `first` of the node (conv_finish of direct convolution, winograd_elementwise).
template <class T>
auto node_transfer(network_state<T>& s, int n, int first)
{
    return [&s, n, first](std::size_t map, std::span<T> values) {
        transfer_forward(s.transfer[n], s.bias[n][static_cast<std::size_t>(first) + map], values);
    };
}

// Maps [j0, j1) of node n: every in-edge in order (a fixed summation order, whatever the threads),
// direct conv edges through the layer form for the whole group, then the transfer function.
template <class T>
void compute_maps(network_state<T>& s, int n, int j0, int j1)
{
    const graph_node& node = s.graph.nodes()[n];
    const bool maxout = node.spec->type == "maxout";
    const int n_out = node.maps();

    // The common single max_filter/max_pool input writes straight into the node's maps.
    if (node.in_edges.size() == 1 && node.spec->type != "transfer") {
        const int e = node.in_edges[0];
        const edge_spec& spec = *s.graph.edges()[e].spec;
        const graph_node& src = s.graph.nodes()[s.graph.edges()[e].from];
        if (spec.type == "max_filter" || spec.type == "max_pool") {
            for (int j = j0; j < j1; ++j) max_forward(s, e, s.act[src.index][j], j, s.act[n][j]);
            return;
        }
    }
    // A first in-edge of direct convolution writes the maps (no zeroing pass); otherwise they start at
    // zero (or -inf for maxout).
    auto direct_conv = [&](int e) { return s.graph.edges()[e].spec->type == "conv" && !s.fft[e] && !s.winograd[e]; };
    const bool first_writes = !maxout && !node.in_edges.empty() && direct_conv(node.in_edges[0]);
    if (!first_writes)
        for (int j = j0; j < j1; ++j) s.act[n][j].fill(maxout ? -std::numeric_limits<T>::infinity() : T(0));

    for (std::size_t k = 0; k < node.in_edges.size(); ++k) {
        const int e = node.in_edges[k];
        const graph_edge& edge = s.graph.edges()[e];
        if (edge.spec->type == "conv" && !s.fft[e]) {
            // The layer form for the group: kernel(i, o) = filter (i, j0 + o).
            const graph_node& src = s.graph.nodes()[edge.from];
            const int m = src.maps(), g = j1 - j0;
            std::vector<const volume<T>*> inputs(m), kernels(static_cast<std::size_t>(m) * g);
            std::vector<volume<T>*> targets(g);
            for (int i = 0; i < m; ++i) {
                inputs[i] = &s.act[src.index][i];
                for (int o = 0; o < g; ++o) kernels[i * g + o] = &s.filter[e][i * n_out + j0 + o];
            }
            for (int o = 0; o < g; ++o) targets[o] = &s.act[n][j0 + o];
            if (s.winograd[e] && s.winograd_fused[e])
                winograd_forward_fused<T>(s.winograd_forward_tiling[e], inputs,
                                          winograd_filters<T>::forward(s.winograd_forward_tiling[e], kernels,
                                                                       static_cast<std::size_t>(m), static_cast<std::size_t>(g)),
                                          targets);
            else if (s.winograd[e])
                winograd_forward_maps<T>(*s.winograd_input[e], kernels, targets);
            else if (k + 1 == node.in_edges.size() && node.spec->type == "transfer")
                // The last in-edge applies the transfer function to what it completes, while in cache.
                conv_forward_maps<T>(inputs, kernels, src.sparsity, targets,
                                     k == 0 && first_writes ? conv_write::overwrite : conv_write::add,
                                     node_transfer(s, n, j0));
            else
                conv_forward_maps<T>(inputs, kernels, src.sparsity, targets,
                                     k == 0 && first_writes ? conv_write::overwrite : conv_write::add);
        } else {
            for (int j = j0; j < j1; ++j) add_edge_to_map(s, n, static_cast<int>(k), j);
        }
    }
    const int last = static_cast<int>(node.in_edges.size()) - 1;
    if (node.spec->type == "transfer" && !(last >= 0 && direct_conv(node.in_edges[last])))
        for (int j = j0; j < j1; ++j) transfer_forward(s.transfer[n], s.bias[n][j], s.act[n][j]);
}

// The phased tiling of node n's only in-edge, if any (phased_tiling in network_state.hpp).
template <class T>
const winograd_tiling* forward_phased_tiling(const network_state<T>& s, int n)
{
    return phased_tiling(s.graph.nodes()[n].in_edges, [&](int e) -> const winograd_tiling* {
        return s.winograd[e] ? &s.winograd_forward_tiling[e] : nullptr;
    });
}

// The regions of node n computed as one task each when all its in-edges are Winograd conv edges (an
// empty list otherwise).
template <class T>
std::vector<winograd_region> winograd_regions(const network_state<T>& s, int n)
{
    const graph_node& node = s.graph.nodes()[n];
    if (node.in_edges.empty() || (node.spec->type != "transfer" && node.spec->type != "sum")) return {};
    // A filter sparse in y or x: rows of tiles of its de-interleaved planes (each of their rows one
    // output row, or none), which no other in-edge shares.
    if (const winograd_tiling* tl = forward_phased_tiling(s, n))
        return split_into_regions(region_shape(tl, s.sizes[n]), tl->my, s.pool.threads());
    for (int e : node.in_edges)
        if (!s.winograd[e] || s.winograd_forward_tiling[e].phased()) return {};
    const int my = common_tile_height(node.in_edges, [&](int e) { return s.winograd_forward_tiling[e].my; });
    return split_into_regions(s.sizes[n], my, s.pool.threads());
}

// Region r of every map of node n (see winograd_regions), a plane at a time: the first in-edge written,
// the others added, then the transfer function while the plane is still in cache. A single in-edge
// applies the transfer function itself, to its sums before it writes them (winograd_elementwise).
template <class T>
void compute_region(network_state<T>& s, int n, std::size_t r)
{
    const graph_node& node = s.graph.nodes()[n];
    const std::vector<volume<T>*> targets = region_targets(s.act[n]);
    const winograd_region& region = s.forward_regions[n][r];
    const bool transfer = node.spec->type == "transfer";
    const bool edge_transfers = transfer && node.in_edges.size() == 1;
    winograd_elementwise<T> apply_transfer;
    if (edge_transfers) apply_transfer = node_transfer(s, n, 0);
    auto run_edge = [&](int e, const winograd_region& part, conv_write write) {
        if (s.winograd_fused[e])
            winograd_forward_fused<T>(s.winograd_forward_tiling[e], region_sources(s.act[s.graph.edges()[e].from]),
                                      s.winograd_forward_filters[e], targets, part, write, apply_transfer);
        else
            winograd_forward_maps<T>(*s.winograd_input[e], s.winograd_forward_filters[e], targets, part, write,
                                     apply_transfer);
    };
    // A single in-edge with nothing to do after it: one call for the whole region (the same sums; the
    // fused pass of a deep filter transforms a slab of planes once for several output planes).
    if (node.in_edges.size() == 1 && (!transfer || edge_transfers))
        return run_edge(node.in_edges[0], region, region_write(0));
    const winograd_tiling* phased = forward_phased_tiling(s, n);
    for_each_region_plane(
        region, region_shape(phased, s.sizes[n]), node.in_edges, run_edge,
        [&](std::int64_t z, const region_extent& x) {
            if (!transfer || edge_transfers) return;
            for_each_region_run(phased, region, x, s.sizes[n].x, [&](std::int64_t y, std::size_t values) {
                for (int j = 0; j < node.maps(); ++j)
                    transfer_forward(s.transfer[n], s.bias[n][j], std::span<T>(&s.act[n][j](z, y, 0), values));
            });
        });
}

// The parts of node n computed as one task each, by rows, when its maps come from direct convolution
// alone and its source maps outnumber them (N4's 200 -> 2 output layer): tasks by groups of maps would
// each read every source whole, tasks by rows read each source row once. N4's output layer at 2 threads
// (52 MB of sources): 2.8 ms by maps (two tasks of one map), 1.6 ms by rows; 2.9 ms on one thread. An
// empty list otherwise: tasks by groups of maps.
template <class T>
std::vector<conv_rows> direct_row_parts(const network_state<T>& s, int n)
{
    const graph_node& node = s.graph.nodes()[n];
    if (node.in_edges.empty() || (node.spec->type != "transfer" && node.spec->type != "sum")) return {};
    int sources = 0;
    for (int e : node.in_edges) {
        if (s.graph.edges()[e].spec->type != "conv" || s.fft[e] || s.winograd[e]) return {};
        sources += s.source(e).maps();
    }
    if (sources <= node.maps() || s.map_group(node.maps()) == node.maps()) return {};
    std::vector<conv_rows> parts;
    for (const winograd_region& r : split_into_regions(s.sizes[n], 1, s.pool.threads()))
        parts.push_back({r.z0, r.z1, r.y0, r.y1});
    return parts;
}

// Part p of node n (direct_row_parts), all its maps: the in-edges in order, the first writing, the last
// applying the transfer function to what it completes.
template <class T>
void compute_rows(network_state<T>& s, int n, std::size_t p)
{
    const graph_node& node = s.graph.nodes()[n];
    const conv_rows& part = s.forward_rows[n][p];
    std::vector<volume<T>*> targets;
    for (auto& map : s.act[n]) targets.push_back(&map);
    for (std::size_t k = 0; k < node.in_edges.size(); ++k) {
        const int e = node.in_edges[k];
        const graph_node& src = s.source(e);
        std::vector<const volume<T>*> inputs, kernels;
        for (const auto& map : s.act[src.index]) inputs.push_back(&map);
        for (const auto& filter : s.filter[e]) kernels.push_back(&filter);
        const conv_write write = k == 0 ? conv_write::overwrite : conv_write::add;
        if (k + 1 == node.in_edges.size() && node.spec->type == "transfer")
            conv_forward_maps<T>(inputs, kernels, src.sparsity, targets, part, write, node_transfer(s, n, 0));
        else
            conv_forward_maps<T>(inputs, kernels, src.sparsity, targets, part, write);
    }
}

}  // namespace

namespace {

// The regions of a split of maps of shape O into z_parts ranges of planes and y_parts ranges of tile rows
// (of height my).
std::vector<winograd_region> grid_regions(vec3 O, std::int64_t my, std::int64_t tile_rows, std::int64_t z_parts,
                                          std::int64_t y_parts)
{
    std::vector<winograd_region> regions;
    for (std::int64_t a = 0; a < z_parts; ++a)
        for (std::int64_t b = 0; b < y_parts; ++b) {
            winograd_region r;
            r.z0 = O.z * a / z_parts;
            r.z1 = O.z * (a + 1) / z_parts;
            r.y0 = tile_rows * b / y_parts * my;
            r.y1 = b + 1 == y_parts ? O.y : tile_rows * (b + 1) / y_parts * my;
            regions.push_back(r);
        }
    return regions;
}

// The time `threads` threads take for `regions` when each takes the next region as it becomes free, in
// units of tiles. A region's planes cost their tiles and, per chunk of tiles, a reload of every weight
// (about as much as 32 tiles: winograd_impl.inc reloads them per chunk of up to 128 tiles).
std::int64_t makespan(const std::vector<winograd_region>& regions, std::int64_t my, std::int64_t row_tiles, int threads)
{
    std::vector<std::int64_t> busy(static_cast<std::size_t>(threads), 0);
    for (const winograd_region& r : regions) {
        const std::int64_t rows = (r.y1 - r.y0 + my - 1) / my, tiles = rows * row_tiles;
        const std::int64_t cost = (r.z1 - r.z0) * (tiles + 32 * ((tiles + 127) / 128));
        *std::min_element(busy.begin(), busy.end()) += cost;
    }
    return *std::max_element(busy.begin(), busy.end());
}

}  // namespace

std::vector<winograd_region> split_into_regions(vec3 O, int my, int threads)
{
    if (threads <= 1) return grid_regions(O, 1, O.y, 1, 1);
    // Rows of tiles: split only where every edge shares the tile height (my > 0). The tiles per row are
    // about O.x / my (the cost model needs only their proportion to the rows).
    const std::int64_t height = my > 0 ? my : O.y;
    const std::int64_t tile_rows = (O.y + height - 1) / height, row_tiles = (O.x + height - 1) / height + 1;
    // Between one and four regions per thread: among the splits that finish within 3% of the first, the
    // one nearest two regions per thread (room for a thread that runs slower than the others).
    const std::int64_t most = 4 * static_cast<std::int64_t>(threads), wanted = 2 * static_cast<std::int64_t>(threads);
    struct candidate {
        std::int64_t time, distance, z_parts, y_parts;
    };
    std::vector<candidate> candidates;
    for (std::int64_t z_parts = 1; z_parts <= std::min(O.z, most); ++z_parts)
        for (std::int64_t y_parts = 1; y_parts <= std::min(tile_rows, most / z_parts); ++y_parts) {
            const std::int64_t parts = z_parts * y_parts;
            if (parts < threads && (z_parts < O.z || y_parts < tile_rows)) continue;
            const std::vector<winograd_region> regions = grid_regions(O, height, tile_rows, z_parts, y_parts);
            const std::int64_t time = makespan(regions, height, row_tiles, threads);
            candidates.push_back({time, std::abs(parts - wanted), z_parts, y_parts});
        }
    std::int64_t fastest = candidates.front().time;
    for (const candidate& c : candidates) fastest = std::min(fastest, c.time);
    const candidate* best = nullptr;
    for (const candidate& c : candidates)
        if (c.time * 100 <= fastest * 103 && (!best || c.distance < best->distance)) best = &c;
    return grid_regions(O, height, tile_rows, best->z_parts, best->y_parts);
}

template <class T>
void refresh_kernel_spectra(network_state<T>& s)
{
    std::vector<std::pair<int, std::size_t>> jobs;
    for (const auto& e : s.graph.edges())
        if (s.fft[e.index])
            for (std::size_t k = 0; k < s.filter[e.index].size(); ++k) jobs.emplace_back(e.index, k);
    s.pool.parallel_for(jobs.size(), [&](std::size_t q) {
        auto [e, k] = jobs[q];
        const graph_node& src = s.source(e);
        s.transformer[src.index]->forward_dilated_kernel(s.filter[e][k], src.sparsity, s.kernel_spectra[e][k]);
    });
    // Winograd filters of the edges into (forward) and out of (backward) nodes computed by regions.
    std::vector<std::pair<int, bool>> winograd_jobs;
    for (const auto& e : s.graph.edges()) {
        if (!s.winograd[e.index]) continue;
        if (!s.forward_regions[e.to].empty()) winograd_jobs.emplace_back(e.index, true);
        if (!s.backward_regions.empty() && !s.backward_regions[e.from].empty()) winograd_jobs.emplace_back(e.index, false);
    }
    s.pool.parallel_for(winograd_jobs.size(), [&](std::size_t q) {
        const auto [e, forward] = winograd_jobs[q];
        std::vector<const volume<T>*> kernels;
        for (const auto& k : s.filter[e]) kernels.push_back(&k);
        const std::size_t m = s.source(e).maps(), n = s.target(e).maps();
        if (forward)
            s.winograd_forward_filters[e] = winograd_filters<T>::forward(s.winograd_forward_tiling[e], kernels, m, n);
        else
            s.winograd_backward_filters[e] =
                winograd_filters<T>::backward_input(s.winograd_grad[e]->tiling(), kernels, m, n);
    });
    s.kernels_fresh = true;
}

template <class T>
void build_forward_tasks(network_state<T>& s)
{
    task_graph& g = s.forward_tasks;
    g = task_graph{};
    const auto& nodes = s.graph.nodes();
    const auto& order = s.graph.topological_order();
    std::vector<task_graph::task_id> done(nodes.size()), fft_ready(nodes.size()), winograd_ready(s.graph.edges().size());
    std::vector<std::vector<task_graph::task_id>> map_tasks(nodes.size());
    auto noop = [] {};
    std::vector<task_graph::task_id> region_tasks;
    s.forward_regions.assign(nodes.size(), {});
    s.forward_rows.assign(nodes.size(), {});

    // Priority = depth in topological order: among ready tasks, the ones nearest the output run first.
    for (int pos = 0; pos < static_cast<int>(order.size()); ++pos) {
        const int n = order[pos];
        const graph_node& node = nodes[n];
        s.forward_regions[n] = winograd_regions(s, n);
        if (s.forward_regions[n].empty()) s.forward_rows[n] = direct_row_parts(s, n);
        if (node.spec->type == "input") {
            const auto k = static_cast<std::size_t>(std::find(s.graph.inputs().begin(), s.graph.inputs().end(), n) -
                                                    s.graph.inputs().begin());
            for (int j = 0; j < node.maps(); ++j)
                map_tasks[n].push_back(
                    g.add([&s, n, k, j] { s.act[n][j] = (*s.given_inputs)[k][j]; }, pos, node.name() + " input"));
        } else if (!s.forward_regions[n].empty()) {
            // One task per region of all the maps, after the transforms of every in-edge.
            for (std::size_t r = 0; r < s.forward_regions[n].size(); ++r) {
                auto t = g.add([&s, n, r] { compute_region(s, n, r); }, pos, node.name() + " regions");
                for (int e : node.in_edges) g.depends(t, winograd_ready[e]);
                region_tasks.push_back(t);
            }
        } else if (!s.forward_rows[n].empty()) {
            // One task per part of the rows of all the maps, after the sources.
            for (std::size_t p = 0; p < s.forward_rows[n].size(); ++p) {
                auto t = g.add([&s, n, p] { compute_rows(s, n, p); }, pos, node.name() + " rows");
                for (int e : node.in_edges) g.depends(t, done[s.graph.edges()[e].from]);
                region_tasks.push_back(t);
            }
        } else {
            const int group = s.map_group(node.maps());
            for (int j0 = 0; j0 < node.maps(); j0 += group) {
                const int j1 = std::min(node.maps(), j0 + group);
                auto t = g.add([&s, n, j0, j1] { compute_maps(s, n, j0, j1); }, pos, node.name() + " maps");
                for (int e : node.in_edges) {
                    int src = s.graph.edges()[e].from;
                    g.depends(t, s.fft[e] ? fft_ready[src] : s.winograd[e] ? winograd_ready[e] : done[src]);
                }
                for (int j = j0; j < j1; ++j) map_tasks[n].push_back(t);  // the task of each map
            }
        }
        // A node whose storage held an earlier node's maps writes once that node's readers are done.
        for (int before : s.activations.wait_for[n]) {
            for (auto t : region_tasks) g.depends(t, done[before]);
            for (std::size_t j = 0; j < map_tasks[n].size(); ++j)
                if (j == 0 || map_tasks[n][j] != map_tasks[n][j - 1]) g.depends(map_tasks[n][j], done[before]);
        }
        done[n] = g.add(noop, pos);
        for (auto t : region_tasks) g.depends(done[n], t);
        region_tasks.clear();
        for (std::size_t j = 0; j < map_tasks[n].size(); ++j)
            if (j == 0 || map_tasks[n][j] != map_tasks[n][j - 1]) g.depends(done[n], map_tasks[n][j]);

        // Winograd transforms of each map as soon as it is computed, one task per (edge, map), once the
        // layer that used their storage before is done.
        for (int e : node.out_edges) {
            if (!s.winograd[e]) continue;
            winograd_ready[e] = g.add(noop, pos);
            if (s.winograd_fused[e]) {  // reads the maps themselves
                g.depends(winograd_ready[e], done[n]);
                continue;
            }
            const int before = s.winograd_input_after[e];
            for (int i = 0; i < node.maps(); ++i) {
                auto t = g.add([&s, n, e, i] { s.winograd_input[e]->transform(i, s.act[n][i]); }, pos,
                               s.graph.edges()[e].name() + " transforms");
                g.depends(t, map_tasks[n].empty() ? done[n] : map_tasks[n][i]);
                if (before >= 0) g.depends(t, done[s.graph.edges()[before].to]);
                g.depends(winograd_ready[e], t);
            }
        }

        if (s.feeds_fft(n)) {
            fft_ready[n] = g.add(noop, pos);
            for (int i = 0; i < node.maps(); ++i) {
                auto t = g.add([&s, n, i] { s.transformer[n]->forward(s.act[n][i], vec3{0, 0, 0}, s.image_spectra[n][i]); },
                               pos, node.name() + " spectra");
                g.depends(t, map_tasks[n].empty() ? done[n] : map_tasks[n][i]);
                g.depends(fft_ready[n], t);
            }
        }
    }
}

template void refresh_kernel_spectra(network_state<float>&);
template void refresh_kernel_spectra(network_state<double>&);
template void build_forward_tasks(network_state<float>&);
template void build_forward_tasks(network_state<double>&);

}  // namespace znn
