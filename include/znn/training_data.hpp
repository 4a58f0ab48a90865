// Training data: the samples of a .spec bound to a network's input and output nodes, preprocessed,
// aligned and ready to cut random patches from (../shared/znn-manual.md §3 and §4).
//
// Alignment: a label stack sits centred in its image stack (offset (image - label) / 2 per axis, 0 when
// they have the same shape; with is_auto_crop both are first cut to the smaller shape, centred). The
// output patch at label position p needs the input box that starts at p + offset - (fov - 1) / 2; with
// is_bd_mirror the images are padded by reflection so that every label position can be an output.
//
// Targets are made per patch from the label stack, after augmentation (a flip changes which neighbour
// an affinity points to): label transform → target maps, mask file → masks, rebalance → weights.
#pragma once

#include "znn/augment.hpp"
#include "znn/config.hpp"
#include "znn/data_spec.hpp"
#include "znn/labels.hpp"
#include "znn/net_graph.hpp"
#include "znn/volume.hpp"

#include <cstdint>
#include <random>
#include <vector>

namespace znn {

template <class T>
struct loaded_sample {
    int id = 0;
    std::vector<maps<T>> images;  // per input node (graph.inputs() order); mirror-padded with is_bd_mirror
    std::vector<vec3> image_offset;  // per input node: image voxel of label voxel 0 (before the fov shift)
    vec3 label_shape{0, 0, 0};

    // Per output node (graph.outputs() order); empty for forward-only samples.
    std::vector<label_transform> transforms;
    std::vector<volume<std::uint64_t>> segmentation;  // label ids (transforms other than none)
    std::vector<maps<T>> values;                      // label values as stored (transform none)
    std::vector<volume<std::uint8_t>> masks;          // 1 = counts
    std::vector<std::vector<class_weights>> global_weights;  // per output map (rebalance global)
};

struct data_options {
    bool mirror = false;  // is_bd_mirror
    bool augment = false; // is_data_aug
    rebalance_mode rebalance = rebalance_mode::none;
    bool need_labels = true;
    bool affinity = false;  // out_type affinity: resolves label pp_types `auto` (boundary -> binary_class)
};

template <class T>
struct training_patch {
    int sample = 0;
    vec3 position{0, 0, 0};  // of the output patch, in label coordinates
    augment_flags flips;
    std::vector<maps<T>> inputs;   // per input node
    std::vector<maps<T>> targets;  // per output node
    std::vector<maps<T>> weights;  // per output node: mask x rebalance
    std::vector<volume<std::uint64_t>> segmentation;  // per output node (ids; empty for transform none)
};

// Loads the samples `ids` of `spec` for `graph` (input nodes bind to [imageN], output nodes to [labelN]).
// Throws input_error naming the .spec file for missing sections, bindings, files, wrong map counts, or
// stacks too small for the output patch and field of view.
template <class T>
std::vector<loaded_sample<T>> load_samples(const data_spec& spec, const net_graph& graph, const std::vector<int>& ids,
                                           vec3 outsz, const data_options& options);

template <class T>
class patch_sampler {
public:
    patch_sampler(const net_graph& graph, vec3 outsz, std::vector<loaded_sample<T>> samples, data_options options);

    // A random patch: a random sample, a random position, a random augmentation (when enabled).
    training_patch<T> next(std::mt19937_64& rng) const;
    // The patch at a given place (tests, deterministic validation).
    training_patch<T> at(std::size_t sample, vec3 position, augment_flags flips) const;

    const std::vector<loaded_sample<T>>& samples() const { return samples_; }
    // Per sample, the lowest and highest valid output positions (inclusive).
    vec3 first_position(std::size_t sample) const { return lo_[sample]; }
    vec3 last_position(std::size_t sample) const { return hi_[sample]; }

private:
    const net_graph& graph_;
    vec3 outsz_;
    std::vector<vec3> input_sizes_, shift_below_;  // per input node
    std::vector<loaded_sample<T>> samples_;
    std::vector<vec3> lo_, hi_;
    data_options options_;
};

extern template class patch_sampler<float>;
extern template class patch_sampler<double>;

}  // namespace znn
