// The backward pass of network<T> as a task graph: per (node, map) the gradient before the transfer
// function, per FFT edge the transforms of the target's gradients, per (edge, target map) the filter
// gradients.
#include "network_state.hpp"

#include "znn/conv.hpp"

#include <algorithm>

namespace znn {

namespace {

template <class T>
void compute_gradient(network_state<T>& s, int n, int j)
{
    const graph_node& node = s.graph.nodes()[n];
    volume<T>& g = s.grad[n][j];

    if (node.out_edges.empty()) {
        const auto& outs = s.graph.outputs();
        std::size_t k = static_cast<std::size_t>(std::find(outs.begin(), outs.end(), n) - outs.begin());
        const volume<T>& given = (*s.given_output_grads[k])[j];
        std::copy(given.begin(), given.end(), g.begin());
    } else {
        g.fill(T(0));
    }

    for (int e : node.out_edges) {
        const graph_edge& edge = s.graph.edges()[e];
        const edge_spec& spec = *edge.spec;
        const graph_node& tgt = s.graph.nodes()[edge.to];
        const maps<T>& gt = s.grad[tgt.index];

        if (spec.type == "conv") {
            const int n_t = tgt.maps();
            if (s.fft[e]) {
                const fft_transformer<T>& tf = *s.transformer[n];
                spectrum<T>& acc = scratch_spectrum<T>(tf.real_shape());
                acc.zero();
                for (int jj = 0; jj < n_t; ++jj)
                    multiply_accumulate_conj(acc, s.grad_spectra[e][jj], s.kernel_spectra[e][j * n_t + jj]);
                tf.inverse_add(acc, vec3{0, 0, 0}, vec3::one(), g);
            } else {
                // The layer form with one input map: kernel(0, jj) = filter (j, jj).
                std::vector<const volume<T>*> grads(n_t), kernels(n_t);
                for (int jj = 0; jj < n_t; ++jj) {
                    grads[jj] = &gt[jj];
                    kernels[jj] = &s.filter[e][j * n_t + jj];
                }
                volume<T>* target = &g;
                conv_backward_input_maps<T>(grads, kernels, node.sparsity, std::span<volume<T>* const>(&target, 1));
            }
        } else if (spec.type == "max_filter" || spec.type == "max_pool") {
            max_backward(gt[j], s.argmax[e][j], g);
        } else if (spec.type == "dropout") {
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
        } else {  // dummy
            for (std::size_t v = 0; v < g.size(); ++v) g[v] += gt[j][v];
        }
    }
    if (node.spec->type == "transfer") s.bias_grad[n][j] = transfer_backward(s.transfer[n], s.act[n][j], g);
}

template <class T>
void transform_gradient(network_state<T>& s, int e, int j)
{
    const graph_edge& edge = s.graph.edges()[e];
    s.transformer[edge.from]->forward(s.grad[edge.to][j], s.dilated_kernel(e) - 1, s.grad_spectra[e][j]);
}

template <class T>
void filter_gradient(network_state<T>& s, int e, int j)
{
    const graph_edge& edge = s.graph.edges()[e];
    const graph_node& src = s.graph.nodes()[edge.from];
    const int n_out = s.graph.nodes()[edge.to].maps();
    if (!s.fft[e]) {
        // The layer form with one output map: grad_kernel(i, 0) = gradient of filter (i, j).
        std::vector<const volume<T>*> inputs(src.maps());
        std::vector<volume<T>*> grads(src.maps());
        for (int i = 0; i < src.maps(); ++i) {
            inputs[i] = &s.act[src.index][i];
            grads[i] = &s.filter_grad[e][i * n_out + j];
            grads[i]->fill(T(0));
        }
        const volume<T>* g = &s.grad[edge.to][j];
        conv_backward_kernel_maps<T>(inputs, std::span<const volume<T>* const>(&g, 1), src.sparsity, grads);
        return;
    }
    for (int i = 0; i < src.maps(); ++i) {
        volume<T>& dw = s.filter_grad[e][i * n_out + j];
        dw.fill(T(0));
        if (s.fft[e]) {
            const spectrum<T>& g = s.grad_spectra[e][j];
            spectrum<T>& acc = scratch_spectrum<T>(g.real_shape());
            std::copy_n(g.data(), g.size(), acc.data());
            multiply_conj_in_place(acc, s.image_spectra[src.index][i]);
            s.transformer[src.index]->inverse_add(acc, vec3{0, 0, 0}, src.sparsity, dw);
        } else {
            conv_backward_kernel(s.act[src.index][i], s.grad[edge.to][j], src.sparsity, dw);
        }
    }
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
    std::vector<task_graph::task_id> grad_done(nodes.size()), spectra_ready(edges.size());
    std::vector<std::vector<task_graph::task_id>> spectrum_tasks(edges.size());
    auto noop = [] {};

    for (int pos = static_cast<int>(order.size()) - 1; pos >= 0; --pos) {
        const int n = order[pos];
        const graph_node& node = nodes[n];
        if (node.spec->type == "input") continue;
        for (int j = 0; j < node.maps(); ++j) {
            auto t = g.add([&s, n, j] { compute_gradient(s, n, j); }, pos);
            for (int e : node.out_edges) g.depends(t, s.fft[e] ? spectra_ready[e] : grad_done[edges[e].to]);
            grad_tasks[n].push_back(t);
        }
        grad_done[n] = g.add(noop, pos);
        for (auto t : grad_tasks[n]) g.depends(grad_done[n], t);

        for (int e : node.in_edges) {
            if (edges[e].type() != "conv") continue;
            if (s.fft[e]) {
                spectra_ready[e] = g.add(noop, pos);
                for (int j = 0; j < node.maps(); ++j) {
                    auto t = g.add([&s, e, j] { transform_gradient(s, e, j); }, pos);
                    g.depends(t, grad_tasks[n][j]);
                    g.depends(spectra_ready[e], t);
                    spectrum_tasks[e].push_back(t);
                }
            }
            // Filter gradients have nothing waiting on them: lowest priority, they fill idle cores.
            for (int j = 0; j < node.maps(); ++j) {
                auto t = g.add([&s, e, j] { filter_gradient(s, e, j); }, -1);
                g.depends(t, s.fft[e] ? spectrum_tasks[e][j] : grad_tasks[n][j]);
            }
        }
    }
}

template void build_backward_tasks(network_state<float>&);
template void build_backward_tasks(network_state<double>&);

}  // namespace znn
