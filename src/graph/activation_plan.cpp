#include "znn/activation_plan.hpp"

#include <algorithm>
#include <numeric>

namespace znn {

std::int64_t activation_plan::total_values() const
{
    return std::accumulate(storage_values.begin(), storage_values.end(), std::int64_t(0));
}

std::int64_t activation_map_values(vec3 size, std::size_t value_bytes)
{
    const auto per_line = static_cast<std::int64_t>(64 / value_bytes);
    return (size.volume() + per_line - 1) / per_line * per_line;
}

activation_plan plan_activations(const net_graph& graph, const std::vector<vec3>& sizes, bool share,
                                 std::size_t value_bytes)
{
    const auto& nodes = graph.nodes();
    const auto& order = graph.topological_order();
    std::vector<int> position(nodes.size());
    for (std::size_t p = 0; p < order.size(); ++p) position[static_cast<std::size_t>(order[p])] = static_cast<int>(p);
    std::vector<char> output(nodes.size(), 0);
    for (int n : graph.outputs()) output[static_cast<std::size_t>(n)] = 1;
    // The nodes that read node n's maps, and the position of the last of them (-1: none).
    auto readers = [&](int n) {
        std::vector<int> r;
        for (int e : nodes[static_cast<std::size_t>(n)].out_edges) r.push_back(graph.edges()[static_cast<std::size_t>(e)].to);
        std::sort(r.begin(), r.end());
        r.erase(std::unique(r.begin(), r.end()), r.end());
        return r;
    };
    auto last_read = [&](int n) {
        int last = -1;
        for (int r : readers(n)) last = std::max(last, position[static_cast<std::size_t>(r)]);
        return last;
    };

    activation_plan plan;
    plan.storage.assign(nodes.size(), -1);
    plan.wait_for.assign(nodes.size(), {});
    std::vector<int> holder;  // per storage: its node so far
    for (int n : order) {
        const auto& node = nodes[static_cast<std::size_t>(n)];
        const std::int64_t need = node.maps() * activation_map_values(sizes[static_cast<std::size_t>(n)], value_bytes);
        // The smallest free storage that holds the maps, else the largest free one (grown).
        int chosen = -1;
        if (share)
            for (std::size_t k = 0; k < holder.size(); ++k) {
                const int h = holder[k];
                if (output[static_cast<std::size_t>(h)] || last_read(h) >= position[static_cast<std::size_t>(n)]) continue;
                const std::int64_t have = plan.storage_values[k];
                if (chosen < 0) {
                    chosen = static_cast<int>(k);
                    continue;
                }
                const std::int64_t best = plan.storage_values[static_cast<std::size_t>(chosen)];
                const bool fits = have >= need, best_fits = best >= need;
                if (fits != best_fits ? fits : (fits ? have < best : have > best)) chosen = static_cast<int>(k);
            }
        if (chosen < 0) {
            chosen = static_cast<int>(holder.size());
            holder.push_back(n);
            plan.storage_values.push_back(need);
        } else {
            // The holder itself too: a node nobody reads must still be written before n overwrites it.
            const int h = holder[static_cast<std::size_t>(chosen)];
            std::vector<int>& wait = plan.wait_for[static_cast<std::size_t>(n)];
            wait = readers(h);
            wait.insert(wait.begin(), h);
            holder[static_cast<std::size_t>(chosen)] = n;
            auto& values = plan.storage_values[static_cast<std::size_t>(chosen)];
            values = std::max(values, need);
        }
        plan.storage[static_cast<std::size_t>(n)] = chosen;
    }
    plan.kept.assign(nodes.size(), 0);
    for (int h : holder) plan.kept[static_cast<std::size_t>(h)] = 1;
    return plan;
}

}  // namespace znn
