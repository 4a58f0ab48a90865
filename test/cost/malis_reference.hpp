// Independent references for the MALIS tests: the true objects of a patch by flood fill, and the MALIS
// pair counts by an exhaustive maximin search over every voxel pair (no union-find, no Kruskal).
#pragma once

#include "znn/malis.hpp"

#include <catch2/catch.hpp>

#include <algorithm>
#include <cstdint>
#include <limits>
#include <map>
#include <utility>
#include <vector>

namespace malis_reference {

using znn::maps;
using znn::vec3;
using znn::volume;

// Edge c of voxel (z, y, x) joins it to (z, y, x) − e_c; c = 0 (x), 1 (y), 2 (z).
inline constexpr std::int64_t step[3][3] = {{0, 0, 1}, {0, 1, 0}, {1, 0, 0}};

// The original's ground truth: flood fill over face neighbours with the same non-zero id, inside the
// patch only. Objects of one voxel are boundary (0); the others are numbered 1, 2, … by first voxel.
inline volume<std::uint64_t> true_objects(const volume<std::uint64_t>& seg)
{
    const vec3 s = seg.shape();
    volume<std::uint64_t> objects(s, 0);
    std::vector<bool> seen(seg.size(), false);
    std::uint64_t next = 1;
    for (std::int64_t z = 0; z < s.z; ++z)
        for (std::int64_t y = 0; y < s.y; ++y)
            for (std::int64_t x = 0; x < s.x; ++x) {
                const std::size_t start = seg.index(z, y, x);
                if (seen[start] || seg[start] == 0) continue;
                std::vector<vec3> todo{{z, y, x}}, found;
                seen[start] = true;
                while (!todo.empty()) {
                    const vec3 p = todo.back();
                    todo.pop_back();
                    found.push_back(p);
                    for (int c = 0; c < 3; ++c)
                        for (int sign : {-1, 1}) {
                            const vec3 q{p.z + sign * step[c][0], p.y + sign * step[c][1], p.x + sign * step[c][2]};
                            if (q.z < 0 || q.y < 0 || q.x < 0 || q.z >= s.z || q.y >= s.y || q.x >= s.x) continue;
                            const std::size_t i = seg.index(q.z, q.y, q.x);
                            if (seen[i] || seg[i] != seg[start]) continue;
                            seen[i] = true;
                            todo.push_back(q);
                        }
                }
                if (found.size() < 2) continue;
                for (const vec3& p : found) objects(p.z, p.y, p.x) = next;
                ++next;
            }
    return objects;
}

struct brute_force_result {
    maps<double> merger, splitter;
    double false_merges = 0, false_splits = 0;
    std::int64_t labelled = 0;
};

// Floyd–Warshall over max-min paths gives, for every voxel pair, the value of its maximin edge; with
// distinct affinities that value names the edge. Every pair of non-zero voxels of `partition` is then
// added to its edge (same id -> splitter, different -> merger), weighted as `norm` says. `partition`
// is used as given: pass true_objects(seg) for the original's rule.
inline brute_force_result brute_force_malis(const maps<double>& aff, const volume<std::uint64_t>& partition,
                                            znn::malis_norm norm)
{
    const vec3 s = partition.shape();
    const std::size_t n = partition.size();
    const double none = -std::numeric_limits<double>::infinity();
    std::vector<std::vector<double>> m(n, std::vector<double>(n, none));
    std::map<double, std::pair<int, std::size_t>> edge_of_value;
    for (std::int64_t z = 0; z < s.z; ++z)
        for (std::int64_t y = 0; y < s.y; ++y)
            for (std::int64_t x = 0; x < s.x; ++x)
                for (int c = 0; c < 3; ++c) {
                    const std::int64_t pz = z - step[c][0], py = y - step[c][1], px = x - step[c][2];
                    if (pz < 0 || py < 0 || px < 0) continue;
                    const std::size_t v = partition.index(z, y, x), u = partition.index(pz, py, px);
                    const double a = aff[c][v];
                    m[u][v] = m[v][u] = a;
                    REQUIRE(edge_of_value.emplace(a, std::pair{c, v}).second);  // distinct values
                }
    for (std::size_t k = 0; k < n; ++k)
        for (std::size_t i = 0; i < n; ++i)
            for (std::size_t j = 0; j < n; ++j) m[i][j] = std::max(m[i][j], std::min(m[i][k], m[k][j]));

    std::map<std::uint64_t, double> size;
    brute_force_result r;
    for (auto l : partition)
        if (l != 0) {
            ++size[l];
            ++r.labelled;
        }
    r.merger = maps<double>(3, volume<double>(s, 0.0));
    r.splitter = r.merger;
    const double nl = static_cast<double>(r.labelled);
    for (std::size_t i = 0; i < n; ++i)
        for (std::size_t j = i + 1; j < n; ++j) {
            if (partition[i] == 0 || partition[j] == 0) continue;
            const auto [c, v] = edge_of_value.at(m[i][j]);
            double weight = 1;
            if (norm == znn::malis_norm::frac) weight = 1 / (size[partition[i]] * size[partition[j]]);
            if (norm == znn::malis_norm::num) weight = 1 / nl;
            if (norm == znn::malis_norm::pair) weight = 1 / (nl * (nl - 1));
            if (partition[i] == partition[j]) {
                r.splitter[c][v] += weight;
                if (m[i][j] < 0.5) ++r.false_splits;
            } else {
                r.merger[c][v] += weight;
                if (m[i][j] > 0.5) ++r.false_merges;
            }
        }
    return r;
}

// compute_malis's result against the reference: every map entry, N, the false merges and splits, and
// the rand error.
inline void check_agrees(const znn::malis_weights<double>& w, const brute_force_result& expected)
{
    REQUIRE(w.labelled_voxels == expected.labelled);
    for (int c = 0; c < 3; ++c)
        for (std::size_t i = 0; i < expected.merger[c].size(); ++i) {
            INFO("channel " << c << " voxel " << i);
            CHECK(w.merger[c][i] == Approx(expected.merger[c][i]).margin(1e-12));
            CHECK(w.splitter[c][i] == Approx(expected.splitter[c][i]).margin(1e-12));
        }
    CHECK(w.false_merges == expected.false_merges);
    CHECK(w.false_splits == expected.false_splits);
    const double nl = static_cast<double>(expected.labelled);
    if (nl > 1) CHECK(w.rand_error == Approx((expected.false_merges + expected.false_splits) / (nl * (nl - 1) / 2)));
}

}  // namespace malis_reference
