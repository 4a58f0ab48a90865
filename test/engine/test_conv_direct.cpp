// Direct convolution against the naive loops of reference.hpp, on every instruction set the CPU has,
// and its gradients against finite differences of a scalar loss.
#include "znn/conv.hpp"

#include "conv_cases.hpp"
#include "conv_direct_isa.hpp"
#include "reference.hpp"

#include <catch2/catch.hpp>

#include <algorithm>
#include <limits>
#include <utility>
#include <vector>

using namespace znn;
using namespace znn::test;

namespace {

std::vector<simd::isa> runnable_isas()
{
    std::vector<simd::isa> isas{simd::isa::generic};
    if (simd::best_isa() == simd::isa::avx2) isas.push_back(simd::isa::avx2);
    if (simd::best_isa() == simd::isa::avx512) isas.insert(isas.end(), {simd::isa::avx2, simd::isa::avx512});
    return isas;
}

template <class T>
constexpr double tolerance()
{
    return sizeof(T) == 4 ? 2e-5 : 1e-12;
}

// Adds `b` to a copy of `a`: what an accumulating routine must produce from a prefilled target.
volume<double> plus(const volume<double>& a, const volume<double>& b)
{
    volume<double> r(a);
    for (std::size_t i = 0; i < r.size(); ++i) r[i] += b[i];
    return r;
}

}  // namespace

TEMPLATE_TEST_CASE("direct convolution matches the naive loops", "[engine][conv]", float, double)
{
    using T = TestType;
    std::mt19937_64 rng(7);
    for (const auto& c : conv_cases()) {
        const vec3 out_shape = conv_output_shape(c.in, c.kernel, c.sparsity);
        const auto in = random_volume<T>(c.in, rng);
        const auto k = random_volume<T>(c.kernel, rng);
        const auto g = random_volume<T>(out_shape, rng);
        // Prefilled targets check that every routine accumulates.
        const auto out0 = random_volume<T>(out_shape, rng);
        const auto gi0 = random_volume<T>(c.in, rng);
        const auto gk0 = random_volume<T>(c.kernel, rng);

        const auto ref_out = plus(to_double(out0), naive_conv_forward(to_double(in), to_double(k), c.sparsity));
        const auto ref_gi =
            plus(to_double(gi0), naive_conv_backward_input(to_double(g), to_double(k), c.sparsity, c.in));
        const auto ref_gk =
            plus(to_double(gk0), naive_conv_backward_kernel(to_double(in), to_double(g), c.sparsity, c.kernel));

        for (auto isa : runnable_isas()) {
            INFO("in " << c.in << " kernel " << c.kernel << " sparsity " << c.sparsity << " isa " << int(isa));
            auto out = out0;
            detail::conv_forward_with(isa, in, k, c.sparsity, out);
            CHECK(relative_error(out, ref_out) < tolerance<T>());

            auto gi = gi0;
            detail::conv_backward_input_with(isa, g, k, c.sparsity, gi);
            CHECK(relative_error(gi, ref_gi) < tolerance<T>());

            auto gk = gk0;
            detail::conv_backward_kernel_with(isa, in, g, c.sparsity, gk);
            CHECK(relative_error(gk, ref_gk) < tolerance<T>());
        }
        // The public entry points use the best instruction set.
        auto out = out0;
        conv_forward(in, k, c.sparsity, out);
        CHECK(relative_error(out, ref_out) < tolerance<T>());
    }
}

TEST_CASE("direct convolution of a hand-computed example", "[engine][conv]")
{
    // 1D along x: in = 1 2 3 4 5, k = 1 10 (flipped: 10 1), sparsity 2: K' = 3, out size 3,
    // out(v) = in(v + 2)·k(0) + in(v)·k(1) -> 3 + 10, 4 + 20, 5 + 30.
    volume<double> in({1, 1, 5}), k({1, 1, 2}), out({1, 1, 3});
    for (int i = 0; i < 5; ++i) in[i] = i + 1;
    k[0] = 1;
    k[1] = 10;
    conv_forward(in, k, {1, 1, 2}, out);
    CHECK(out[0] == 13);
    CHECK(out[1] == 24);
    CHECK(out[2] == 35);
}

TEST_CASE("direct convolution rejects mismatched shapes", "[engine][conv]")
{
    volume<float> in({1, 8, 8}), k({1, 3, 3}), out({1, 6, 5});
    CHECK_THROWS_AS(conv_forward(in, k, {1, 1, 1}, out), std::invalid_argument);
    volume<float> big_k({1, 9, 9}), tiny({1, 1, 1});
    CHECK_THROWS_AS(conv_forward(in, big_k, {1, 1, 1}, tiny), std::invalid_argument);
    volume<float> gk({1, 3, 3}), g({1, 6, 6});
    CHECK_THROWS_AS(conv_backward_kernel(in, g, {1, 2, 1}, gk), std::invalid_argument);
}

TEST_CASE("direct convolution gradients match finite differences", "[engine][conv]")
{
    // E = Σ w·out + ½ Σ out², so dE/dout = w + out (a loss that is not linear in the input).
    std::mt19937_64 rng(11);
    const vec3 s{2, 1, 3};
    auto in = random_volume<double>({5, 7, 11}, rng);
    auto k = random_volume<double>({2, 3, 2}, rng);
    const vec3 out_shape = conv_output_shape(in.shape(), k.shape(), s);
    const auto w = random_volume<double>(out_shape, rng);

    auto loss = [&](const volume<double>& input, const volume<double>& kernel) {
        volume<double> out(out_shape);
        conv_forward(input, kernel, s, out);
        double e = 0;
        for (std::size_t i = 0; i < out.size(); ++i) e += w[i] * out[i] + 0.5 * out[i] * out[i];
        return e;
    };
    volume<double> out(out_shape);
    conv_forward(in, k, s, out);
    volume<double> g(out_shape);
    for (std::size_t i = 0; i < g.size(); ++i) g[i] = w[i] + out[i];

    volume<double> gi(in.shape()), gk(k.shape());
    conv_backward_input(g, k, s, gi);
    conv_backward_kernel(in, g, s, gk);

    const double h = 1e-5;
    for (std::size_t i = 0; i < in.size(); ++i) {
        const double v = in[i];
        in[i] = v + h;
        const double ep = loss(in, k);
        in[i] = v - h;
        const double em = loss(in, k);
        in[i] = v;
        CHECK(gi[i] == Approx((ep - em) / (2 * h)).margin(1e-6));
    }
    for (std::size_t i = 0; i < k.size(); ++i) {
        const double v = k[i];
        k[i] = v + h;
        const double ep = loss(in, k);
        k[i] = v - h;
        const double em = loss(in, k);
        k[i] = v;
        CHECK(gk[i] == Approx((ep - em) / (2 * h)).margin(1e-6));
    }
}

TEMPLATE_TEST_CASE("layer-wise direct convolution matches sums of naive edges", "[engine][conv]", float, double)
{
    using T = TestType;
    std::mt19937_64 rng(41);
    struct layer_case {
        conv_case c;
        std::size_t m, n;
    };
    // m and n cover full output blocks and every remainder (blocks of 4 for AVX-512, 2 otherwise). The
    // last two have planes longer than the kernels' chunks of 2048 and 4096 positions, and more input
    // maps than one group of rows (4), so chunk and group boundaries fall inside rows.
    const std::vector<layer_case> cases = {{{{1, 12, 40}, {1, 3, 3}, {1, 1, 1}}, 3, 5},
                                           {{{3, 9, 21}, {2, 2, 3}, {1, 2, 2}}, 5, 3},
                                           {{{1, 7, 9}, {1, 2, 2}, {1, 3, 1}}, 2, 7},
                                           {{{2, 71, 83}, {2, 3, 4}, {1, 2, 3}}, 6, 5},
                                           {{{1, 97, 61}, {1, 5, 2}, {1, 3, 7}}, 9, 2}};
    for (const auto& [c, m, n] : cases) {
        const vec3 out_shape = conv_output_shape(c.in, c.kernel, c.sparsity);
        std::vector<volume<T>> in, k, g;
        for (std::size_t i = 0; i < m; ++i) in.push_back(random_volume<T>(c.in, rng));
        for (std::size_t i = 0; i < m * n; ++i) k.push_back(random_volume<T>(c.kernel, rng));
        for (std::size_t j = 0; j < n; ++j) g.push_back(random_volume<T>(out_shape, rng));

        std::vector<volume<double>> ref_out(n, volume<double>(out_shape)), ref_gi(m, volume<double>(c.in)),
            ref_gk;
        for (std::size_t i = 0; i < m; ++i)
            for (std::size_t j = 0; j < n; ++j) {
                const auto& kij = k[i * n + j];
                ref_out[j] = plus(ref_out[j], naive_conv_forward(to_double(in[i]), to_double(kij), c.sparsity));
                ref_gi[i] = plus(ref_gi[i], naive_conv_backward_input(to_double(g[j]), to_double(kij), c.sparsity, c.in));
                ref_gk.push_back(naive_conv_backward_kernel(to_double(in[i]), to_double(g[j]), c.sparsity, c.kernel));
            }

        auto cp = [](std::vector<volume<T>>& v) {
            std::vector<const volume<T>*> p;
            for (auto& x : v) p.push_back(&x);
            return p;
        };
        auto mp = [](std::vector<volume<T>>& v) {
            std::vector<volume<T>*> p;
            for (auto& x : v) p.push_back(&x);
            return p;
        };
        for (auto isa : runnable_isas()) {
            INFO("in " << c.in << " kernel " << c.kernel << " m " << m << " n " << n << " isa " << int(isa));
            std::vector<volume<T>> out(n, volume<T>(out_shape)), gi(m, volume<T>(c.in)), gk(m * n, volume<T>(c.kernel));
            detail::conv_forward_maps_with<T>(isa, cp(in), cp(k), c.sparsity, mp(out));
            // Overwriting stale values gives the same outputs.
            std::vector<volume<T>> written(n, volume<T>(out_shape));
            for (auto& map : written) map.fill(T(1e6));
            detail::conv_forward_maps_with<T>(isa, cp(in), cp(k), c.sparsity, mp(written), conv_write::overwrite);
            for (std::size_t j = 0; j < n; ++j) CHECK(relative_error(written[j], ref_out[j]) < tolerance<T>());
            // `finish` sees every output value once, after its last addition: out + 10·(j + 1) here.
            std::vector<volume<T>> finished(n, volume<T>(out_shape));
            std::size_t seen = 0;
            detail::conv_forward_maps_with<T>(isa, cp(in), cp(k), c.sparsity, mp(finished), conv_write::add,
                                              [&](std::size_t j, std::span<T> values) {
                                                  seen += values.size();
                                                  for (T& v : values) v += T(10) * T(j + 1);
                                              });
            CHECK(seen == n * static_cast<std::size_t>(out_shape.z * out_shape.y * out_shape.x));
            for (std::size_t j = 0; j < n; ++j) {
                volume<double> shifted = ref_out[j];
                for (auto& v : shifted) v += 10.0 * static_cast<double>(j + 1);
                CHECK(relative_error(finished[j], shifted) < tolerance<T>());
            }
            // By parts of planes and rows (some empty, the last open-ended), each call overwriting stale
            // values of its own part only: the whole call's values bit for bit, `finish` on each once.
            std::vector<volume<T>> by_rows(n, volume<T>(out_shape));
            for (auto& map : by_rows) map.fill(T(1e6));
            std::size_t seen_by_rows = 0;
            const std::int64_t zcut = out_shape.z / 2, ycut = out_shape.y / 3, last = out_shape.y - 1;
            const std::int64_t open = std::numeric_limits<std::int64_t>::max();
            for (const auto& [z0, z1] : {std::pair{std::int64_t{0}, zcut}, std::pair{zcut, out_shape.z}})
                for (const auto& [y0, y1] : {std::pair{std::int64_t{0}, ycut}, std::pair{ycut, last}, std::pair{last, open}})
                    detail::conv_forward_maps_with<T>(isa, cp(in), cp(k), c.sparsity, mp(by_rows), conv_write::overwrite,
                                                      [&](std::size_t j, std::span<T> values) {
                                                          seen_by_rows += values.size();
                                                          for (T& v : values) v += T(10) * T(j + 1);
                                                      },
                                                      conv_rows{z0, z1, y0, y1});
            CHECK(seen_by_rows == seen);
            for (std::size_t j = 0; j < n; ++j)
                CHECK(std::equal(by_rows[j].begin(), by_rows[j].end(), finished[j].begin()));
            detail::conv_backward_input_maps_with<T>(isa, cp(g), cp(k), c.sparsity, mp(gi));
            detail::conv_backward_kernel_maps_with<T>(isa, cp(in), cp(g), c.sparsity, mp(gk));
            for (std::size_t j = 0; j < n; ++j) CHECK(relative_error(out[j], ref_out[j]) < tolerance<T>());
            for (std::size_t i = 0; i < m; ++i) CHECK(relative_error(gi[i], ref_gi[i]) < tolerance<T>());
            for (std::size_t e = 0; e < m * n; ++e) CHECK(relative_error(gk[e], ref_gk[e]) < tolerance<T>());
        }
        // The padded form the executor uses: the same input gradients from maps padded once.
        std::vector<volume<T>> padded(n), gi(m, volume<T>(c.in));
        for (std::size_t j = 0; j < n; ++j) pad_for_backward_input(g[j], c.kernel, c.sparsity, padded[j]);
        conv_backward_input_padded_maps<T>(cp(padded), cp(k), c.sparsity, mp(gi));
        for (std::size_t i = 0; i < m; ++i) CHECK(relative_error(gi[i], ref_gi[i]) < tolerance<T>());
        CHECK_THROWS_AS(conv_backward_input_padded_maps<T>(cp(g), cp(k), c.sparsity, mp(gi)), std::invalid_argument);

        std::vector<volume<T>> out(n, volume<T>(out_shape));
        conv_forward_maps<T>(cp(in), cp(k), c.sparsity, mp(out));
        CHECK(relative_error(out[0], ref_out[0]) < tolerance<T>());
        // A kernel list of the wrong length is refused.
        auto few = cp(k);
        few.pop_back();
        CHECK_THROWS_AS(conv_forward_maps<T>(cp(in), few, c.sparsity, mp(out)), std::invalid_argument);
    }
}
