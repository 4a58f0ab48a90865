// Initialisers: bounds, moments, bernoulli fractions, fans, reproducibility and argument handling.
#include "znn/init.hpp"

#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <numeric>
#include <vector>

using namespace znn;

namespace {

struct moments {
    double mean, std, lo, hi;
};

template <class T>
moments stats(const std::vector<T>& v)
{
    double sum = 0, sq = 0;
    for (T x : v) sum += double(x);
    const double mean = sum / double(v.size());
    for (T x : v) sq += (double(x) - mean) * (double(x) - mean);
    const auto [lo, hi] = std::minmax_element(v.begin(), v.end());
    return {mean, std::sqrt(sq / double(v.size())), double(*lo), double(*hi)};
}

template <class T>
std::vector<T> draw(const initializer& init, std::size_t n, std::uint64_t seed, double fan_in = 0, double fan_out = 0)
{
    std::vector<T> v(n, T(-123));
    std::mt19937_64 rng(seed);
    initialize(init, std::span<T>(v), rng, fan_in, fan_out);
    return v;
}

}  // namespace

TEMPLATE_TEST_CASE("initialisers have the documented distributions", "[engine][init]", float, double)
{
    using T = TestType;
    const std::size_t n = 200000;

    auto zero = draw<T>(make_initializer("zero"), 100, 1);
    CHECK(std::all_of(zero.begin(), zero.end(), [](T x) { return x == T(0); }));
    auto constant = draw<T>(make_initializer("constant", {0.25}), 100, 1);
    CHECK(std::all_of(constant.begin(), constant.end(), [](T x) { return x == T(0.25); }));

    auto u = stats(draw<T>(make_initializer("uniform", {-0.5, 1.5}), n, 2));
    CHECK(u.lo >= -0.5);
    CHECK(u.hi <= 1.5);
    CHECK(u.mean == Approx(0.5).margin(0.01));
    CHECK(u.std == Approx(2.0 / std::sqrt(12.0)).margin(0.01));
    auto ud = stats(draw<T>(make_initializer("uniform"), n, 3));
    CHECK(ud.lo >= -0.1);
    CHECK(ud.hi <= 0.1);
    CHECK(ud.hi > 0.099);
    auto ur = stats(draw<T>(make_initializer("uniform", {0.3}), n, 3));
    CHECK(ur.lo >= -0.3);
    CHECK(ur.lo < -0.299);

    auto g = stats(draw<T>(make_initializer("gaussian", {1.0, 2.0}), n, 4));
    CHECK(g.mean == Approx(1.0).margin(0.02));
    CHECK(g.std == Approx(2.0).margin(0.02));
    auto gd = stats(draw<T>(make_initializer("gaussian"), n, 5));
    CHECK(gd.mean == Approx(0.0).margin(1e-4));
    CHECK(gd.std == Approx(0.01).margin(1e-4));

    auto b = draw<T>(make_initializer("bernoulli", {0.3}), n, 6);
    CHECK(std::all_of(b.begin(), b.end(), [](T x) { return x == T(0) || x == T(1); }));
    CHECK(stats(b).mean == Approx(0.3).margin(0.005));
    CHECK(stats(draw<T>(make_initializer("bernoulli"), n, 7)).mean == Approx(0.5).margin(0.005));

    // A 3×3×3 conv from 16 to 32 maps: fan_in 432, fan_out 864.
    const double fan_in = conv_fan(16, {3, 3, 3}), fan_out = conv_fan(32, {3, 3, 3});
    CHECK(fan_in == 432);
    const double r = std::sqrt(6.0 / (fan_in + fan_out));
    auto x = stats(draw<T>(make_initializer("xavier"), n, 8, fan_in, fan_out));
    CHECK(x.lo >= -r);
    CHECK(x.hi <= r);
    CHECK(x.hi > 0.99 * r);
    CHECK(x.mean == Approx(0.0).margin(0.01 * r));
    CHECK(x.std == Approx(r / std::sqrt(3.0)).margin(0.01 * r));
    auto m = stats(draw<T>(make_initializer("msra"), n, 9, fan_in, fan_out));
    CHECK(m.mean == Approx(0.0).margin(0.01 * std::sqrt(2.0 / fan_in)));
    CHECK(m.std == Approx(std::sqrt(2.0 / fan_in)).epsilon(0.01));
}

TEST_CASE("initialisers are reproducible from the seed", "[engine][init]")
{
    for (const char* name : {"uniform", "gaussian", "bernoulli", "xavier", "msra"}) {
        INFO(name);
        const auto init = make_initializer(name);
        CHECK(draw<float>(init, 1001, 42, 10, 20) == draw<float>(init, 1001, 42, 10, 20));
        CHECK(draw<double>(init, 1001, 42, 10, 20) != draw<double>(init, 1001, 43, 10, 20));
    }
    // The same draws in float and double (float is the rounded double).
    const auto f = draw<float>(make_initializer("gaussian", {0, 1}), 99, 5);
    const auto d = draw<double>(make_initializer("gaussian", {0, 1}), 99, 5);
    for (std::size_t i = 0; i < f.size(); ++i) CHECK(f[i] == static_cast<float>(d[i]));
}

TEST_CASE("initialiser arguments are checked", "[engine][init]")
{
    CHECK_THROWS_AS(make_initializer("normal"), std::invalid_argument);
    CHECK_THROWS_AS(make_initializer("uniform", {1, 0}), std::invalid_argument);
    CHECK_THROWS_AS(make_initializer("uniform", {1, 2, 3}), std::invalid_argument);
    CHECK_THROWS_AS(make_initializer("gaussian", {0, -1}), std::invalid_argument);
    CHECK_THROWS_AS(make_initializer("bernoulli", {1.5}), std::invalid_argument);
    CHECK_THROWS_AS(make_initializer("xavier", {1}), std::invalid_argument);
    std::vector<float> v(4);
    std::mt19937_64 rng(1);
    CHECK_THROWS_AS(initialize(make_initializer("xavier"), std::span<float>(v), rng), std::invalid_argument);
    CHECK_THROWS_AS(initialize(make_initializer("msra"), std::span<float>(v), rng, 0, 5), std::invalid_argument);
    for (auto k : {init_kind::zero, init_kind::constant, init_kind::uniform, init_kind::gaussian, init_kind::bernoulli,
                   init_kind::xavier, init_kind::msra})
        CHECK(make_initializer(init_name(k)).kind == k);
}
