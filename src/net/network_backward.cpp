// The backward pass of network<T> as a task graph: per (node, group of maps) the gradient before the
// transfer function, per FFT or Winograd edge the transforms of the target's gradients, per (edge,
// group of target maps) the filter gradients, or for Winograd filter gradients per (edge, component)
// their sums and per edge the filters' share.
#include "network_state.hpp"

#include "znn/conv.hpp"

#include <algorithm>

namespace znn {

namespace {

// The gradient of map j of node n through out-edge e, for every edge type except direct conv (done
// per group of maps in compute_gradients).
template <class T>
void add_edge_gradient(network_state<T>& s, int n, int e, int j)
{
    volume<T>& g = s.grad[n][j];
    const graph_edge& edge = s.graph.edges()[e];
    const edge_spec& spec = *edge.spec;
    const graph_node& tgt = s.graph.nodes()[edge.to];
    const maps<T>& gt = s.grad[tgt.index];

    if (spec.type == "conv") {  // FFT
        const int n_t = tgt.maps();
        const fft_transformer<T>& tf = *s.transformer[n];
        spectrum<T>& acc = scratch_spectrum<T>(tf.real_shape());
        acc.zero();
        for (int jj = 0; jj < n_t; ++jj)
            multiply_accumulate_conj(acc, s.grad_spectra[e][jj], s.kernel_spectra[e][j * n_t + jj]);
        tf.inverse_add(acc, vec3{0, 0, 0}, vec3::one(), g);
    } else if (spec.type == "max_filter" || spec.type == "max_pool") {
        max_backward(gt[j], s.argmax[e][j], g);
    } else if (spec.type == "dropout" && s.dropout) {
        const volume<T>& scale = s.dropout_scale[e][j];
        for (std::size_t v = 0; v < g.size(); ++v) g[v] += gt[j][v] * scale[v];
    } else if (spec.type == "crop") {
        const vec3 o = spec.offset, shape = gt[j].shape();
        for (std::int64_t z = 0; z < shape.z; ++z)
            for (std::int64_t y = 0; y < shape.y; ++y)
                for (std::int64_t x = 0; x < shape.x; ++x) g(z + o.z, y + o.y, x + o.x) += gt[j](z, y, x);
    } else if (spec.type == "maxout") {
        const auto& in_edges = tgt.in_edges;
        const auto position = static_cast<std::uint16_t>(std::find(in_edges.begin(), in_edges.end(), e) - in_edges.begin());
        const volume<std::uint16_t>& winner = s.maxout_winner[tgt.index][j];
        for (std::size_t v = 0; v < g.size(); ++v)
            if (winner[v] == position) g[v] += gt[j][v];
    } else {  // dummy, and dropout after evaluate(): identity
        for (std::size_t v = 0; v < g.size(); ++v) g[v] += gt[j][v];
    }
}

// Gradients of maps [j0, j1) of node n: every out-edge in order (a fixed summation order), direct conv
// edges through the layer form for the whole group, then the transfer function's derivative.
template <class T>
void compute_gradients(network_state<T>& s, int n, int j0, int j1)
{
    const graph_node& node = s.graph.nodes()[n];
    for (int j = j0; j < j1; ++j) {
        volume<T>& g = s.grad[n][j];
        if (node.out_edges.empty()) {
            const auto& outs = s.graph.outputs();
            std::size_t k = static_cast<std::size_t>(std::find(outs.begin(), outs.end(), n) - outs.begin());
            const volume<T>& given = (*s.given_output_grads[k])[j];
            std::copy(given.begin(), given.end(), g.begin());
        } else {
            g.fill(T(0));
        }
    }

    for (int e : node.out_edges) {
        const graph_edge& edge = s.graph.edges()[e];
        if (edge.spec->type == "conv" && !s.fft[e]) {
            // The layer form for the group: kernel(o, jj) = filter (j0 + o, jj).
            const graph_node& tgt = s.graph.nodes()[edge.to];
            const int n_t = tgt.maps(), count = j1 - j0;
            std::vector<const volume<T>*> kernels(static_cast<std::size_t>(count) * n_t);
            std::vector<volume<T>*> targets(count);
            for (int o = 0; o < count; ++o) {
                targets[o] = &s.grad[n][j0 + o];
                for (int jj = 0; jj < n_t; ++jj) kernels[o * n_t + jj] = &s.filter[e][(j0 + o) * n_t + jj];
            }
            if (s.winograd[e]) {
                winograd_backward_input_maps<T>(*s.winograd_grad[e], kernels, targets);
            } else {
                // The target gradients padded once for every group (padded_ready in build_backward_tasks).
                std::vector<const volume<T>*> padded(n_t);
                for (int jj = 0; jj < n_t; ++jj) padded[jj] = &s.padded_grad[e][jj];
                conv_backward_input_padded_maps<T>(padded, kernels, node.sparsity, targets);
            }
        } else {
            for (int j = j0; j < j1; ++j) add_edge_gradient(s, n, e, j);
        }
    }
    if (node.spec->type == "transfer")
        for (int j = j0; j < j1; ++j) s.bias_grad[n][j] = transfer_backward(s.transfer[n], s.act[n][j], s.grad[n][j]);
}

// The phased tiling of the gradient through node n's only out-edge, if any (phased_tiling in
// network_state.hpp).
template <class T>
const winograd_tiling* backward_phased_tiling(const network_state<T>& s, int n)
{
    return phased_tiling(s.graph.nodes()[n].out_edges, [&](int e) -> const winograd_tiling* {
        return s.winograd[e] && s.winograd_grad[e] ? &s.winograd_grad[e]->tiling() : nullptr;
    });
}

// The backward regions of node n when every out-edge is a Winograd conv edge whose gradient to n is
// computed (empty otherwise).
template <class T>
std::vector<winograd_region> backward_winograd_regions(const network_state<T>& s, int n)
{
    const graph_node& node = s.graph.nodes()[n];
    if (node.out_edges.empty() || (node.spec->type != "transfer" && node.spec->type != "sum")) return {};
    // A filter sparse in y or x: rows of tiles of its de-interleaved planes, which no other edge shares.
    if (const winograd_tiling* tl = backward_phased_tiling(s, n))
        return split_into_regions(region_shape(tl, s.sizes[n]), tl->my, s.pool.threads());
    for (int e : node.out_edges)
        if (!s.winograd[e] || !s.winograd_grad[e] || s.winograd_grad[e]->tiling().phased()) return {};
    const int my = common_tile_height(node.out_edges, [&](int e) { return s.winograd_grad[e]->tiling().my; });
    return split_into_regions(s.sizes[n], my, s.pool.threads());
}

// Region r of every gradient map of node n, a plane at a time: the gradient through the first out-edge
// written, through the others added, then the transfer function's derivative while the plane is in cache,
// with the bias gradients of the region kept per region (summed over planes in order).
template <class T>
void gradient_region(network_state<T>& s, int n, std::size_t r)
{
    const graph_node& node = s.graph.nodes()[n];
    const std::vector<volume<T>*> targets = region_targets(s.grad[n]);
    const bool transfer = node.spec->type == "transfer";
    std::vector<T>& parts = s.bias_grad_parts[n][r];
    if (transfer) std::fill(parts.begin(), parts.end(), T(0));
    const winograd_region& region = s.backward_regions[n][r];
    const winograd_tiling* phased = backward_phased_tiling(s, n);
    for_each_region_plane(
        region, region_shape(phased, s.sizes[n]), node.out_edges,
        [&](int e, const winograd_region& plane, conv_write write) {
            winograd_backward_input_maps<T>(*s.winograd_grad[e], s.winograd_backward_filters[e], targets, plane,
                                            write);
        },
        [&](std::int64_t z, const region_extent& x) {
            if (!transfer) return;
            for_each_region_run(phased, region, x, s.sizes[n].x, [&](std::int64_t y, std::size_t values) {
                for (int j = 0; j < node.maps(); ++j)
                    parts[j] += transfer_backward(s.transfer[n], std::span<const T>(&s.act[n][j](z, y, 0), values),
                                                  std::span<T>(&s.grad[n][j](z, y, 0), values));
            });
        });
}

template <class T>
void sum_bias_gradients(network_state<T>& s, int n)
{
    if (s.graph.nodes()[n].spec->type != "transfer") return;
    std::vector<T>& bias = s.bias_grad[n];
    std::fill(bias.begin(), bias.end(), T(0));
    for (const std::vector<T>& parts : s.bias_grad_parts[n])
        for (std::size_t j = 0; j < bias.size(); ++j) bias[j] += parts[j];
}

template <class T>
void transform_gradient(network_state<T>& s, int e, int j)
{
    const graph_edge& edge = s.graph.edges()[e];
    s.transformer[edge.from]->forward(s.grad[edge.to][j], s.dilated_kernel(e) - 1, s.grad_spectra[e][j]);
}

// Filter gradients of edge e for the target maps [j0, j1).
template <class T>
void filter_gradients(network_state<T>& s, int e, int j0, int j1)
{
    const graph_edge& edge = s.graph.edges()[e];
    const graph_node& src = s.graph.nodes()[edge.from];
    const int m = src.maps(), n_out = s.graph.nodes()[edge.to].maps(), count = j1 - j0;
    if (!s.fft[e]) {
        // The layer form for the group: grad_kernel(i, o) = gradient of filter (i, j0 + o).
        std::vector<const volume<T>*> inputs(m), grads(count);
        std::vector<volume<T>*> kernel_grads(static_cast<std::size_t>(m) * count);
        for (int o = 0; o < count; ++o) grads[o] = &s.grad[edge.to][j0 + o];
        for (int i = 0; i < m; ++i) {
            inputs[i] = &s.act[src.index][i];
            for (int o = 0; o < count; ++o) {
                volume<T>& dw = s.filter_grad[e][i * n_out + j0 + o];
                dw.fill(T(0));
                kernel_grads[i * count + o] = &dw;
            }
        }
        conv_backward_kernel_maps<T>(inputs, grads, src.sparsity, kernel_grads);
        return;
    }
    for (int j = j0; j < j1; ++j)
        for (int i = 0; i < m; ++i) {
            volume<T>& dw = s.filter_grad[e][i * n_out + j];
            dw.fill(T(0));
            const spectrum<T>& g = s.grad_spectra[e][j];
            spectrum<T>& acc = scratch_spectrum<T>(g.real_shape());
            std::copy_n(g.data(), g.size(), acc.data());
            multiply_conj_in_place(acc, s.image_spectra[src.index][i]);
            s.transformer[src.index]->inverse_add(acc, vec3{0, 0, 0}, src.sparsity, dw);
        }
}

// Filter gradients of a Winograd edge once every component of its sums is computed.
template <class T>
void finish_winograd_filter_gradients(network_state<T>& s, int e)
{
    std::vector<volume<T>*> grads;
    for (volume<T>& dw : s.filter_grad[e]) {
        dw.fill(T(0));
        grads.push_back(&dw);
    }
    s.winograd_filter_sums[e]->add_to(grads);
}

}  // namespace

template <class T>
void build_backward_tasks(network_state<T>& s)
{
    task_graph& g = s.backward_tasks;
    g = task_graph{};
    const auto& nodes = s.graph.nodes();
    const auto& edges = s.graph.edges();
    const auto& order = s.graph.topological_order();
    std::vector<std::vector<task_graph::task_id>> grad_tasks(nodes.size());
    std::vector<task_graph::task_id> grad_done(nodes.size()), spectra_ready(edges.size()), padded_ready(edges.size());
    std::vector<std::vector<task_graph::task_id>> spectrum_tasks(edges.size());
    auto noop = [] {};

    s.backward_regions.assign(nodes.size(), {});
    s.bias_grad_parts.assign(nodes.size(), {});
    // The last task of each edge's Winograd filter gradients, made first: the next edge in their storages
    // (winograd_filter_after) waits for it wherever the loop below meets the two.
    std::vector<task_graph::task_id> filter_finish(edges.size());
    for (const auto& e : edges)
        if (s.winograd_filter_grad[e.index])
            filter_finish[e.index] = g.add([&s, e = e.index] { finish_winograd_filter_gradients(s, e); }, -1,
                                           e.name() + " filter gradient sums");
    for (int pos = static_cast<int>(order.size()) - 1; pos >= 0; --pos) {
        const int n = order[pos];
        const graph_node& node = nodes[n];
        if (node.spec->type == "input") continue;
        const int group = s.map_group(node.maps());
        s.backward_regions[n] = backward_winograd_regions(s, n);
        if (!s.backward_regions[n].empty()) {
            // One task per region of all the gradient maps, then one that sums the bias gradients.
            const std::size_t count = s.backward_regions[n].size();
            s.bias_grad_parts[n].assign(count, std::vector<T>(node.maps(), T(0)));
            grad_done[n] = g.add([&s, n] { sum_bias_gradients(s, n); }, pos, node.name() + " bias gradients");
            for (std::size_t r = 0; r < count; ++r) {
                auto t = g.add([&s, n, r] { gradient_region(s, n, r); }, pos, node.name() + " gradient regions");
                for (int e : node.out_edges) g.depends(t, padded_ready[e]);
                g.depends(grad_done[n], t);
            }
            grad_tasks[n].assign(node.maps(), grad_done[n]);
        }
        for (int j0 = 0; j0 < node.maps() && s.backward_regions[n].empty(); j0 += group) {
            const int j1 = std::min(node.maps(), j0 + group);
            auto t = g.add([&s, n, j0, j1] { compute_gradients(s, n, j0, j1); }, pos, node.name() + " gradient maps");
            for (int e : node.out_edges) {
                const bool direct_conv = edges[e].type() == "conv" && !s.fft[e];
                g.depends(t, s.fft[e] ? spectra_ready[e] : direct_conv ? padded_ready[e] : grad_done[edges[e].to]);
            }
            for (int j = j0; j < j1; ++j) grad_tasks[n].push_back(t);  // the task of each map
        }
        if (s.backward_regions[n].empty()) {
            grad_done[n] = g.add(noop, pos);
            for (int j = 0; j < node.maps(); j += group) g.depends(grad_done[n], grad_tasks[n][j]);
        }

        for (int e : node.in_edges) {
            if (edges[e].type() != "conv") continue;
            if (s.fft[e]) {
                spectra_ready[e] = g.add(noop, pos);
                for (int j = 0; j < node.maps(); ++j) {
                    auto t = g.add([&s, e, j] { transform_gradient(s, e, j); }, pos, edges[e].name() + " gradient spectra");
                    g.depends(t, grad_tasks[n][j]);
                    g.depends(spectra_ready[e], t);
                    spectrum_tasks[e].push_back(t);
                }
            } else if (s.winograd[e] && nodes[edges[e].from].spec->type != "input") {
                // Each target gradient padded and transformed once for all the tasks that read it, once
                // the layer that used their storage before is done.
                padded_ready[e] = g.add(noop, pos);
                const int before = s.winograd_grad_after[e];
                for (int j = 0; j < node.maps(); ++j) {
                    auto t = g.add([&s, e, j] {
                        const graph_edge& edge = s.graph.edges()[e];
                        thread_local volume<T> padded;
                        pad_for_backward_input(s.grad[edge.to][j], edge.spec->size, s.source(e).sparsity, padded);
                        s.winograd_grad[e]->transform(j, padded);
                    }, pos, edges[e].name() + " gradient transforms");
                    g.depends(t, grad_tasks[n][j]);
                    if (before >= 0) g.depends(t, grad_done[edges[before].from]);
                    g.depends(padded_ready[e], t);
                }
            } else if (nodes[edges[e].from].spec->type != "input") {
                // Each target gradient padded once for all the tasks that take the gradient to the source.
                padded_ready[e] = g.add(noop, pos);
                s.padded_grad[e].resize(node.maps());
                for (int j = 0; j < node.maps(); ++j) {
                    auto t = g.add([&s, e, j] {
                        const graph_edge& edge = s.graph.edges()[e];
                        pad_for_backward_input(s.grad[edge.to][j], edge.spec->size, s.source(e).sparsity,
                                               s.padded_grad[e][j]);
                    }, pos, edges[e].name() + " gradient padding");
                    g.depends(t, grad_tasks[n][j]);
                    g.depends(padded_ready[e], t);
                }
            }
            // Filter gradients have nothing waiting on them: lowest priority, they fill idle cores.
            if (s.winograd_filter_grad[e]) {
                // Each source map and target gradient transformed once, into the storages the edge before
                // has finished with, then one task per component reads them all.
                const int before = s.winograd_filter_after[e];
                auto transformed = g.add(noop, -1);
                auto transform_task = [&](auto fn) {
                    auto t = g.add(std::move(fn), -1, edges[e].name() + " filter gradient transforms");
                    if (before >= 0) g.depends(t, filter_finish[before]);
                    g.depends(transformed, t);
                    return t;
                };
                for (int i = 0; i < s.source(e).maps(); ++i)
                    transform_task([&s, e, i] { s.winograd_filter_input[e]->transform(i, s.act[s.graph.edges()[e].from][i]); });
                for (int j = 0; j < node.maps(); ++j)
                    g.depends(transform_task([&s, e, j] {
                                  s.winograd_out_grad[e]->transform(j, s.grad[s.graph.edges()[e].to][j]);
                              }),
                              grad_tasks[n][j]);
                for (int c = 0; c < s.winograd_filter_sums[e]->components(); ++c) {
                    auto t = g.add([&s, e, c] {
                        s.winograd_filter_sums[e]->compute(c, *s.winograd_filter_input[e], *s.winograd_out_grad[e]);
                    }, -1, edges[e].name() + " filter gradient products");
                    g.depends(t, transformed);
                    g.depends(filter_finish[e], t);
                }
                continue;
            }
            for (int j0 = 0; j0 < node.maps(); j0 += group) {
                const int j1 = std::min(node.maps(), j0 + group);
                auto t = g.add([&s, e, j0, j1] { filter_gradients(s, e, j0, j1); }, -1,
                               edges[e].name() + " filter gradients");
                for (int j = j0; j < j1; ++j) g.depends(t, s.fft[e] ? spectrum_tasks[e][j] : grad_tasks[n][j]);
            }
        }
    }
}

template void build_backward_tasks(network_state<float>&);
template void build_backward_tasks(network_state<double>&);

}  // namespace znn
