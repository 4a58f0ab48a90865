// MALIS takes its ground truth from the connected components of the patch's true affinity graph, as the
// original does: one object whose voxels share an id but fall apart inside the patch is two objects,
// and an id that holds a single voxel of the patch is boundary. Hand-computed cases where that rule and
// "the ids as they are" give different pairs, weights and gradients, and an exhaustive check on windows
// of a small world (malis_reference.hpp: flood fill + maximin over every voxel pair).
#include "znn/cost.hpp"
#include "znn/malis.hpp"

#include "malis_reference.hpp"

#include <catch2/catch.hpp>

#include <random>
#include <set>
#include <vector>

using namespace znn;
using malis_reference::brute_force_malis;
using malis_reference::check_agrees;
using malis_reference::true_objects;

namespace {

volume<std::uint64_t> segmentation_of(vec3 s, const std::vector<std::uint64_t>& ids)
{
    volume<std::uint64_t> seg(s);
    REQUIRE(ids.size() == seg.size());
    std::copy(ids.begin(), ids.end(), seg.begin());
    return seg;
}

// The true affinity of a patch by the manual's rule, written out here: aff_c(v) = 1 when
// seg(v) = seg(v − e_c) > 0; 0 on the first plane along c.
maps<double> true_affinity_of(const volume<std::uint64_t>& seg)
{
    const vec3 s = seg.shape();
    maps<double> aff(3, volume<double>(s, 0.0));
    for (std::int64_t z = 0; z < s.z; ++z)
        for (std::int64_t y = 0; y < s.y; ++y)
            for (std::int64_t x = 0; x < s.x; ++x) {
                if (x > 0 && seg(z, y, x) > 0 && seg(z, y, x) == seg(z, y, x - 1)) aff[0](z, y, x) = 1;
                if (y > 0 && seg(z, y, x) > 0 && seg(z, y, x) == seg(z, y - 1, x)) aff[1](z, y, x) = 1;
                if (z > 0 && seg(z, y, x) > 0 && seg(z, y, x) == seg(z - 1, y, x)) aff[2](z, y, x) = 1;
            }
    return aff;
}

// One map entry a test expects: (channel, z, y, x) -> value; every other entry is 0.
struct entry {
    int channel;
    std::int64_t z, y, x;
    double value;
};

void check_map(const maps<double>& got, vec3 s, const std::vector<entry>& expected, const char* what)
{
    maps<double> want(3, volume<double>(s, 0.0));
    for (const auto& e : expected) want[e.channel](e.z, e.y, e.x) = e.value;
    for (int c = 0; c < 3; ++c)
        for (std::size_t i = 0; i < want[c].size(); ++i) {
            INFO(what << ": channel " << c << " voxel " << i);
            CHECK(got[c][i] == Approx(want[c][i]).margin(1e-12));
        }
}

void check_same_weights(const malis_weights<double>& a, const malis_weights<double>& b)
{
    for (int c = 0; c < 3; ++c)
        for (std::size_t i = 0; i < a.merger[c].size(); ++i) {
            INFO("channel " << c << " voxel " << i);
            CHECK(a.merger[c][i] == b.merger[c][i]);
            CHECK(a.splitter[c][i] == b.splitter[c][i]);
        }
    CHECK(a.labelled_voxels == b.labelled_voxels);
    CHECK(a.false_merges == b.false_merges);
    CHECK(a.false_splits == b.false_splits);
}

// A U-shaped object (id 1) whose bottom lies below a 1x3x3 patch: inside the patch only its two arms
// show, the left and the right column; the middle column is boundary.
//     y0:  1 0 1
//     y1:  1 0 1
//     y2:  1 0 1
// Predicted affinities (all distinct): the arms' y-edges high, the middle column's y-edges next, then
// the x-edges of row 1, the other x-edges low.
struct u_patch {
    vec3 shape{1, 3, 3};
    volume<std::uint64_t> seg = segmentation_of(shape, {1, 0, 1, 1, 0, 1, 1, 0, 1});
    maps<double> aff = [] {
        maps<double> a(3, volume<double>(vec3{1, 3, 3}, 0.0));
        a[1](0, 1, 0) = 0.90;  // v0-v3 (left arm)
        a[1](0, 1, 2) = 0.85;  // v2-v5 (right arm)
        a[1](0, 2, 0) = 0.80;  // v3-v6 (left arm)
        a[1](0, 2, 2) = 0.75;  // v5-v8 (right arm)
        a[1](0, 1, 1) = 0.70;  // v1-v4 (boundary)
        a[1](0, 2, 1) = 0.65;  // v4-v7 (boundary)
        a[0](0, 1, 1) = 0.60;  // v3-v4
        a[0](0, 1, 2) = 0.55;  // v4-v5: joins the arms
        a[0](0, 0, 1) = 0.30;
        a[0](0, 0, 2) = 0.25;
        a[0](0, 2, 1) = 0.20;
        a[0](0, 2, 2) = 0.15;
        a[2].fill(0.99);  // a single plane has no z-edges: ignored
        return a;
    }();
};

}  // namespace

TEST_CASE("MALIS: an object cut in two by the patch border is two objects", "[malis]")
{
    // Kruskal over the true objects A = left arm, B = right arm (3 voxels each, N = 6, 15 pairs):
    //   0.90 v0-v3: (v0,v3) same                        -> splitter 1 at y(1,0)
    //   0.85 v2-v5: (v2,v5) same                        -> splitter 1 at y(1,2)
    //   0.80 v3-v6: (v0,v6),(v3,v6) same                -> splitter 2 at y(2,0)
    //   0.75 v5-v8: (v2,v8),(v5,v8) same                -> splitter 2 at y(2,2)
    //   0.70, 0.65, 0.60: only boundary voxels join      -> 0
    //   0.55 v4-v5: the 3 x 3 pairs of A and B           -> merger 9 at x(1,2)
    // 3 + 3 same pairs and 9 different ones: all 15 counted once. With the ids as they are, those 9
    // pairs would all be "same object" (splitter 9 at x(1,2)): the two rules differ exactly there.
    const u_patch p;
    const vec3 s = p.shape;
    const auto w = compute_malis(p.aff, p.seg);
    check_map(w.splitter, s, {{1, 0, 1, 0, 1}, {1, 0, 1, 2, 1}, {1, 0, 2, 0, 2}, {1, 0, 2, 2, 2}}, "splitter");
    check_map(w.merger, s, {{0, 0, 1, 2, 9}}, "merger");
    CHECK(w.labelled_voxels == 6);
    CHECK(w.false_merges == 9);  // joined at 0.55 > 0.5
    CHECK(w.false_splits == 0);
    CHECK(w.rand_error == Approx(9.0 / 15));

    // The reference on the ids as they are really does disagree (so this case tells the rules apart),
    // and agrees once it is given the flood-filled objects.
    const auto by_ids = brute_force_malis(p.aff, p.seg, malis_norm::none);
    CHECK(by_ids.splitter[0](0, 1, 2) == 9);
    CHECK(by_ids.merger[0](0, 1, 2) == 0);
    const auto by_objects = brute_force_malis(p.aff, true_objects(p.seg), malis_norm::none);
    check_map(by_objects.merger, s, {{0, 0, 1, 2, 9}}, "reference merger");

    SECTION("frac: pairs weigh 1/(|S(u)| |S(v)|) with |S| = 3, not 6")
    {
        const auto f = compute_malis(p.aff, p.seg, malis_norm::frac);
        check_map(f.splitter, s, {{1, 0, 1, 0, 1.0 / 9}, {1, 0, 1, 2, 1.0 / 9}, {1, 0, 2, 0, 2.0 / 9}, {1, 0, 2, 2, 2.0 / 9}},
                  "frac splitter");
        check_map(f.merger, s, {{0, 0, 1, 2, 1}}, "frac merger");  // 9 pairs of 1/9 (by ids: 9/36)

        // The trainer's route: the weight multiplies the square-loss gradient 2 (p − y) against the
        // patch's true affinity. At x(1,2): 1 · 2 · (0.55 − 0) = 1.1 (by ids it would be 0.25 · 1.1).
        const maps<double> target = true_affinity_of(p.seg);
        CHECK(target[0](0, 1, 2) == 0);
        maps<double> weight(3, volume<double>(s, 1.0));
        multiply_weights(weight, f.weight);
        const auto r = evaluate_cost(cost_kind::square_loss, p.aff, target, &weight);
        CHECK(r.gradient[0](0, 1, 2) == Approx(1.1));
        CHECK(r.gradient[1](0, 1, 0) == Approx(1.0 / 9 * 2 * (0.90 - 1)));
        CHECK(r.gradient[1](0, 2, 2) == Approx(2.0 / 9 * 2 * (0.75 - 1)));
        CHECK(r.gradient[0](0, 0, 1) == 0.0);  // not the maximin edge of any pair
    }
    SECTION("the MALIS square loss: the arms' pairs pull apart, not together")
    {
        // loss = Σ splitter (1 − a)² + merger a² = (0.1² + 0.15²) + 2 (0.2² + 0.25²) + 9 · 0.55² = 2.96
        const auto r = malis_square_loss(p.aff, w);
        CHECK(r.loss == Approx(2.96));
        check_map(r.gradient, s,
                  {{0, 0, 1, 2, 2 * 9 * 0.55},   // 9.9 (by ids: 2 · 9 · (0.55 − 1) = −8.1)
                   {1, 0, 1, 0, 2 * (0.90 - 1)},
                   {1, 0, 1, 2, 2 * (0.85 - 1)},
                   {1, 0, 2, 0, 2 * 2 * (0.80 - 1)},
                   {1, 0, 2, 2, 2 * 2 * (0.75 - 1)}},
                  "gradient");
    }
}

TEST_CASE("MALIS: a sliver of another object splits one id in two, and a lone voxel is boundary", "[malis]")
{
    // 1x1x5, ids 1 1 2 1 1; x-edges (stored at the later voxel): x1 0.9, x2 0.2, x3 0.3, x4 0.8.
    // True objects: A = {v0, v1}, B = {v3, v4}; v2 (id 2, alone in the patch) is boundary. N = 4.
    //   0.9 v0-v1: splitter 1 at x1;   0.8 v3-v4: splitter 1 at x4;
    //   0.3 v2-v3: v2 is boundary -> 0 at x3;   0.2 v1-v2: A x B = 4 pairs -> merger 4 at x2.
    // By ids (N = 5) x3 would carry merger 2 and x2 merger 2 + splitter 4: the gradient's weight at x3
    // (0 here, 2 by ids) differs even without normalisation.
    const vec3 s{1, 1, 5};
    const auto seg = segmentation_of(s, {1, 1, 2, 1, 1});
    maps<double> aff(3, volume<double>(s, 0.0));
    aff[0](0, 0, 1) = 0.9;
    aff[0](0, 0, 2) = 0.2;
    aff[0](0, 0, 3) = 0.3;
    aff[0](0, 0, 4) = 0.8;
    const auto w = compute_malis(aff, seg);
    check_map(w.splitter, s, {{0, 0, 0, 1, 1}, {0, 0, 0, 4, 1}}, "splitter");
    check_map(w.merger, s, {{0, 0, 0, 2, 4}}, "merger");
    check_map(w.weight, s, {{0, 0, 0, 1, 1}, {0, 0, 0, 2, 4}, {0, 0, 0, 4, 1}}, "weight");
    CHECK(w.labelled_voxels == 4);
    CHECK(w.false_merges == 0);
    CHECK(w.false_splits == 0);
    CHECK(w.rand_error == 0.0);

    const auto by_ids = brute_force_malis(aff, seg, malis_norm::none);
    CHECK(by_ids.labelled == 5);
    CHECK(by_ids.merger[0](0, 0, 3) == 2);

    // Nothing but lone voxels: no object at all, every weight 0.
    const auto none = compute_malis(aff, segmentation_of(s, {7, 9, 7, 9, 7}));
    CHECK(none.labelled_voxels == 0);
    check_map(none.weight, s, {}, "weight of lone voxels");
}

TEST_CASE("MALIS on ids equals MALIS on the segmented true affinity graph", "[malis]")
{
    // The original's form, compute_malis(pred, segment_affinities(true affinity)), with the true
    // affinity written out by the manual's rule, gives the same weights as passing the ids.
    const u_patch p;
    check_same_weights(compute_malis(p.aff, p.seg, malis_norm::frac),
                       compute_malis(p.aff, segment_affinities(true_affinity_of(p.seg)), malis_norm::frac));
}

TEST_CASE("MALIS on every window of a small world agrees with the exhaustive reference", "[malis]")
{
    // A 1x6x6 world: a U-shaped object 1 holding object 2, boundary 0 around them; and the same world
    // turned on its side (y <-> x). Each 1x4x4 window cuts the objects differently: rows 0-3 by
    // columns 1-4 keeps both arms of the U but not its bottom, and likewise in the turned world.
    const vec3 world_shape{1, 6, 6};
    const auto world = segmentation_of(world_shape, {
                                                        0, 0, 0, 0, 0, 0,  //
                                                        0, 1, 0, 0, 1, 0,  //
                                                        0, 1, 2, 2, 1, 0,  //
                                                        0, 1, 2, 2, 1, 0,  //
                                                        0, 1, 1, 1, 1, 0,  //
                                                        0, 0, 0, 0, 0, 0,  //
                                                    });
    volume<std::uint64_t> turned(world_shape);
    for (std::int64_t y = 0; y < world_shape.y; ++y)
        for (std::int64_t x = 0; x < world_shape.x; ++x) turned(0, y, x) = world(0, x, y);

    const vec3 s{1, 4, 4};
    std::mt19937_64 rng(1009);
    std::uniform_real_distribution<double> u(0, 1);
    int windows_that_cut_an_object = 0;
    const volume<std::uint64_t>* const worlds[] = {&world, &turned};
    for (const auto* from : worlds)
        for (std::int64_t oy = 0; oy + s.y <= world_shape.y; ++oy)
            for (std::int64_t ox = 0; ox + s.x <= world_shape.x; ++ox) {
                volume<std::uint64_t> seg(s);
                for (std::int64_t y = 0; y < s.y; ++y)
                    for (std::int64_t x = 0; x < s.x; ++x) seg(0, y, x) = (*from)(0, oy + y, ox + x);
                const auto objects = true_objects(seg);
                std::set<std::uint64_t> ids(seg.begin(), seg.end()), parts(objects.begin(), objects.end());
                ids.erase(0);
                parts.erase(0);
                if (parts.size() > ids.size()) ++windows_that_cut_an_object;

                maps<double> aff(3, volume<double>(s));
                for (auto& m : aff)
                    for (auto& a : m) a = u(rng);
                for (auto norm : {malis_norm::none, malis_norm::frac, malis_norm::num, malis_norm::pair}) {
                    INFO((from == &world ? "world" : "turned world") << ", window at y " << oy << " x " << ox
                                                                     << ", norm " << malis_norm_name(norm));
                    const auto expected = brute_force_malis(aff, objects, norm);
                    const auto w = compute_malis(aff, seg, norm);
                    check_agrees(w, expected);
                }
            }
    CHECK(windows_that_cut_an_object == 2);  // the case this file is about really occurs, once per world
}
