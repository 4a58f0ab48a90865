// MALIS weights by Kruskal's algorithm with per-component label counts, on the connected components of the
// true affinity graph (see include/znn/malis.hpp).
#include "znn/malis.hpp"

#include "znn/error.hpp"
#include "znn/labels.hpp"

#include <algorithm>
#include <cmath>
#include <numeric>
#include <unordered_map>
#include <vector>

namespace znn {

malis_norm parse_malis_norm(const std::string& name)
{
    if (name == "none") return malis_norm::none;
    if (name == "frac") return malis_norm::frac;
    if (name == "num") return malis_norm::num;
    if (name == "pair") return malis_norm::pair;
    throw input_error("unknown malis_norm_type '" + name + "' (none, frac, num or pair)");
}

const char* malis_norm_name(malis_norm norm) noexcept
{
    switch (norm) {
    case malis_norm::none: return "none";
    case malis_norm::frac: return "frac";
    case malis_norm::num: return "num";
    case malis_norm::pair: return "pair";
    }
    return "none";
}

namespace {

template <class T>
void check_affinity(const maps<T>& affinity, vec3 shape, const char* who)
{
    if (affinity.size() != 3)
        throw input_error(std::string(who) + ": needs 3 affinity maps (x, y, z), got " + std::to_string(affinity.size()));
    for (std::size_t c = 0; c < 3; ++c)
        if (affinity[c].shape() != shape)
            throw input_error(std::string(who) + ": affinity map " + std::to_string(c) + " is " +
                              affinity[c].shape().dims() + ", expected " + shape.dims());
}

template <class T>
maps<T> zero_maps(vec3 shape)
{
    maps<T> m;
    for (int c = 0; c < 3; ++c) m.emplace_back(shape, T(0));
    return m;
}

// Disjoint sets over voxels: union by size, path halving.
class disjoint_sets {
public:
    explicit disjoint_sets(std::size_t n) : parent_(n), size_(n, 1) { std::iota(parent_.begin(), parent_.end(), 0); }
    std::size_t find(std::size_t v)
    {
        while (parent_[v] != v) {
            parent_[v] = parent_[parent_[v]];
            v = parent_[v];
        }
        return v;
    }
    // Joins two roots; returns the new root.
    std::size_t join(std::size_t a, std::size_t b)
    {
        if (size_[a] < size_[b]) std::swap(a, b);
        parent_[b] = a;
        size_[a] += size_[b];
        return a;
    }

private:
    std::vector<std::size_t> parent_;
    std::vector<std::size_t> size_;
};

struct edge {
    double affinity;
    std::size_t voxel;  // the voxel v; the edge joins v and v - e_channel
    int channel;
};

// Labels of one component: dense label id -> voxels; labelled = their sum; fraction = Σ count / |label|.
struct component_labels {
    std::unordered_map<std::uint64_t, std::int64_t> count;
    std::int64_t labelled = 0;
    double fraction = 0;
};

}  // namespace

template <class T>
volume<std::uint64_t> segment_affinities(const maps<T>& true_affinity, T threshold)
{
    if (true_affinity.empty()) throw input_error("segment_affinities: needs 3 affinity maps (x, y, z), got 0");
    const vec3 s = true_affinity[0].shape();
    check_affinity(true_affinity, s, "segment_affinities");
    const std::size_t n = true_affinity[0].size();

    disjoint_sets sets(n);
    std::vector<std::size_t> size(n, 1);
    for (std::int64_t z = 0; z < s.z; ++z)
        for (std::int64_t y = 0; y < s.y; ++y)
            for (std::int64_t x = 0; x < s.x; ++x) {
                const std::size_t v = true_affinity[0].index(z, y, x);
                const std::int64_t at[3] = {x, y, z};
                for (int c = 0; c < 3; ++c) {
                    if (at[c] == 0 || !(true_affinity[c][v] > threshold)) continue;
                    const auto* d = detail::affinity_step[c];
                    const std::size_t u = v - static_cast<std::size_t>((d[0] * s.y + d[1]) * s.x + d[2]);
                    const std::size_t a = sets.find(v), b = sets.find(u);
                    if (a == b) continue;
                    const std::size_t joined = size[a] + size[b];
                    size[sets.join(a, b)] = joined;
                }
            }

    volume<std::uint64_t> seg(s, 0);
    std::unordered_map<std::size_t, std::uint64_t> id_of_root;
    for (std::size_t i = 0; i < n; ++i) {
        const std::size_t root = sets.find(i);
        if (size[root] < 2) continue;
        auto [it, inserted] = id_of_root.try_emplace(root, id_of_root.size() + 1);
        seg[i] = it->second;
    }
    return seg;
}

template <class T>
malis_weights<T> compute_malis(const maps<T>& affinity, const volume<std::uint64_t>& segmentation, malis_norm norm)
{
    const vec3 s = segmentation.shape();
    check_affinity(affinity, s, "MALIS");
    const std::size_t n = segmentation.size();

    malis_weights<T> r;
    r.merger = zero_maps<T>(s);
    r.splitter = zero_maps<T>(s);
    if (n == 0) {
        r.weight = zero_maps<T>(s);
        return r;
    }

    // The ground truth, as the original takes it: the connected components of the patch's true affinity
    // graph (the training targets' own affinity rule, labels.hpp), not the ids. An object that leaves the
    // patch and comes back is two objects here; a component of one voxel is boundary. Ids are 1..K.
    const volume<std::uint64_t> dense = segment_affinities(make_labels<T>(segmentation, label_transform::affinity));
    std::vector<std::int64_t> label_size{0};  // voxels of each component, for frac
    for (std::size_t i = 0; i < n; ++i) {
        const std::uint64_t id = dense[i];
        if (id == 0) continue;
        if (id >= label_size.size()) label_size.resize(id + 1, 0);
        ++label_size[id];
        ++r.labelled_voxels;
    }

    std::vector<edge> edges;
    edges.reserve(3 * n);
    for (std::int64_t z = 0; z < s.z; ++z)
        for (std::int64_t y = 0; y < s.y; ++y)
            for (std::int64_t x = 0; x < s.x; ++x) {
                const std::size_t v = segmentation.index(z, y, x);
                const std::int64_t at[3] = {x, y, z};
                for (int c = 0; c < 3; ++c) {
                    if (at[c] == 0) continue;
                    const double a = affinity[c][v];
                    if (std::isnan(a)) throw runtime_failure("MALIS: NaN in the predicted affinities");
                    edges.push_back({a, v, c});
                }
            }
    std::sort(edges.begin(), edges.end(), [](const edge& a, const edge& b) {
        if (a.affinity != b.affinity) return a.affinity > b.affinity;
        if (a.voxel != b.voxel) return a.voxel < b.voxel;
        return a.channel < b.channel;
    });

    std::vector<component_labels> labels(n);
    for (std::size_t i = 0; i < n; ++i)
        if (dense[i] != 0) {
            labels[i].count.emplace(dense[i], 1);
            labels[i].labelled = 1;
            labels[i].fraction = 1.0 / static_cast<double>(label_size[dense[i]]);
        }

    const bool frac = norm == malis_norm::frac;
    disjoint_sets sets(n);
    for (const edge& e : edges) {
        const auto* d = detail::affinity_step[e.channel];
        const std::size_t u = e.voxel - static_cast<std::size_t>((d[0] * s.y + d[1]) * s.x + d[2]);
        std::size_t a = sets.find(e.voxel), b = sets.find(u);
        if (a == b) continue;

        component_labels* small = &labels[a];
        component_labels* large = &labels[b];
        if (small->count.size() > large->count.size()) std::swap(small, large);

        // Pairs across the two components: same label, and labelled pairs minus those.
        std::int64_t same = 0;
        double same_frac = 0;
        for (const auto& [id, k] : small->count) {
            const auto it = large->count.find(id);
            if (it == large->count.end()) continue;
            same += k * it->second;
            const double size = static_cast<double>(label_size[id]);
            same_frac += static_cast<double>(k) * static_cast<double>(it->second) / (size * size);
        }
        const std::int64_t diff = small->labelled * large->labelled - same;
        const double diff_frac = std::max(0.0, small->fraction * large->fraction - same_frac);

        r.splitter[e.channel][e.voxel] += static_cast<T>(frac ? same_frac : static_cast<double>(same));
        r.merger[e.channel][e.voxel] += static_cast<T>(frac ? diff_frac : static_cast<double>(diff));
        if (e.affinity > 0.5) r.false_merges += static_cast<double>(diff);
        if (e.affinity < 0.5) r.false_splits += static_cast<double>(same);

        // Small-to-large: the new root keeps the larger table.
        for (const auto& [id, k] : small->count) large->count[id] += k;
        large->labelled += small->labelled;
        large->fraction += small->fraction;
        component_labels merged = std::move(*large);
        *small = component_labels{};
        *large = component_labels{};
        labels[sets.join(a, b)] = std::move(merged);
    }

    const double nl = static_cast<double>(r.labelled_voxels);
    const double pairs = nl * (nl - 1);
    if (pairs > 0) r.rand_error = (r.false_merges + r.false_splits) / (pairs / 2);
    double divisor = 1;
    if (norm == malis_norm::num) divisor = nl;
    if (norm == malis_norm::pair) divisor = pairs;
    if (divisor > 0 && divisor != 1)
        for (int c = 0; c < 3; ++c)
            for (std::size_t i = 0; i < n; ++i) {
                r.merger[c][i] = static_cast<T>(r.merger[c][i] / divisor);
                r.splitter[c][i] = static_cast<T>(r.splitter[c][i] / divisor);
            }

    r.weight = zero_maps<T>(s);
    for (int c = 0; c < 3; ++c)
        for (std::size_t i = 0; i < n; ++i) r.weight[c][i] = r.merger[c][i] + r.splitter[c][i];
    return r;
}

template <class T>
malis_loss_result<T> malis_square_loss(const maps<T>& affinity, const malis_weights<T>& weights)
{
    if (affinity.empty()) throw input_error("MALIS loss: needs 3 affinity maps (x, y, z), got 0");
    const vec3 s = affinity[0].shape();
    check_affinity(affinity, s, "MALIS loss");
    check_affinity(weights.merger, s, "MALIS loss (merger weights)");
    check_affinity(weights.splitter, s, "MALIS loss (splitter weights)");

    malis_loss_result<T> r;
    r.gradient = zero_maps<T>(s);
    for (int c = 0; c < 3; ++c)
        for (std::size_t i = 0; i < affinity[c].size(); ++i) {
            const double a = affinity[c][i];
            const double pos = weights.splitter[c][i];
            const double neg = weights.merger[c][i];
            r.loss += pos * (1 - a) * (1 - a) + neg * a * a;
            r.gradient[c][i] = static_cast<T>(2 * (pos * (a - 1) + neg * a));
        }
    return r;
}

#define ZNN_INSTANTIATE_MALIS(T)                                                                                   \
    template malis_weights<T> compute_malis<T>(const maps<T>&, const volume<std::uint64_t>&, malis_norm);         \
    template volume<std::uint64_t> segment_affinities<T>(const maps<T>&, T);                                      \
    template malis_loss_result<T> malis_square_loss<T>(const maps<T>&, const malis_weights<T>&);

ZNN_INSTANTIATE_MALIS(float)
ZNN_INSTANTIATE_MALIS(double)

#undef ZNN_INSTANTIATE_MALIS

}  // namespace znn
