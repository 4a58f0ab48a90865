// Augmented affinity targets (is_data_aug): for every flip/transpose the sampler applies, a patch of
// stored true affinities (label transform none, out_type affinity) holds the affinities of the equally
// augmented segmentation, and so does a patch made from the segmentation (label transform affinity).
// The reference maps each voxel of the augmented patch back to the stack by hand and compares ids there.
#include "znn/augment.hpp"
#include "znn/net_graph.hpp"
#include "znn/net_spec.hpp"
#include "znn/training_data.hpp"

#include <catch2/catch.hpp>

#include <random>

using namespace znn;

namespace {

// Input node, one 1x1x1 conv, three output maps: field of view 1, so the input patch is the output patch.
const char* three_map_net =
    "nodes input\ntype input\nsize 1\n\n"
    "edges conv\ntype conv\ninit xavier\nsize 1,1,1\ninput input\noutput output\n\n"
    "nodes output\ntype transfer\nfunction linear\nsize 3\n";

const vec3 stack_shape{4, 6, 7};
const vec3 patch_shape{2, 3, 4};  // y != x: a transpose changes the patch's shape

// The axis (z = 0, y = 1, x = 2) of affinity map c: maps are x, y, z.
int axis_of_map(int c) { return 2 - c; }

vec3 unit(int axis)
{
    vec3 e{0, 0, 0};
    e[axis] = 1;
    return e;
}

bool inside(vec3 v, vec3 shape)
{
    return v.z >= 0 && v.y >= 0 && v.x >= 0 && v.z < shape.z && v.y < shape.y && v.x < shape.x;
}

// The stack voxel shown at voxel v of the patch at p augmented by f (v may lie one voxel outside the
// patch): augment() flips, then transposes, so undo the transpose first, then the flips.
vec3 stack_voxel(vec3 v, vec3 p, const augment_flags& f)
{
    const vec3 u = f.transpose_yx ? vec3{v.z, v.x, v.y} : v;
    const bool flipped[3] = {f.flip_z, f.flip_y, f.flip_x};
    vec3 out;
    for (int a = 0; a < 3; ++a) out[a] = p[a] + (flipped[a] ? patch_shape[a] - 1 - u[a] : u[a]);
    return out;
}

// Random ids 0..2 (0 = membrane): many equal neighbours, many boundaries.
volume<std::uint64_t> random_segmentation(std::mt19937& rng)
{
    volume<std::uint64_t> seg(stack_shape);
    for (auto& id : seg) id = std::uniform_int_distribution<int>(0, 2)(rng);
    return seg;
}

// Written out loop by loop: map c at v is 1 when seg(v) = seg(v - e_c) > 0; 0 on the stack's first plane.
maps<double> stored_affinities(const volume<std::uint64_t>& seg)
{
    maps<double> out;
    for (int c = 0; c < 3; ++c) {
        const vec3 e = unit(axis_of_map(c));
        volume<double> aff(stack_shape, 0.0);
        for (std::int64_t z = 0; z < stack_shape.z; ++z)
            for (std::int64_t y = 0; y < stack_shape.y; ++y)
                for (std::int64_t x = 0; x < stack_shape.x; ++x) {
                    const vec3 v{z, y, x}, w = v - e;
                    if (inside(w, stack_shape) && seg(z, y, x) > 0 && seg(z, y, x) == seg(w.z, w.y, w.x))
                        aff(z, y, x) = 1.0;
                }
        out.push_back(std::move(aff));
    }
    return out;
}

volume<std::uint8_t> random_mask(std::mt19937& rng)
{
    volume<std::uint8_t> mask(stack_shape);
    for (auto& m : mask) m = std::uniform_int_distribution<int>(0, 4)(rng) > 0 ? 1 : 0;
    return mask;
}

loaded_sample<double> sample_of(label_transform t, const volume<std::uint64_t>& seg, const volume<std::uint8_t>& mask)
{
    loaded_sample<double> s;
    s.id = 1;
    s.images = {{volume<double>(stack_shape, 0.0)}};
    s.image_offset = {vec3{0, 0, 0}};
    s.label_shape = stack_shape;
    s.transforms = {t};
    if (t == label_transform::none) {
        s.values = {stored_affinities(seg)};
        s.segmentation.emplace_back();
    } else {
        s.values.emplace_back();
        s.segmentation = {seg};
    }
    s.masks = {mask};
    return s;
}

std::vector<vec3> all_positions()
{
    std::vector<vec3> out;
    for (std::int64_t z = 0; z <= stack_shape.z - patch_shape.z; ++z)
        for (std::int64_t y = 0; y <= stack_shape.y - patch_shape.y; ++y)
            for (std::int64_t x = 0; x <= stack_shape.x - patch_shape.x; ++x) out.push_back({z, y, x});
    return out;
}

std::uint64_t id_at(const volume<std::uint64_t>& seg, vec3 v) { return seg(v.z, v.y, v.x); }

}  // namespace

TEST_CASE("augmented stored affinities are the affinities of the augmented segmentation")
{
    std::mt19937 rng(11);
    const volume<std::uint64_t> seg = random_segmentation(rng);
    const bool with_mask_file = GENERATE(false, true);
    const volume<std::uint8_t> mask = with_mask_file ? random_mask(rng) : volume<std::uint8_t>(stack_shape, 1);
    INFO("mask file: " << with_mask_file);

    const net_graph graph(parse_net_spec_text(three_map_net, "three_map.znn"));
    data_options options;
    options.affinity = true;  // out_type affinity
    options.augment = true;
    const patch_sampler<double> stored(graph, patch_shape, {sample_of(label_transform::none, seg, mask)}, options);
    const patch_sampler<double> from_ids(graph, patch_shape, {sample_of(label_transform::affinity, seg, mask)}, options);
    REQUIRE(stored.first_position(0) == vec3(0, 0, 0));
    REQUIRE(stored.last_position(0) == stack_shape - patch_shape);

    int defined_first_plane = 0, undefined = 0;  // both kinds of edges must occur
    for (unsigned code = 0; code < 16; ++code) {
        const augment_flags f = augment_from_code(code);
        const vec3 shape = augmented_shape(patch_shape, f);
        for (const vec3 p : all_positions()) {
            INFO("augmentation " << code << " at " << p.str());
            const training_patch<double> a = stored.at(0, p, f);
            const training_patch<double> b = from_ids.at(0, p, f);
            REQUIRE(a.targets.at(0).size() == 3);
            REQUIRE(b.targets.at(0).size() == 3);
            for (int c = 0; c < 3; ++c) {
                const vec3 e = unit(axis_of_map(c));  // in the augmented patch
                REQUIRE(a.targets[0][c].shape() == shape);
                REQUIRE(a.weights[0][c].shape() == shape);
                REQUIRE(b.targets[0][c].shape() == shape);
                for (std::int64_t z = 0; z < shape.z; ++z)
                    for (std::int64_t y = 0; y < shape.y; ++y)
                        for (std::int64_t x = 0; x < shape.x; ++x) {
                            const vec3 v{z, y, x};
                            // The edge between v and its predecessor in the augmented patch, in the stack.
                            const vec3 here = stack_voxel(v, p, f), before = stack_voxel(v - e, p, f);
                            REQUIRE(inside(here, stack_shape));
                            const bool defined = inside(before, stack_shape);
                            const double expected = defined && id_at(seg, here) > 0 &&
                                                            id_at(seg, here) == id_at(seg, before)
                                                        ? 1.0
                                                        : 0.0;
                            INFO("map " << c << " voxel " << v.str() << " = stack " << here.str() << " - "
                                        << before.str());
                            // Stored: every edge of the stack is known, also one leading out of the patch;
                            // the mask file's value is the one of the voxel that stores the edge (the later).
                            if (defined) {
                                const vec3 d = here - before;  // one step along one axis
                                const vec3 store = d.z + d.y + d.x > 0 ? here : before;
                                CHECK(a.targets[0][c](z, y, x) == expected);
                                CHECK(a.weights[0][c](z, y, x) == (mask(store.z, store.y, store.x) ? 1.0 : 0.0));
                                if (v[axis_of_map(c)] == 0) ++defined_first_plane;
                            } else {
                                CHECK(a.targets[0][c](z, y, x) == 0.0);
                                CHECK(a.weights[0][c](z, y, x) == 0.0);
                                ++undefined;
                            }
                            // From the ids: only edges inside the patch; both voxels' mask values count.
                            if (v[axis_of_map(c)] >= 1) {
                                CHECK(b.targets[0][c](z, y, x) == expected);
                                const bool counts = mask(here.z, here.y, here.x) && mask(before.z, before.y, before.x);
                                CHECK(b.weights[0][c](z, y, x) == (counts ? 1.0 : 0.0));
                            } else {
                                CHECK(b.weights[0][c](z, y, x) == 0.0);
                            }
                        }
            }
        }
    }
    CHECK(defined_first_plane > 0);
    CHECK(undefined > 0);
}

TEST_CASE("stored labels that are not affinities are flipped as they are")
{
    std::mt19937 rng(12);
    const volume<std::uint64_t> seg = random_segmentation(rng);
    const volume<std::uint8_t> mask = random_mask(rng);
    const loaded_sample<double> sample = sample_of(label_transform::none, seg, mask);
    const net_graph graph(parse_net_spec_text(three_map_net, "three_map.znn"));
    data_options options;  // out_type boundary: three stored maps of anything
    options.augment = true;
    const patch_sampler<double> sampler(graph, patch_shape, {sample}, options);
    const vec3 p{1, 2, 3};
    for (unsigned code = 0; code < 16; ++code) {
        const augment_flags f = augment_from_code(code);
        const training_patch<double> a = sampler.at(0, p, f);
        const vec3 shape = augmented_shape(patch_shape, f);
        for (int c = 0; c < 3; ++c)
            for (std::int64_t z = 0; z < shape.z; ++z)
                for (std::int64_t y = 0; y < shape.y; ++y)
                    for (std::int64_t x = 0; x < shape.x; ++x) {
                        const vec3 s = stack_voxel({z, y, x}, p, f);
                        REQUIRE(a.targets[0][c](z, y, x) == sample.values[0][c](s.z, s.y, s.x));
                        REQUIRE(a.weights[0][c](z, y, x) == (mask(s.z, s.y, s.x) ? 1.0 : 0.0));
                    }
    }
}
