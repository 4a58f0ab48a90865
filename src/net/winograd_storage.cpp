// plan_winograd_storages (network_state.hpp): which Winograd edges share the storage of their
// transforms. Each pass reads only its own transforms: the forward pass those of the source maps, the
// backward pass those of the padded target gradients. Within a pass, an edge takes over the storage of
// an edge whose transforms have been read for the last time when its own are written (a chain of
// layers keeps one storage, the size of its largest layer's, instead of one per layer: N4's forward
// transforms 387 MiB in four layers); the backward pass starts with the forward pass's storages. The
// transform tasks wait for the layer before (network_state::winograd_input_after, winograd_grad_after).
// The edges whose filter gradients run by Winograd transform their inputs again in the backward pass
// (keeping the forward transforms would hold every layer's at once: N4's training peaked at 1.7 GB
// instead of 0.8) and their output gradients: one storage for each kind, which they take in turn in
// backward order (network_state::winograd_filter_after: the filter gradients of the edge before must
// be done). The fused passes of filters deeper than a plane keep nothing but allocate scratch while they
// run: counted too (winograd_storage_plan::fused_scratch), for the memory budget of conv mode optimize.
#include "network_state.hpp"

#include <algorithm>

namespace znn {

namespace {

// A storage while the plan is made.
struct shared_storage {
    std::size_t size = 0;  // values
    int last = -1;         // the edge that uses it last so far; -1: free from the start of the pass
    std::vector<int> edges;
};

// Puts each edge of `in_order` (the order in which their transforms are written) into a storage:
// the largest one whose last edge `may_follow` allows (its transforms are read for the last time
// before this edge's are written), else a new one. after[e] = that last edge.
template <class MayFollow>
void share_storages(const std::vector<int>& in_order, const std::vector<std::size_t>& size_of, MayFollow may_follow,
                    std::vector<int>& after, std::vector<shared_storage>& storages)
{
    for (int e : in_order) {
        shared_storage* chosen = nullptr;
        for (shared_storage& st : storages)
            if ((st.last < 0 || may_follow(st.last, e)) && (!chosen || st.size > chosen->size)) chosen = &st;
        if (!chosen) chosen = &storages.emplace_back();
        after[e] = chosen->last;
        chosen->last = e;
        chosen->size = std::max(chosen->size, size_of[e]);
        chosen->edges.push_back(e);
    }
}

}  // namespace

template <class T>
winograd_storage_plan plan_winograd_storages(const network_state<T>& s, const std::vector<char>& winograd)
{
    const auto& edges = s.graph.edges();
    const auto& nodes = s.graph.nodes();
    winograd_storage_plan plan;
    plan.input_after.assign(edges.size(), -1);
    plan.grad_after.assign(edges.size(), -1);

    const auto& order = s.graph.topological_order();
    std::vector<int> position(nodes.size());
    for (std::size_t p = 0; p < order.size(); ++p) position[order[p]] = static_cast<int>(p);
    plan.filter_after.assign(edges.size(), -1);
    std::vector<int> forward_edges, backward_edges, filter_edges;
    std::vector<std::size_t> input_size(edges.size()), grad_size(edges.size());
    for (const auto& e : edges) {
        if (!winograd[e.index]) continue;
        const bool fused = e.index < static_cast<int>(s.winograd_fused.size()) && s.winograd_fused[e.index];
        if (!fused) forward_edges.push_back(e.index);  // a fused edge stores no forward transforms
        input_size[e.index] = winograd_maps<T>::storage_size(s.winograd_input_tiling(e.index),
                                                             static_cast<std::size_t>(nodes[e.from].maps()));
        if (fused) {
            const std::int64_t bytes = winograd_fused_scratch_bytes(
                s.winograd_input_tiling(e.index), static_cast<std::size_t>(nodes[e.from].maps()), sizeof(T));
            plan.fused_scratch = std::max(plan.fused_scratch, static_cast<std::size_t>(s.pool.threads()) *
                                                                  static_cast<std::size_t>(bytes) / sizeof(T));
        }
        if (s.options.training && e.index < static_cast<int>(s.winograd_filter_grad.size()) &&
            s.winograd_filter_grad[e.index])
            filter_edges.push_back(e.index);
        if (s.options.training && nodes[e.from].spec->type != "input") {
            backward_edges.push_back(e.index);
            grad_size[e.index] = winograd_maps<T>::storage_size(s.winograd_grad_tiling(e.index),
                                                                static_cast<std::size_t>(nodes[e.to].maps()));
        }
    }

    // Forward: written once the source is computed, read by the target's tasks; backward: written once
    // the target's gradient is computed, read by the source's gradient tasks.
    std::stable_sort(forward_edges.begin(), forward_edges.end(),
                     [&](int a, int b) { return position[edges[a].from] < position[edges[b].from]; });
    auto backward_order = [&](int a, int b) { return position[edges[a].to] > position[edges[b].to]; };
    std::stable_sort(backward_edges.begin(), backward_edges.end(), backward_order);
    std::stable_sort(filter_edges.begin(), filter_edges.end(), backward_order);
    std::vector<shared_storage> storages;
    share_storages(
        forward_edges, input_size,
        [&](int last, int e) { return position[edges[last].to] <= position[edges[e].from]; }, plan.input_after,
        storages);
    const std::vector<shared_storage> forward_storages = storages;
    for (shared_storage& st : storages) {
        st.last = -1;  // the backward pass runs after the forward pass
        st.edges.clear();
    }
    share_storages(
        backward_edges, grad_size,
        [&](int last, int e) { return position[edges[last].from] >= position[edges[e].to]; }, plan.grad_after,
        storages);

    for (std::size_t k = 0; k < storages.size(); ++k) {
        const bool both = k < forward_storages.size();
        plan.sizes.push_back(std::max(storages[k].size, both ? forward_storages[k].size : 0));
        plan.forward.push_back(both ? forward_storages[k].edges : std::vector<int>{});
        plan.backward.push_back(storages[k].edges);
        plan.filter_inputs.emplace_back();
        plan.gradients.emplace_back();
    }
    if (!filter_edges.empty()) {
        std::size_t inputs = 0, gradients = 0;
        for (std::size_t k = 0; k < filter_edges.size(); ++k) {
            const int e = filter_edges[k];
            plan.filter_after[e] = k > 0 ? filter_edges[k - 1] : -1;
            inputs = std::max(inputs, input_size[e]);
            gradients = std::max(gradients, winograd_gradients<T>::storage_size(
                                                s.winograd_input_tiling(e), static_cast<std::size_t>(nodes[edges[e].to].maps())));
        }
        for (int kind = 0; kind < 2; ++kind) {
            plan.sizes.push_back(kind == 0 ? inputs : gradients);
            plan.forward.emplace_back();
            plan.backward.emplace_back();
            plan.filter_inputs.push_back(kind == 0 ? filter_edges : std::vector<int>{});
            plan.gradients.push_back(kind == 1 ? filter_edges : std::vector<int>{});
        }
    }
    return plan;
}

template winograd_storage_plan plan_winograd_storages(const network_state<float>&, const std::vector<char>&);
template winograd_storage_plan plan_winograd_storages(const network_state<double>&, const std::vector<char>&);

}  // namespace znn
