// Training targets from label stacks: the [labelN] pp_types, their masks, and rebalance weights
// (../shared/znn-manual.md §3).
//
//   none          the label values as they are (as T), one map per stored channel
//   one_class     map 0 = (label > 0): 1 inside cells, 0 on membrane
//   binary_class  one_class plus map 1 = 1 - map 0 (the 2-map softmax target)
//   affinity      maps 0 = x, 1 = y, 2 = z: aff_c(v) = 1 when seg(v) = seg(v - e_c) and seg(v) > 0;
//                 the first plane along axis c has no predecessor: 0 there, and masked out
//
// Masks (1 = the voxel counts) come one per output map. A mask file counts where its value is > 0;
// without one every voxel counts. Affinity masks: mask(v) AND mask(v - e_c), 0 on the first plane.
//
// With data augmentation, flip/transpose the segmentation and mask first and transform them after:
// an affinity map is not invariant under a flip (the predecessor changes side), and a y<->x transpose
// swaps the meaning of maps 0 and 1.
#pragma once

#include "znn/volume.hpp"

#include <cstdint>
#include <string>

namespace znn {

enum class label_transform { none, one_class, binary_class, affinity };

// Throws input_error naming the accepted values.
label_transform parse_label_transform(const std::string& name);
const char* label_transform_name(label_transform t) noexcept;

// Output maps of a transform; for none, that is the number of stored channels.
inline int label_map_count(label_transform t, int stored_channels = 1) noexcept
{
    switch (t) {
    case label_transform::none: return stored_channels;
    case label_transform::one_class: return 1;
    case label_transform::binary_class: return 2;
    case label_transform::affinity: return 3;
    }
    return stored_channels;
}

namespace detail {
// Offsets of e_x, e_y, e_z as (dz, dy, dx), in affinity map order.
inline constexpr std::int64_t affinity_step[3][3] = {{0, 0, 1}, {0, 1, 0}, {1, 0, 0}};
}  // namespace detail

// One label volume (any arithmetic type: a segmentation, or stored targets for none) to training maps.
template <class T, class S>
maps<T> make_labels(const volume<S>& labels, label_transform t)
{
    const vec3 s = labels.shape();
    maps<T> out;
    if (t == label_transform::none) {
        volume<T> v(s);
        for (std::size_t i = 0; i < v.size(); ++i) v[i] = static_cast<T>(labels[i]);
        out.push_back(std::move(v));
        return out;
    }
    if (t == label_transform::one_class || t == label_transform::binary_class) {
        volume<T> inside(s);
        for (std::size_t i = 0; i < inside.size(); ++i) inside[i] = labels[i] > S(0) ? T(1) : T(0);
        if (t == label_transform::binary_class) {
            volume<T> outside(s);
            for (std::size_t i = 0; i < outside.size(); ++i) outside[i] = T(1) - inside[i];
            out.push_back(std::move(inside));
            out.push_back(std::move(outside));
        } else {
            out.push_back(std::move(inside));
        }
        return out;
    }
    for (int c = 0; c < 3; ++c) {
        const auto* d = detail::affinity_step[c];
        volume<T> aff(s, T(0));
        for (std::int64_t z = d[0]; z < s.z; ++z)
            for (std::int64_t y = d[1]; y < s.y; ++y)
                for (std::int64_t x = d[2]; x < s.x; ++x) {
                    const S here = labels(z, y, x);
                    aff(z, y, x) = (here > S(0) && here == labels(z - d[0], y - d[1], x - d[2])) ? T(1) : T(0);
                }
        out.push_back(std::move(aff));
    }
    return out;
}

// The masks of the output maps from a mask volume (> 0 counts). `stored_channels`: see label_map_count.
template <class T, class M>
maps<T> make_label_masks(const volume<M>& mask, label_transform t, int stored_channels = 1)
{
    const vec3 s = mask.shape();
    maps<T> out;
    if (t != label_transform::affinity) {
        volume<T> m(s);
        for (std::size_t i = 0; i < m.size(); ++i) m[i] = mask[i] > M(0) ? T(1) : T(0);
        const int n = label_map_count(t, stored_channels);
        for (int c = 0; c < n; ++c) out.push_back(m);
        return out;
    }
    for (int c = 0; c < 3; ++c) {
        const auto* d = detail::affinity_step[c];
        volume<T> m(s, T(0));
        for (std::int64_t z = d[0]; z < s.z; ++z)
            for (std::int64_t y = d[1]; y < s.y; ++y)
                for (std::int64_t x = d[2]; x < s.x; ++x)
                    m(z, y, x) = (mask(z, y, x) > M(0) && mask(z - d[0], y - d[1], x - d[2]) > M(0)) ? T(1) : T(0);
        out.push_back(std::move(m));
    }
    return out;
}

// The masks when there is no mask file: every voxel counts (affinity: all but the first planes).
template <class T>
maps<T> make_label_masks(vec3 shape, label_transform t, int stored_channels = 1)
{
    return make_label_masks<T>(volume<std::uint8_t>(shape, 1), t, stored_channels);
}

// ---- rebalance ----

enum class rebalance_mode { none, global, patch };

// Throws input_error naming the accepted values.
rebalance_mode parse_rebalance_mode(const std::string& name);
const char* rebalance_mode_name(rebalance_mode m) noexcept;

// Voxels of one label map that count (mask > 0), split by label > 0.
struct class_counts {
    std::int64_t positive = 0;
    std::int64_t zero = 0;
    std::int64_t total() const noexcept { return positive + zero; }
    class_counts& operator+=(const class_counts& o) noexcept
    {
        positive += o.positive;
        zero += o.zero;
        return *this;
    }
};

template <class T>
class_counts count_classes(const volume<T>& label)
{
    class_counts n;
    for (const T& v : label) ++(v > T(0) ? n.positive : n.zero);
    return n;
}

template <class T, class M>
class_counts count_classes(const volume<T>& label, const volume<M>& mask)
{
    class_counts n;
    for (std::size_t i = 0; i < label.size(); ++i)
        if (mask[i] > M(0)) ++(label[i] > T(0) ? n.positive : n.zero);
    return n;
}

struct class_weights {
    double positive = 1;
    double zero = 1;
};

// patch:  positive N_zero / N, zero N_pos / N;
// global: positive 0.5 N / N_pos, zero 0.5 N / N_zero;
// none, or a class absent from the counted voxels: both 1.
class_weights rebalance_weights(rebalance_mode mode, const class_counts& counts) noexcept;

// The per-voxel weights of a label map: w.positive where label > 0, else w.zero.
template <class T>
volume<T> weight_map(const volume<T>& label, const class_weights& w)
{
    volume<T> out(label.shape());
    for (std::size_t i = 0; i < out.size(); ++i)
        out[i] = static_cast<T>(label[i] > T(0) ? w.positive : w.zero);
    return out;
}

}  // namespace znn
