// The training costs, their gradients and the classification (pixel) error
// (../shared/znn-manual.md §4).
//
// `prediction` is what the output node gives: maps[c] is channel c. `target` has the same maps.
// `weight` (optional, same maps) is the product mask × rebalance × MALIS per channel and voxel: it
// multiplies every cost term and every gradient value. Without it every weight is 1.
//
//   square_loss             p = prediction (any transfer function)
//                           E = Σ w (p − y)²                  ∂E/∂p = 2 w (p − y)
//   binomial_cross_entropy  p = prediction, the output of a logistics / forward_logistics node
//                           E = Σ w (−y ln p − (1 − y) ln(1 − p)),  p clamped to [1e-12, 1 − 1e-12]
//                           in the logarithms (a term whose factor y or 1 − y is 0 is 0)
//                           gradient = w (p − y): ∂E/∂(pre-sigmoid value), which forward_logistics
//                           passes back unchanged
//   softmax_loss            p = softmax over the channels of prediction (a linear output node)
//                           E = Σ_voxels Σ_c w_c (−y_c ln p_c)         gradient_c = w_c (p_c − y_c)
//                           The gradient is with respect to the prediction (pre-softmax). It is the
//                           exact ∂E/∂prediction when the weight is the same on every channel of a voxel
//                           and the targets sum to 1 over the channels (binary_class labels with a
//                           mask); otherwise it is the original ZNN's rule (weights multiply p − y
//                           per channel).
//
// Classification error (the original's `cls`): an entry (channel, voxel) is wrong when
// (p > 0.5) != (y > 0.5), with p the probability above (the softmax output for softmax_loss). Only
// entries with weight > 0 are counted; the error is misclassified / counted, i.e. pooled over the
// channels (equal to the per-channel average when every channel counts the same voxels).
//
// Sums are accumulated in double. Nothing is normalised here: the training step divides by the
// number of output voxels itself (§4).
#pragma once

#include "znn/volume.hpp"

#include <cstdint>
#include <string>
#include <utility>

namespace znn {

enum class cost_kind { square_loss, binomial_cross_entropy, softmax_loss };

// Accepts square_loss, binomial_cross_entropy, softmax_loss. "auto" must be resolved by the caller
// (config::effective_cost_fn, or auto_cost_kind); it and anything else throw input_error naming the
// accepted values.
cost_kind parse_cost_kind(const std::string& name);
const char* cost_kind_name(cost_kind kind) noexcept;

// cost_fn auto: boundary output -> softmax_loss, affinity output -> binomial_cross_entropy.
cost_kind auto_cost_kind(bool affinity_output) noexcept;

template <class T>
struct cost_result {
    double cost = 0;                 // E, summed over voxels and channels, weighted
    std::int64_t misclassified = 0;  // counted entries with (p > 0.5) != (y > 0.5)
    std::int64_t counted = 0;        // (channel, voxel) entries with weight > 0 (all without weights)
    maps<T> gradient;                // same maps as the prediction (see the table above)
    maps<T> probability;             // softmax_loss: softmax(prediction); empty for the other costs
                                     // (their prediction is already the probability)

    double classification_error() const noexcept
    {
        return counted > 0 ? static_cast<double>(misclassified) / static_cast<double>(counted) : 0.0;
    }
};

// Throws input_error when the map counts or shapes of prediction, target and weight differ, or when
// there are no maps.
template <class T>
cost_result<T> evaluate_cost(cost_kind kind, const maps<T>& prediction, const maps<T>& target,
                             const maps<T>* weight = nullptr);

// Softmax over the channels at every voxel, computed stably (the largest value is subtracted first).
// Throws input_error when the shapes differ.
template <class T>
maps<T> softmax(const maps<T>& values);

// The classification error alone: (p > 0.5) != (y > 0.5) over the entries with weight > 0.
// Returns {misclassified, counted}.
template <class T>
std::pair<std::int64_t, std::int64_t> count_misclassified(const maps<T>& probability, const maps<T>& target,
                                                          const maps<T>* weight = nullptr);

// weight[c] *= factor[c] voxel by voxel (combining mask, rebalance and MALIS weights). Throws
// input_error when the maps differ in count or shape.
template <class T>
void multiply_weights(maps<T>& weight, const maps<T>& factor);

}  // namespace znn
