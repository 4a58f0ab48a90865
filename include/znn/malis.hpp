// MALIS: maximin affinity learning of image segmentation (Turaga et al., NIPS 2009), the way the
// original ZNN uses it (../shared/znn-manual.md §4, is_malis / malis_norm_type).
//
// The graph. Voxels are nodes. Affinity map c (0 = x, 1 = y, 2 = z, as in labels.hpp) at voxel v is the
// edge between v and v − e_c; it exists where v's coordinate along axis c is >= 1 (the first plane
// has no predecessor: its weights are 0).
//
// The counts. Kruskal's algorithm builds the maximum spanning tree of the predicted affinities: edges
// in decreasing affinity (ties: increasing voxel index, then increasing channel), union-find over the
// voxels. When an edge joins two components A and B, every pair (u in A, v in B) with obj(u) > 0 and
// obj(v) > 0 is added to that edge: to `splitter` when obj(u) == obj(v) (a pair that should be joined:
// the positive pass, this edge should be 1), to `merger` when the objects differ (a pair that should be
// apart: the negative pass, this edge should be 0). Boundary voxels (obj 0) are in no pair. obj is
// the true partition of the patch, below.
// The edge a pair is added to is the pair's maximin edge, so every pair of labelled voxels is counted
// exactly once. Edges inside a component add nothing. (The original's zalis.hpp names them the same
// way: merger = pairs of different segments, splitter = pairs of the same segment.)
//
// Normalisation (malis_norm_type), N = number of non-boundary voxels of obj in the patch:
//   none  the pair counts
//   frac  "segment fractional": a pair (u, v) adds 1 / (|S(u)| |S(v)|), |S| = voxels of that object
//         (the original meant this; its C++ frac branch added nothing, a bug not reproduced here)
//   num   the counts / N
//   pair  the counts / (N (N − 1))
// With N <= 1 there are no pairs and every weight is 0.
//
// How training uses it (the original's rule): `weight` = merger + splitter multiplies the gradient of
// the ordinary cost (after mask and rebalance; see cost.hpp multiply_weights), so only the maximin
// edges of pairs are trained, each as often as it decides a pair. `malis_square_loss` gives instead
// Turaga's loss with separate targets per pass.
//
// The true partition (obj). The original segments the true affinity graph of the patch: connected
// components of the edges with true affinity > 0.5; a component of a single voxel is boundary (0).
// compute_malis takes the patch's segmentation ids and does the same: obj = segment_affinities of the
// affinity targets of `segmentation` (labels.hpp: aff_c(v) = 1 when seg(v) = seg(v − e_c) > 0), so
// two voxels are one object only when a path of same-id voxels joins them inside the patch. An object
// that leaves the patch and comes back is two objects; so is one whose id was reused elsewhere. N, |S|
// and the pair counts are those of obj. Passing segment_affinities(true affinity) as `segmentation`
// gives the same result (components of components). No mask enters: the trainer applies the mask to
// the gradient separately (see cost.hpp).
#pragma once

#include "znn/volume.hpp"

#include <cstdint>
#include <string>

namespace znn {

enum class malis_norm { none, frac, num, pair };

// Accepts none, frac, num, pair; anything else throws input_error naming them.
malis_norm parse_malis_norm(const std::string& name);
const char* malis_norm_name(malis_norm norm) noexcept;

template <class T>
struct malis_weights {
    maps<T> merger;    // 3 maps: (normalised) pairs of different objects joined at this edge
    maps<T> splitter;  // 3 maps: (normalised) pairs of one object joined at this edge
    maps<T> weight;    // merger + splitter: the factor on the gradient

    std::int64_t labelled_voxels = 0;  // N
    // Raw pair counts (not normalised) of pairs joined on the wrong side of 0.5: different objects joined
    // at an affinity > 0.5, one object joined at an affinity < 0.5.
    double false_merges = 0;
    double false_splits = 0;
    // (false_merges + false_splits) / (N (N − 1) / 2); 0 when N <= 1. The original's `re`.
    double rand_error = 0;
};

// affinity: 3 maps of one shape; segmentation: the patch's ids (0 = boundary), that shape; its true
// partition is computed here (see above). Throws input_error otherwise, and runtime_failure for a NaN
// affinity.
template <class T>
malis_weights<T> compute_malis(const maps<T>& affinity, const volume<std::uint64_t>& segmentation,
                               malis_norm norm = malis_norm::none);

// The original's segmentation of a true affinity graph (3 maps): connected components over the edges
// with affinity > threshold; a component of one voxel is 0, the others are numbered 1, 2, … in the
// order of their first voxel (z, y, x order).
template <class T>
volume<std::uint64_t> segment_affinities(const maps<T>& true_affinity, T threshold = T(0.5));

template <class T>
struct malis_loss_result {
    double loss = 0;
    maps<T> gradient;  // ∂loss/∂affinity, 3 maps
};

// Turaga's MALIS loss with a square loss per pass:
//   loss = Σ_edges splitter_e (1 − a_e)² + merger_e a_e²
//   ∂loss/∂a_e = 2 (splitter_e (a_e − 1) + merger_e a_e)
// `weights` is compute_malis(affinity, …) (any normalisation). Throws input_error on shape mismatch.
template <class T>
malis_loss_result<T> malis_square_loss(const maps<T>& affinity, const malis_weights<T>& weights);

}  // namespace znn
