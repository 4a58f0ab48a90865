#include "znn/training_data.hpp"

#include "znn/crop_mirror.hpp"
#include "znn/error.hpp"
#include "znn/image_io.hpp"
#include "znn/preprocess.hpp"

#include <utility>

namespace znn {

namespace {

// Input box = output box widened by (input - output) / 2 below: the patch is centred on the output.
vec3 margin_below(vec3 insz, vec3 outsz)
{
    return (insz - outsz) / vec3{2, 2, 2};
}

template <class T>
maps<T> read_image_maps(const data_spec& spec, const image_spec& image)
{
    maps<T> out;
    const preprocess_type pp = [&] {
        try {
            return parse_preprocess(image.pp_types);
        } catch (const input_error& e) {
            throw input_error(spec.path, image.line, "[image" + std::to_string(image.id) + "] " + e.message());
        }
    }();
    for (const auto& f : image.fnames) {
        for (auto& m : read_maps<T>(f)) {
            preprocess(m, pp);
            out.push_back(std::move(m));
        }
    }
    return out;
}

template <class T>
maps<T> crop_all(const maps<T>& m, vec3 offset, vec3 shape)
{
    maps<T> out;
    for (const auto& v : m) out.push_back(offset == vec3{0, 0, 0} && shape == v.shape() ? v : crop(v, offset, shape));
    return out;
}

// The output maps of stored labels (label transform none) that are true affinities: out_type affinity
// and three maps x, y, z, map c at v holding the edge between v and v − e_c (labels.hpp).
bool is_stored_affinity(label_transform t, std::size_t stored_maps, const data_options& options)
{
    return t == label_transform::none && options.affinity && stored_maps == 3;
}

// Stored true affinities of the output patch at p, augmented by `flips`, with their weights (the mask
// file's value at the voxel that stores the edge): what the affinities of the equally augmented
// segmentation are. A plain flip of the maps would be wrong: flipping axis a turns every edge of map a
// to the other side of its voxel, so after the flip voxel v's edge to its predecessor is the edge the
// unflipped voxel has to its successor: the stored value one voxel further along a. For the patch's
// first plane that voxel lies just past the patch and is read from the stack; an edge with a voxel
// outside the stack (past its end after a flip, before its start without one: the stack's first plane
// has no predecessor) is undefined: target 0 and weight 0. The other maps flip plainly, and a y<->x
// transpose swaps maps x and y.
template <class T>
void stored_affinity_patch(const maps<T>& stored, const volume<std::uint8_t>& mask, vec3 p, vec3 outsz,
                           const augment_flags& flips, maps<T>& targets, maps<T>& weights)
{
    const vec3 stack = mask.shape();
    const bool flipped[3] = {flips.flip_z, flips.flip_y, flips.flip_x};
    targets.clear();
    weights.clear();
    for (int c = 0; c < 3; ++c) {
        const int axis = 2 - c;  // map 0 = x is axis 2 of (z, y, x)
        volume<T> target(outsz, T(0)), weight(outsz, T(0));
        for (std::int64_t z = 0; z < outsz.z; ++z)
            for (std::int64_t y = 0; y < outsz.y; ++y)
                for (std::int64_t x = 0; x < outsz.x; ++x) {
                    const vec3 v{z, y, x};
                    vec3 q;  // the stack voxel that stores this edge
                    for (int a = 0; a < 3; ++a)
                        q[a] = p[a] + (flipped[a] ? outsz[a] - 1 - v[a] + (a == axis ? 1 : 0) : v[a]);
                    const bool defined = q[axis] >= 1 && q[axis] < stack[axis];
                    if (!defined) continue;
                    target(z, y, x) = stored[c](q.z, q.y, q.x);
                    weight(z, y, x) = mask(q.z, q.y, q.x) ? T(1) : T(0);
                }
        targets.push_back(std::move(target));
        weights.push_back(std::move(weight));
    }
    if (flips.transpose_yx) {
        const augment_flags transpose{false, false, false, true};
        targets = augment(targets, transpose);
        weights = augment(weights, transpose);
        std::swap(targets[0], targets[1]);
        std::swap(weights[0], weights[1]);
    }
}

struct sample_error {
    const data_spec& spec;
    const sample_spec& sample;
    [[noreturn]] void operator()(int line, const std::string& what) const
    {
        throw input_error(spec.path, line > 0 ? line : sample.line, "[sample" + std::to_string(sample.id) + "] " + what);
    }
};

}  // namespace

template <class T>
std::vector<loaded_sample<T>> load_samples(const data_spec& spec, const net_graph& graph, const std::vector<int>& ids,
                                           vec3 outsz, const data_options& options)
{
    const std::vector<vec3> sizes = graph.sizes_for_output(outsz);
    std::vector<loaded_sample<T>> out;
    for (int id : ids) {
        auto found = spec.samples.find(id);
        if (found == spec.samples.end())
            throw input_error(spec.path, 0, "sample " + std::to_string(id) + " is asked for, but there is no [sample" +
                                                std::to_string(id) + "]");
        const sample_spec& sample = found->second;
        sample_error fail{spec, sample};
        loaded_sample<T> ls;
        ls.id = id;

        for (int n : graph.inputs()) {
            const graph_node& node = graph.nodes()[n];
            const sample_binding* b = sample.find(node.name());
            if (!b) fail(0, "binds no image to input node '" + node.name() + "'");
            auto img = spec.images.find(b->id);
            if (img == spec.images.end()) fail(b->line, node.name() + " = " + std::to_string(b->id) + ": there is no [image" + std::to_string(b->id) + "]");
            maps<T> maps_ = read_image_maps<T>(spec, img->second);
            if (static_cast<int>(maps_.size()) != node.maps())
                fail(b->line, "[image" + std::to_string(b->id) + "] has " + std::to_string(maps_.size()) +
                                  " channels but input node '" + node.name() + "' has " + std::to_string(node.maps()) + " maps");
            for (const auto& m : maps_)
                if (m.shape() != maps_[0].shape()) fail(b->line, "the channels of [image" + std::to_string(b->id) + "] differ in shape");
            ls.images.push_back(std::move(maps_));
        }

        bool auto_crop = false;
        for (int n : graph.inputs()) {
            const sample_binding* b = sample.find(graph.nodes()[n].name());
            auto_crop = auto_crop || spec.images.at(b->id).is_auto_crop;
        }

        if (options.need_labels) {
            for (int n : graph.outputs()) {
                const graph_node& node = graph.nodes()[n];
                const sample_binding* b = sample.find(node.name());
                if (!b) fail(0, "binds no label to output node '" + node.name() + "'");
                auto lab = spec.labels.find(b->id);
                if (lab == spec.labels.end()) fail(b->line, node.name() + " = " + std::to_string(b->id) + ": there is no [label" + std::to_string(b->id) + "]");
                const label_spec& label = lab->second;
                auto_crop = auto_crop || label.is_auto_crop;
                std::string where = "[label" + std::to_string(label.id) + "] ";
                label_transform t;
                try {
                    const std::string& pp = label.pp_types;
                    t = pp == "auto" ? (options.affinity ? label_transform::affinity : label_transform::binary_class)
                                     : parse_label_transform(pp);
                } catch (const input_error& e) {
                    throw input_error(spec.path, label.line, where + e.message());
                }
                int stored = 1;
                vec3 shape;
                if (t == label_transform::none) {
                    maps<T> values;
                    for (const auto& f : label.fnames)
                        for (auto& m : read_maps<T>(f)) values.push_back(std::move(m));
                    if (values.empty()) throw input_error(spec.path, label.line, where + "names no label file");
                    stored = static_cast<int>(values.size());
                    shape = values.at(0).shape();
                    for (const auto& m : values)
                        if (m.shape() != shape)
                            throw input_error(spec.path, label.line, where + "the channels differ in shape (" +
                                                                        m.shape().dims() + " and " + shape.dims() + ")");
                    ls.values.push_back(std::move(values));
                    ls.segmentation.emplace_back();
                } else {
                    if (label.fnames.size() != 1) throw input_error(spec.path, label.line, where + "needs exactly one label file for " + label.pp_types);
                    ls.segmentation.push_back(read_labels(label.fnames[0]));
                    shape = ls.segmentation.back().shape();
                    ls.values.emplace_back();
                }
                if (label_map_count(t, stored) != node.maps())
                    throw input_error(spec.path, label.line, where + label.pp_types + " gives " +
                                                                std::to_string(label_map_count(t, stored)) + " maps but output node '" +
                                                                node.name() + "' has " + std::to_string(node.maps()));
                volume<std::uint8_t> mask(shape, 1);
                for (const auto& f : label.fmasks) {
                    volume<std::uint8_t> m = read_mask(f);
                    if (m.shape() != shape)
                        throw input_error(spec.path, label.line, where + "mask " + f + " is " + m.shape().dims() +
                                                                    " but the label is " + shape.dims());
                    for (std::size_t i = 0; i < mask.size(); ++i) mask[i] = mask[i] && m[i];
                }
                if (!ls.segmentation.empty() && ls.label_shape != vec3{0, 0, 0} && shape != ls.label_shape)
                    fail(b->line, "the label stacks of the outputs differ in shape");
                ls.label_shape = shape;
                ls.transforms.push_back(t);
                ls.masks.push_back(std::move(mask));
            }
        } else {
            ls.label_shape = ls.images.at(0).at(0).shape();
        }

        // Alignment of images and labels.
        if (auto_crop) {
            vec3 common = ls.label_shape;
            for (const auto& img : ls.images) common = min(common, img[0].shape());
            for (auto& img : ls.images) img = crop_all(img, center_offset(img[0].shape(), common), common);
            vec3 off = center_offset(ls.label_shape, common);
            for (auto& s : ls.segmentation)
                if (!s.empty()) s = crop(s, off, common);
            for (auto& v : ls.values) v = crop_all(v, off, common);
            for (auto& m : ls.masks) m = crop(m, off, common);
            ls.label_shape = common;
        }
        for (std::size_t k = 0; k < ls.images.size(); ++k) {
            const vec3 ishape = ls.images[k][0].shape();
            const vec3 d = ishape - ls.label_shape;
            if (d.z < 0 || d.y < 0 || d.x < 0)
                fail(0, "the label stack (" + ls.label_shape.dims() + ") is larger than the image stack (" + ishape.dims() +
                            "); set is_auto_crop = yes to cut it to the image");
            vec3 offset = d / vec3{2, 2, 2};
            if (options.mirror) {
                const int n = graph.inputs()[k];
                vec3 window = sizes[n] - outsz + 1;
                for (auto& m : ls.images[k]) m = mirror_pad(m, window);
                offset = offset + margin_below(sizes[n], outsz);
            }
            ls.image_offset.push_back(offset);
        }

        if (options.rebalance == rebalance_mode::global) {
            for (std::size_t o = 0; o < ls.transforms.size(); ++o) {
                const label_transform t = ls.transforms[o];
                maps<T> targets, masks;
                if (is_stored_affinity(t, ls.values[o].size(), options)) {
                    // The whole stack as one patch: the edges that count in training (not the first planes).
                    stored_affinity_patch(ls.values[o], ls.masks[o], vec3{0, 0, 0}, ls.label_shape, augment_flags{},
                                          targets, masks);
                } else {
                    targets = t == label_transform::none ? ls.values[o] : make_labels<T>(ls.segmentation[o], t);
                    masks = make_label_masks<T>(ls.masks[o], t, static_cast<int>(targets.size()));
                }
                std::vector<class_weights> w;
                for (std::size_t c = 0; c < targets.size(); ++c)
                    w.push_back(rebalance_weights(rebalance_mode::global, count_classes(targets[c], masks[c])));
                ls.global_weights.push_back(std::move(w));
            }
        }
        out.push_back(std::move(ls));
    }
    return out;
}

template <class T>
patch_sampler<T>::patch_sampler(const net_graph& graph, vec3 outsz, std::vector<loaded_sample<T>> samples, data_options options)
    : graph_(graph), outsz_(outsz), samples_(std::move(samples)), options_(options)
{
    const std::vector<vec3> sizes = graph.sizes_for_output(outsz);
    for (int n : graph.inputs()) {
        input_sizes_.push_back(sizes[n]);
        shift_below_.push_back(margin_below(sizes[n], outsz));
    }
    for (const auto& s : samples_) {
        vec3 lo{0, 0, 0}, hi = s.label_shape - outsz_;
        for (std::size_t k = 0; k < s.images.size(); ++k) {
            const vec3 shift = s.image_offset[k] - shift_below_[k];  // image start = p + shift
            lo = max(lo, vec3{0, 0, 0} - shift);
            hi = min(hi, s.images[k][0].shape() - input_sizes_[k] - shift);
        }
        if (lo.z > hi.z || lo.y > hi.y || lo.x > hi.x) {
            throw input_error("sample " + std::to_string(s.id) + " (label " + s.label_shape.dims() + ", image " +
                              s.images[0][0].shape().dims() + ") is too small for output patch " + outsz_.dims() +
                              " with input patch " + input_sizes_[0].dims() +
                              (options_.mirror ? "" : " (is_bd_mirror = yes lets the output reach the stack's border)"));
        }
        lo_.push_back(lo);
        hi_.push_back(hi);
    }
}

template <class T>
training_patch<T> patch_sampler<T>::next(std::mt19937_64& rng) const
{
    std::uniform_int_distribution<std::size_t> pick(0, samples_.size() - 1);
    std::size_t s = pick(rng);
    vec3 p;
    for (int a = 0; a < 3; ++a) p[a] = std::uniform_int_distribution<std::int64_t>(lo_[s][a], hi_[s][a])(rng);
    augment_flags flips;
    if (options_.augment) flips = augment_from_code(static_cast<unsigned>(rng() & 15u));
    return at(s, p, flips);
}

template <class T>
training_patch<T> patch_sampler<T>::at(std::size_t index, vec3 p, augment_flags flips) const
{
    const loaded_sample<T>& s = samples_.at(index);
    training_patch<T> patch;
    patch.sample = s.id;
    patch.position = p;
    patch.flips = flips;
    for (std::size_t k = 0; k < s.images.size(); ++k)
        patch.inputs.push_back(augment(crop_all(s.images[k], p + s.image_offset[k] - shift_below_[k], input_sizes_[k]), flips));

    for (std::size_t o = 0; o < s.transforms.size(); ++o) {
        const label_transform t = s.transforms[o];
        maps<T> targets, weights;
        if (is_stored_affinity(t, s.values[o].size(), options_)) {
            stored_affinity_patch(s.values[o], s.masks[o], p, outsz_, flips, targets, weights);
            patch.segmentation.emplace_back();
        } else {
            volume<std::uint8_t> mask = augment(crop(s.masks[o], p, outsz_), flips);
            if (t == label_transform::none) {
                targets = augment(crop_all(s.values[o], p, outsz_), flips);
                patch.segmentation.emplace_back();
            } else {
                // Affinities made after the augmentation point to the augmented patch's neighbours.
                volume<std::uint64_t> seg = augment(crop(s.segmentation[o], p, outsz_), flips);
                targets = make_labels<T>(seg, t);
                patch.segmentation.push_back(std::move(seg));
            }
            weights = make_label_masks<T>(mask, t, static_cast<int>(targets.size()));
        }
        if (options_.rebalance != rebalance_mode::none) {
            for (std::size_t c = 0; c < targets.size(); ++c) {
                class_weights w = options_.rebalance == rebalance_mode::global
                                      ? s.global_weights[o][c]
                                      : rebalance_weights(rebalance_mode::patch, count_classes(targets[c], weights[c]));
                volume<T> wm = weight_map(targets[c], w);
                for (std::size_t i = 0; i < wm.size(); ++i) weights[c][i] *= wm[i];
            }
        }
        patch.targets.push_back(std::move(targets));
        patch.weights.push_back(std::move(weights));
    }
    return patch;
}

template std::vector<loaded_sample<float>> load_samples(const data_spec&, const net_graph&, const std::vector<int>&, vec3,
                                                        const data_options&);
template std::vector<loaded_sample<double>> load_samples(const data_spec&, const net_graph&, const std::vector<int>&, vec3,
                                                         const data_options&);
template class patch_sampler<float>;
template class patch_sampler<double>;

}  // namespace znn
