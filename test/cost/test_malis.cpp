// MALIS: pair counts on hand examples, and against an exhaustive maximin search on random volumes (over the
// true objects of the patch, found by flood fill: malis_reference.hpp).
#include "znn/cost.hpp"
#include "znn/error.hpp"
#include "znn/malis.hpp"

#include "malis_reference.hpp"

#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <limits>
#include <map>
#include <random>
#include <vector>

using namespace znn;
using malis_reference::brute_force_malis;
using malis_reference::check_agrees;
using malis_reference::true_objects;

namespace {

template <class T>
maps<T> zero_affinity(vec3 s)
{
    return maps<T>(3, volume<T>(s, T(0)));
}

volume<std::uint64_t> make_segmentation(vec3 s, const std::vector<std::uint64_t>& labels)
{
    volume<std::uint64_t> seg(s);
    REQUIRE(labels.size() == seg.size());
    std::copy(labels.begin(), labels.end(), seg.begin());
    return seg;
}

// Expected weights: edge (channel, z, y, x) -> (merger, splitter).
struct expected_edge {
    int channel;
    std::int64_t z, y, x;
    double merger, splitter;
};

template <class T>
void check_weights(const malis_weights<T>& w, vec3 s, const std::vector<expected_edge>& expected, double scale)
{
    maps<double> merger(3, volume<double>(s, 0.0)), splitter(3, volume<double>(s, 0.0));
    for (const auto& e : expected) {
        merger[e.channel](e.z, e.y, e.x) = e.merger * scale;
        splitter[e.channel](e.z, e.y, e.x) = e.splitter * scale;
    }
    for (int c = 0; c < 3; ++c)
        for (std::size_t i = 0; i < merger[c].size(); ++i) {
            INFO("channel " << c << " voxel " << i);
            CHECK(w.merger[c][i] == Approx(merger[c][i]).margin(1e-12));
            CHECK(w.splitter[c][i] == Approx(splitter[c][i]).margin(1e-12));
            CHECK(w.weight[c][i] == Approx(merger[c][i] + splitter[c][i]).margin(1e-12));
        }
}

}  // namespace

TEST_CASE("malis_norm_type names parse", "[malis]")
{
    for (auto n : {malis_norm::none, malis_norm::frac, malis_norm::num, malis_norm::pair})
        CHECK(parse_malis_norm(malis_norm_name(n)) == n);
    CHECK_THROWS_WITH(parse_malis_norm("fraction"), Catch::Contains("frac"));
}

TEST_CASE("MALIS on a 1x1x4 line with two objects", "[malis]")
{
    // labels 1 1 2 2; x-edges e1 (v0-v1) 0.9, e2 (v1-v2) 0.8, e3 (v2-v3) 0.3 (stored at the later voxel).
    // Kruskal: e1 joins {v0},{v1}: one same pair (v0,v1)               -> splitter 1
    //          e2 joins {v0,v1},{v2}: (v0,v2),(v1,v2) differ            -> merger 2
    //          e3 joins {v0,v1,v2},{v3}: (v2,v3) same, (v0,v3),(v1,v3) differ -> splitter 1, merger 2
    // All 6 pairs are counted once. False merges: e2's 2 (0.8 > 0.5); false splits: e3's 1 (0.3 < 0.5).
    const vec3 s{1, 1, 4};
    auto aff = zero_affinity<double>(s);
    aff[0](0, 0, 1) = 0.9;
    aff[0](0, 0, 2) = 0.8;
    aff[0](0, 0, 3) = 0.3;
    aff[1].fill(0.99);  // y and z edges do not exist in a 1x1 plane: these values must be ignored
    aff[2].fill(0.99);
    const auto seg = make_segmentation(s, {1, 1, 2, 2});
    const auto w = compute_malis(aff, seg);
    check_weights(w, s, {{0, 0, 0, 1, 0, 1}, {0, 0, 0, 2, 2, 0}, {0, 0, 0, 3, 2, 1}}, 1.0);
    CHECK(w.labelled_voxels == 4);
    CHECK(w.false_merges == 2);
    CHECK(w.false_splits == 1);
    CHECK(w.rand_error == Approx(3.0 / 6.0));
}

TEST_CASE("MALIS on a 1x2x3 patch with boundary voxels, every normalisation", "[malis]")
{
    // (y, x):  row 0: v0 = 1, v1 = 1, v2 = 0        row 1: v3 = 2, v4 = 2, v5 = 2
    // Objects A = {v0, v1}, B = {v3, v4, v5}; v2 is boundary. Edges by decreasing affinity:
    //   x(0,1) v0-v1 0.95: {v0}+{v1}: (v0,v1) same                                -> splitter 1
    //   y(1,2) v2-v5 0.90: {v2}+{v5}: v2 is boundary, no pair                     -> 0
    //   x(0,2) v1-v2 0.85: {v0,v1}+{v2,v5}: (v0,v5),(v1,v5) differ               -> merger 2
    //   x(1,2) v4-v5 0.70: {v4}+{v0,v1,v2,v5}: (v4,v5) same, (v4,v0),(v4,v1) differ -> splitter 1, merger 2
    //   y(1,0) v0-v3 0.40: {v3}+{the rest}: (v3,v4),(v3,v5) same, (v3,v0),(v3,v1) differ -> splitter 2, merger 2
    //   x(1,1) v3-v4 0.20 and y(1,1) v1-v4 0.10: inside one component            -> 0
    // N = 5 labelled voxels, 10 pairs: 1 + 3 same + 6 different, as counted.
    const vec3 s{1, 2, 3};
    auto aff = zero_affinity<double>(s);
    aff[0](0, 0, 1) = 0.95;
    aff[1](0, 1, 2) = 0.90;
    aff[0](0, 0, 2) = 0.85;
    aff[0](0, 1, 2) = 0.70;
    aff[1](0, 1, 0) = 0.40;
    aff[0](0, 1, 1) = 0.20;
    aff[1](0, 1, 1) = 0.10;
    const auto seg = make_segmentation(s, {1, 1, 0, 2, 2, 2});
    const std::vector<expected_edge> counts = {
        {0, 0, 0, 1, 0, 1}, {0, 0, 0, 2, 2, 0}, {0, 0, 1, 2, 2, 1}, {1, 0, 1, 0, 2, 2}};

    check_weights(compute_malis(aff, seg, malis_norm::none), s, counts, 1.0);
    check_weights(compute_malis(aff, seg, malis_norm::num), s, counts, 1.0 / 5);
    check_weights(compute_malis(aff, seg, malis_norm::pair), s, counts, 1.0 / 20);
    // frac: a pair weighs 1/(|S(u)| |S(v)|): A-A 1/4, B-B 1/9, A-B 1/6
    const std::vector<expected_edge> fractions = {{0, 0, 0, 1, 0, 1.0 / 4},
                                                  {0, 0, 0, 2, 2.0 / 6, 0},
                                                  {0, 0, 1, 2, 2.0 / 6, 1.0 / 9},
                                                  {1, 0, 1, 0, 2.0 / 6, 2.0 / 9}};
    check_weights(compute_malis(aff, seg, malis_norm::frac), s, fractions, 1.0);

    const auto w = compute_malis(aff, seg);
    CHECK(w.labelled_voxels == 5);
    CHECK(w.false_merges == 4);  // x(0,2) at 0.85 and x(1,2) at 0.70
    CHECK(w.false_splits == 2);  // y(1,0) at 0.40
    CHECK(w.rand_error == Approx(0.6));
}

TEST_CASE("MALIS agrees with an exhaustive maximin search on random volumes", "[malis]")
{
    std::mt19937_64 rng(2009);
    std::uniform_real_distribution<double> u(0, 1);
    const std::vector<vec3> shapes = {{1, 1, 6}, {1, 3, 4}, {2, 2, 3}, {2, 3, 3}, {3, 3, 3}, {1, 5, 5}, {3, 2, 4}};
    int checked = 0;
    for (int trial = 0; trial < 40; ++trial) {
        const vec3 s = shapes[trial % shapes.size()];
        const int label_count = 1 + trial % 4;  // 1..4 objects plus boundary
        volume<std::uint64_t> seg(s);
        std::uniform_int_distribution<int> pick(0, label_count);
        for (auto& l : seg) l = static_cast<std::uint64_t>(pick(rng)) * 1000003u;  // sparse, large ids
        maps<double> aff(3, volume<double>(s));
        for (auto& m : aff)
            for (auto& a : m) a = u(rng);

        for (auto norm : {malis_norm::none, malis_norm::frac, malis_norm::num, malis_norm::pair}) {
            const auto expected = brute_force_malis(aff, true_objects(seg), norm);
            const auto w = compute_malis(aff, seg, norm);
            INFO("trial " << trial << " shape " << s << " norm " << malis_norm_name(norm));
            check_agrees(w, expected);
            ++checked;
        }
    }
    CHECK(checked == 160);
}

TEST_CASE("MALIS in float agrees with the double brute force", "[malis]")
{
    std::mt19937_64 rng(7);
    std::uniform_real_distribution<float> u(0, 1);
    const vec3 s{2, 3, 3};
    for (int trial = 0; trial < 5; ++trial) {
        volume<std::uint64_t> seg(s);
        std::uniform_int_distribution<int> pick(0, 3);
        for (auto& l : seg) l = static_cast<std::uint64_t>(pick(rng));
        maps<float> aff(3, volume<float>(s));
        maps<double> aff_d(3, volume<double>(s));
        for (int c = 0; c < 3; ++c)
            for (std::size_t i = 0; i < aff[c].size(); ++i) aff_d[c][i] = aff[c][i] = u(rng);
        const auto expected = brute_force_malis(aff_d, true_objects(seg), malis_norm::none);
        const auto w = compute_malis(aff, seg);
        for (int c = 0; c < 3; ++c)
            for (std::size_t i = 0; i < seg.size(); ++i) {
                CHECK(w.merger[c][i] == static_cast<float>(expected.merger[c][i]));
                CHECK(w.splitter[c][i] == static_cast<float>(expected.splitter[c][i]));
            }
    }
}

TEST_CASE("MALIS counts every labelled pair once on a larger volume", "[malis]")
{
    // Σ splitter = same-label pairs = Σ_S |S|(|S|−1)/2, Σ merger = the other labelled pairs.
    std::mt19937_64 rng(99);
    std::uniform_real_distribution<double> u(0, 1);
    const vec3 s{4, 32, 32};
    volume<std::uint64_t> seg(s);
    std::map<std::uint64_t, double> size;
    double labelled = 0;
    for (std::int64_t z = 0; z < s.z; ++z)
        for (std::int64_t y = 0; y < s.y; ++y)
            for (std::int64_t x = 0; x < s.x; ++x) {
                // blocks of 8x8 objects separated by boundary lines
                const bool boundary = (y % 8 == 0) || (x % 8 == 0);
                const std::uint64_t l = boundary ? 0 : 1 + static_cast<std::uint64_t>((y / 8) * 4 + x / 8);
                seg(z, y, x) = l;
                if (l) {
                    ++size[l];
                    ++labelled;
                }
            }
    maps<double> aff(3, volume<double>(s));
    for (auto& m : aff)
        for (auto& a : m) a = u(rng);
    const auto w = compute_malis(aff, seg);
    double same = 0;
    for (const auto& [l, k] : size) same += k * (k - 1) / 2;
    double sum_split = 0, sum_merge = 0;
    for (int c = 0; c < 3; ++c)
        for (std::size_t i = 0; i < seg.size(); ++i) {
            sum_split += w.splitter[c][i];
            sum_merge += w.merger[c][i];
        }
    CHECK(sum_split == Approx(same));
    CHECK(sum_merge == Approx(labelled * (labelled - 1) / 2 - same));
    CHECK(w.labelled_voxels == static_cast<std::int64_t>(labelled));
    // first planes have no edge
    for (std::int64_t z = 0; z < s.z; ++z)
        for (std::int64_t y = 0; y < s.y; ++y) CHECK(w.weight[0](z, y, 0) == 0.0);
}

TEST_CASE("segment_affinities reproduces the original's segmentation of true affinities", "[malis]")
{
    // 1x1x5, x affinities (edge to the left neighbour): -, 1, 0, 0, 1
    // components {v0,v1}, {v2} (alone: boundary), {v3,v4} -> 1 1 0 2 2
    const vec3 s{1, 1, 5};
    auto aff = zero_affinity<float>(s);
    aff[0](0, 0, 1) = 1;
    aff[0](0, 0, 4) = 1;
    aff[1].fill(1);  // no y or z edges in this shape
    aff[2].fill(1);
    const auto seg = segment_affinities(aff);
    const std::vector<std::uint64_t> expected = {1, 1, 0, 2, 2};
    CHECK(std::vector<std::uint64_t>(seg.begin(), seg.end()) == expected);

    // 1x2x2: y edges join the columns: (0,0)-(1,0) at 0.7 and (0,1)-(1,1) at 0.5 (not > 0.5)
    const vec3 t{1, 2, 2};
    auto aff2 = zero_affinity<double>(t);
    aff2[1](0, 1, 0) = 0.7;
    aff2[1](0, 1, 1) = 0.5;
    const auto seg2 = segment_affinities(aff2);
    const std::vector<std::uint64_t> expected2 = {1, 0, 1, 0};
    CHECK(std::vector<std::uint64_t>(seg2.begin(), seg2.end()) == expected2);
}

TEST_CASE("the MALIS square loss and its gradient", "[malis]")
{
    std::mt19937_64 rng(5);
    std::uniform_real_distribution<double> u(0, 1);
    const vec3 s{2, 3, 3};
    volume<std::uint64_t> seg(s);
    std::uniform_int_distribution<int> pick(0, 2);
    for (auto& l : seg) l = static_cast<std::uint64_t>(pick(rng));
    maps<double> aff(3, volume<double>(s));
    for (auto& m : aff)
        for (auto& a : m) a = u(rng);
    const auto w = compute_malis(aff, seg, malis_norm::num);
    const auto r = malis_square_loss(aff, w);

    double expected = 0;
    for (int c = 0; c < 3; ++c)
        for (std::size_t i = 0; i < seg.size(); ++i) {
            const double a = aff[c][i];
            expected += w.splitter[c][i] * (1 - a) * (1 - a) + w.merger[c][i] * a * a;
        }
    CHECK(r.loss == Approx(expected));
    // with the weights held fixed, the gradient is the derivative of the loss
    const double h = 1e-6;
    for (int c = 0; c < 3; ++c)
        for (std::size_t i = 0; i < seg.size(); ++i) {
            auto up = aff, down = aff;
            up[c][i] += h;
            down[c][i] -= h;
            const double numeric = (malis_square_loss(up, w).loss - malis_square_loss(down, w).loss) / (2 * h);
            CHECK(r.gradient[c][i] == Approx(numeric).margin(1e-8).epsilon(1e-6));
        }
}

TEST_CASE("MALIS weights multiply into the cost gradient", "[malis]")
{
    // The 1x1x4 example: the combined weight 1, 2, 3 on the three x-edges scales 2(p − y).
    const vec3 s{1, 1, 4};
    auto aff = zero_affinity<double>(s);
    aff[0](0, 0, 1) = 0.9;
    aff[0](0, 0, 2) = 0.8;
    aff[0](0, 0, 3) = 0.3;
    const auto seg = make_segmentation(s, {1, 1, 2, 2});
    const auto w = compute_malis(aff, seg);
    maps<double> target = zero_affinity<double>(s);
    target[0](0, 0, 1) = 1;
    target[0](0, 0, 3) = 1;
    maps<double> weight(3, volume<double>(s, 1.0));
    multiply_weights(weight, w.weight);
    const auto r = evaluate_cost(cost_kind::square_loss, aff, target, &weight);
    CHECK(r.gradient[0](0, 0, 1) == Approx(1 * 2 * (0.9 - 1)));
    CHECK(r.gradient[0](0, 0, 2) == Approx(2 * 2 * (0.8 - 0)));
    CHECK(r.gradient[0](0, 0, 3) == Approx(3 * 2 * (0.3 - 1)));
    CHECK(r.gradient[0](0, 0, 0) == 0.0);
}

TEST_CASE("MALIS rejects bad input", "[malis]")
{
    const vec3 s{1, 2, 2};
    const volume<std::uint64_t> seg(s, 1);
    CHECK_THROWS_AS(compute_malis(maps<float>(2, volume<float>(s)), seg), input_error);
    CHECK_THROWS_AS(compute_malis(maps<float>(3, volume<float>(vec3{1, 2, 3})), seg), input_error);
    auto aff = zero_affinity<float>(s);
    aff[0](0, 1, 1) = std::numeric_limits<float>::quiet_NaN();
    CHECK_THROWS_AS(compute_malis(aff, seg), runtime_failure);
    // nothing labelled: no pairs, all weights 0
    const auto w = compute_malis(zero_affinity<float>(s), volume<std::uint64_t>(s, 0));
    CHECK(w.labelled_voxels == 0);
    CHECK(w.rand_error == 0.0);
    for (const auto& m : w.weight)
        for (float v : m) CHECK(v == 0.0f);
}
