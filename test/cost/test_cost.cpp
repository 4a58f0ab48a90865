// Costs, gradients, softmax and the classification error: hand-computed values and finite differences.
#include "znn/cost.hpp"
#include "znn/error.hpp"

#include <catch2/catch.hpp>

#include <cmath>
#include <functional>
#include <random>
#include <vector>

using namespace znn;

namespace {

// Maps of `shape` with the values of each channel written out, x fastest.
template <class T>
maps<T> make_maps(vec3 shape, const std::vector<std::vector<double>>& channels)
{
    maps<T> m;
    for (const auto& values : channels) {
        volume<T> v(shape);
        REQUIRE(values.size() == v.size());
        for (std::size_t i = 0; i < v.size(); ++i) v[i] = static_cast<T>(values[i]);
        m.push_back(std::move(v));
    }
    return m;
}

maps<double> random_maps(vec3 shape, int channels, double lo, double hi, std::mt19937_64& rng)
{
    std::uniform_real_distribution<double> u(lo, hi);
    maps<double> m;
    for (int c = 0; c < channels; ++c) {
        volume<double> v(shape);
        for (auto& x : v) x = u(rng);
        m.push_back(std::move(v));
    }
    return m;
}

// Per-voxel weights, the same on every channel, with about a quarter of the voxels at 0.
maps<double> random_voxel_weights(vec3 shape, int channels, std::mt19937_64& rng)
{
    std::uniform_real_distribution<double> u(0.0, 2.0);
    volume<double> w(shape);
    for (auto& x : w) x = u(rng) < 0.5 ? 0.0 : u(rng);
    return maps<double>(static_cast<std::size_t>(channels), w);
}

double sigmoid(double z) { return 1.0 / (1.0 + std::exp(-z)); }

// Central differences of `energy` with respect to every entry of `x`, compared with `gradient`.
void check_gradient(maps<double> x, const std::function<double(const maps<double>&)>& energy,
                    const maps<double>& gradient)
{
    const double h = 1e-6;
    for (std::size_t c = 0; c < x.size(); ++c)
        for (std::size_t i = 0; i < x[c].size(); ++i) {
            const double keep = x[c][i];
            x[c][i] = keep + h;
            const double up = energy(x);
            x[c][i] = keep - h;
            const double down = energy(x);
            x[c][i] = keep;
            const double numeric = (up - down) / (2 * h);
            INFO("channel " << c << " voxel " << i);
            CHECK(gradient[c][i] == Approx(numeric).margin(1e-7).epsilon(1e-6));
        }
}

}  // namespace

TEST_CASE("cost names parse, auto is resolved by the output type", "[cost]")
{
    CHECK(parse_cost_kind("square_loss") == cost_kind::square_loss);
    CHECK(parse_cost_kind("binomial_cross_entropy") == cost_kind::binomial_cross_entropy);
    CHECK(parse_cost_kind("softmax_loss") == cost_kind::softmax_loss);
    for (auto k : {cost_kind::square_loss, cost_kind::binomial_cross_entropy, cost_kind::softmax_loss})
        CHECK(parse_cost_kind(cost_kind_name(k)) == k);
    CHECK_THROWS_AS(parse_cost_kind("auto"), input_error);
    CHECK_THROWS_WITH(parse_cost_kind("softmax"), Catch::Contains("softmax_loss"));
    CHECK(auto_cost_kind(false) == cost_kind::softmax_loss);
    CHECK(auto_cost_kind(true) == cost_kind::binomial_cross_entropy);
}

TEST_CASE("square loss on a hand example", "[cost]")
{
    const vec3 s{1, 1, 3};
    const auto p = make_maps<double>(s, {{0.2, 0.9, 0.6}});
    const auto y = make_maps<double>(s, {{0.0, 1.0, 0.0}});
    const auto w = make_maps<double>(s, {{1.0, 2.0, 0.0}});
    const auto r = evaluate_cost(cost_kind::square_loss, p, y, &w);
    // E = 1·0.2² + 2·0.1² + 0·0.6² = 0.04 + 0.02
    CHECK(r.cost == Approx(0.06));
    // ∂ = 2w(p − y): 0.4, 2·2·(−0.1), 0
    CHECK(r.gradient[0][0] == Approx(0.4));
    CHECK(r.gradient[0][1] == Approx(-0.4));
    CHECK(r.gradient[0][2] == 0.0);
    // voxel 2 is wrong (0.6 > 0.5, y = 0) but has weight 0: nothing wrong among 2 counted
    CHECK(r.counted == 2);
    CHECK(r.misclassified == 0);
    CHECK(r.probability.empty());

    const auto unweighted = evaluate_cost(cost_kind::square_loss, p, y);
    CHECK(unweighted.cost == Approx(0.04 + 0.01 + 0.36));
    CHECK(unweighted.counted == 3);
    CHECK(unweighted.misclassified == 1);
    CHECK(unweighted.classification_error() == Approx(1.0 / 3));
}

TEST_CASE("binomial cross entropy on a hand example", "[cost]")
{
    const vec3 s{1, 1, 3};
    const auto p = make_maps<float>(s, {{0.8, 0.3, 0.5}});
    const auto y = make_maps<float>(s, {{1.0, 0.0, 0.5}});
    const auto r = evaluate_cost(cost_kind::binomial_cross_entropy, p, y);
    // −ln 0.8 − ln 0.7 − (0.5 ln 0.5 + 0.5 ln 0.5) = 0.22314355 + 0.35667494 + 0.69314718
    CHECK(r.cost == Approx(0.22314355 + 0.35667494 + 0.69314718).epsilon(1e-6));
    CHECK(r.gradient[0][0] == Approx(-0.2f));
    CHECK(r.gradient[0][1] == Approx(0.3f));
    CHECK(r.gradient[0][2] == Approx(0.0f).margin(1e-7));
    // (0.5 > 0.5) == (0.5 > 0.5): right; the others are right too
    CHECK(r.misclassified == 0);
    CHECK(r.counted == 3);
}

TEST_CASE("binomial cross entropy stays finite for a saturated output", "[cost]")
{
    const vec3 s{1, 1, 2};
    const auto p = make_maps<float>(s, {{0.0, 1.0}});
    const auto y = make_maps<float>(s, {{1.0, 0.0}});
    const auto r = evaluate_cost(cost_kind::binomial_cross_entropy, p, y);
    CHECK(std::isfinite(r.cost));
    CHECK(r.cost == Approx(-2 * std::log(1e-12)).epsilon(1e-6));
    CHECK(r.misclassified == 2);
    // a perfect answer costs nothing (0·ln 0 is taken as 0)
    CHECK(evaluate_cost(cost_kind::binomial_cross_entropy, y, y).cost == Approx(0.0).margin(1e-9));
}

TEST_CASE("softmax loss on a hand example", "[cost]")
{
    const vec3 s{1, 1, 1};
    // z = (0, ln 3): p = (1/4, 3/4)
    const auto z = make_maps<double>(s, {{0.0}, {std::log(3.0)}});
    const auto y = make_maps<double>(s, {{0.0}, {1.0}});
    const auto r = evaluate_cost(cost_kind::softmax_loss, z, y);
    REQUIRE(r.probability.size() == 2);
    CHECK(r.probability[0][0] == Approx(0.25));
    CHECK(r.probability[1][0] == Approx(0.75));
    CHECK(r.cost == Approx(-std::log(0.75)));
    CHECK(r.gradient[0][0] == Approx(0.25));
    CHECK(r.gradient[1][0] == Approx(-0.25));
    // the error uses the probabilities: 0.25 vs 0 and 0.75 vs 1 are both right
    CHECK(r.misclassified == 0);
    CHECK(r.counted == 2);
}

TEST_CASE("square loss gradient matches finite differences", "[cost]")
{
    std::mt19937_64 rng(11);
    const vec3 s{2, 3, 4};
    const auto p = random_maps(s, 2, -1, 2, rng);
    const auto y = random_maps(s, 2, 0, 1, rng);
    const auto w = random_maps(s, 2, 0, 3, rng);  // per channel and voxel
    const auto r = evaluate_cost(cost_kind::square_loss, p, y, &w);
    check_gradient(
        p, [&](const maps<double>& x) { return evaluate_cost(cost_kind::square_loss, x, y, &w).cost; }, r.gradient);
}

TEST_CASE("binomial cross entropy gradient is dE/d(pre-sigmoid)", "[cost]")
{
    std::mt19937_64 rng(12);
    const vec3 s{1, 4, 5};
    const auto z = random_maps(s, 3, -3, 3, rng);
    const auto y = random_maps(s, 3, 0, 1, rng);  // soft targets too
    const auto w = random_maps(s, 3, 0, 2, rng);
    auto through_sigmoid = [](maps<double> x) {
        for (auto& m : x)
            for (auto& v : m) v = sigmoid(v);
        return x;
    };
    const auto r = evaluate_cost(cost_kind::binomial_cross_entropy, through_sigmoid(z), y, &w);
    check_gradient(
        z,
        [&](const maps<double>& x) {
            return evaluate_cost(cost_kind::binomial_cross_entropy, through_sigmoid(x), y, &w).cost;
        },
        r.gradient);
}

TEST_CASE("softmax loss gradient matches finite differences", "[cost]")
{
    std::mt19937_64 rng(13);
    const vec3 s{2, 2, 3};
    for (int channels : {2, 3}) {
        const auto z = random_maps(s, channels, -4, 4, rng);
        // targets: a distribution over the channels at every voxel
        auto y = random_maps(s, channels, 0, 1, rng);
        for (std::size_t i = 0; i < y[0].size(); ++i) {
            double sum = 0;
            for (auto& m : y) sum += m[i];
            for (auto& m : y) m[i] /= sum;
        }
        const auto w = random_voxel_weights(s, channels, rng);
        const auto r = evaluate_cost(cost_kind::softmax_loss, z, y, &w);
        check_gradient(
            z, [&](const maps<double>& x) { return evaluate_cost(cost_kind::softmax_loss, x, y, &w).cost; },
            r.gradient);
    }
}

TEST_CASE("softmax sums to one and is stable for large inputs", "[cost]")
{
    const vec3 s{1, 1, 4};
    const auto z = make_maps<float>(s, {{1000, -1000, 0, 88}, {1001, -1001, 0, -88}, {999, -999, 0, 0}});
    const auto p = softmax(z);
    for (std::size_t i = 0; i < 4; ++i) {
        double sum = 0;
        for (const auto& m : p) {
            CHECK(std::isfinite(m[i]));
            sum += m[i];
        }
        CHECK(sum == Approx(1.0).epsilon(1e-6));
    }
    // shifting all channels does not change softmax: (999, 1000, 1001) ~ (−1, 0, 1)
    const double e = std::exp(1.0), d = 1 + e + e * e;
    CHECK(p[0][0] == Approx(e / d));
    CHECK(p[1][0] == Approx(e * e / d));
    CHECK(p[2][0] == Approx(1 / d));
    CHECK(p[0][1] == Approx(e / d));
    CHECK(p[0][2] == Approx(1.0 / 3));
    CHECK(p[2][3] == Approx(1 / (1 + std::exp(88.0f) + std::exp(-88.0f))).margin(1e-30));

    // the cost of a confident right answer with huge values is ~0, of a wrong one ~ the margin
    const auto y = make_maps<float>(s, {{0, 0, 1, 1}, {1, 1, 0, 0}, {0, 0, 0, 0}});
    const auto r = evaluate_cost(cost_kind::softmax_loss, z, y);
    CHECK(std::isfinite(r.cost));
}

TEST_CASE("a zero weight removes a voxel entirely", "[cost]")
{
    std::mt19937_64 rng(14);
    const vec3 s{1, 3, 3};
    for (auto kind : {cost_kind::square_loss, cost_kind::binomial_cross_entropy, cost_kind::softmax_loss}) {
        auto p = random_maps(s, 2, 0.05, 0.95, rng);
        const auto y = random_maps(s, 2, 0, 1, rng);
        maps<double> w(2, volume<double>(s, 1.0));
        const std::size_t removed = 4;
        for (auto& m : w) m[removed] = 0;

        const auto before = evaluate_cost(kind, p, y, &w);
        for (auto& m : p) m[removed] = 0.5 + (m[removed] > 0.5 ? -0.4 : 0.4);  // a different answer
        const auto after = evaluate_cost(kind, p, y, &w);
        INFO(cost_kind_name(kind));
        CHECK(after.cost == Approx(before.cost));
        CHECK(after.misclassified == before.misclassified);
        CHECK(after.counted == 2 * 8);
        for (const auto& g : after.gradient) CHECK(g[removed] == 0.0);
    }
}

TEST_CASE("classification error on a hand example", "[cost]")
{
    const vec3 s{1, 2, 2};
    const auto p = make_maps<double>(s, {{0.9, 0.4, 0.6, 0.1}, {0.2, 0.7, 0.5, 0.3}});
    const auto y = make_maps<double>(s, {{1.0, 1.0, 0.0, 0.0}, {0.0, 0.0, 0.0, 1.0}});
    // channel 0: voxels 1 (0.4 vs 1) and 2 (0.6 vs 0) wrong; channel 1: voxels 1 and 3 wrong
    auto [wrong, counted] = count_misclassified(p, y);
    CHECK(wrong == 4);
    CHECK(counted == 8);
    // masked: channel 0 keeps voxels 0, 1; channel 1 keeps voxels 1, 2 -> wrong: c0 v1, c1 v1
    const auto w = make_maps<double>(s, {{1, 3, 0, 0}, {0, 0.5, 1, 0}});
    std::tie(wrong, counted) = count_misclassified(p, y, &w);
    CHECK(wrong == 2);
    CHECK(counted == 4);
    const auto r = evaluate_cost(cost_kind::square_loss, p, y, &w);
    CHECK(r.classification_error() == Approx(0.5));
}

TEST_CASE("mismatched maps are rejected", "[cost]")
{
    const vec3 s{1, 2, 2};
    const maps<float> two(2, volume<float>(s));
    const maps<float> one(1, volume<float>(s));
    const maps<float> other_shape(2, volume<float>(vec3{1, 2, 3}));
    CHECK_THROWS_AS(evaluate_cost(cost_kind::square_loss, two, one), input_error);
    CHECK_THROWS_AS(evaluate_cost(cost_kind::square_loss, two, other_shape), input_error);
    CHECK_THROWS_AS(evaluate_cost(cost_kind::square_loss, two, two, &one), input_error);
    CHECK_THROWS_AS(evaluate_cost(cost_kind::square_loss, maps<float>{}, maps<float>{}), input_error);
    maps<float> w = two;
    CHECK_THROWS_AS(multiply_weights(w, one), input_error);
}

TEST_CASE("weights multiply entry by entry", "[cost]")
{
    const vec3 s{1, 1, 2};
    auto w = make_maps<float>(s, {{1, 2}, {3, 0}});
    multiply_weights(w, make_maps<float>(s, {{0.5, 4}, {2, 7}}));
    CHECK(w[0][0] == 0.5f);
    CHECK(w[0][1] == 8.0f);
    CHECK(w[1][0] == 6.0f);
    CHECK(w[1][1] == 0.0f);
}
