// FFT convolution against the naive loops, the frequency-domain recipe of znn/fft.hpp (memoised image
// transforms, several edges summed before one inverse), the plan cache under threads, and wisdom files.
#include "znn/conv.hpp"
#include "znn/conv_fft.hpp"
#include "znn/fft.hpp"

#include "conv_cases.hpp"
#include "reference.hpp"

#include <catch2/catch.hpp>

#include "znn/error.hpp"

#include <cstdio>
#include <filesystem>
#include <thread>

#include <unistd.h>

using namespace znn;
using namespace znn::test;

namespace {

template <class T>
constexpr double fft_tolerance()
{
    return sizeof(T) == 4 ? 1e-4 : 1e-10;
}

volume<double> plus(const volume<double>& a, const volume<double>& b)
{
    volume<double> r(a);
    for (std::size_t i = 0; i < r.size(); ++i) r[i] += b[i];
    return r;
}

bool friendly(std::int64_t n)
{
    for (std::int64_t p : {2, 3, 5, 7})
        while (n % p == 0) n /= p;
    return n == 1;
}

}  // namespace

TEST_CASE("fft sizes are the smallest 2^a 3^b 5^c 7^d not below n", "[engine][fft]")
{
    CHECK(fft_friendly_size(1) == 1);
    CHECK(fft_friendly_size(11) == 12);
    CHECK(fft_friendly_size(13) == 14);
    CHECK(fft_friendly_size(97) == 98);
    CHECK(fft_friendly_size(121) == 125);
    CHECK(fft_friendly_size(127) == 128);
    CHECK(fft_friendly_size(211) == 216);
    for (std::int64_t n = 1; n <= 600; ++n) {
        const auto m = fft_friendly_size(n);
        REQUIRE(m >= n);
        REQUIRE(friendly(m));
        for (std::int64_t k = n; k < m; ++k) REQUIRE_FALSE(friendly(k));
    }
    CHECK(fft_size({1, 99, 101}) == vec3{1, 100, 105});
    CHECK_THROWS_AS(fft_friendly_size(0), std::invalid_argument);
}

TEMPLATE_TEST_CASE("fft round trip and the spectrum of a delta", "[engine][fft]", float, double)
{
    using T = TestType;
    fft_plan_cache<T> cache;
    std::mt19937_64 rng(3);
    const vec3 n{3, 10, 15};
    const fft_transformer<T> fft(cache, n);
    CHECK(fft.spectrum_shape() == vec3{3, 10, 8});

    const auto x = random_volume<T>({2, 7, 9}, rng);
    auto s = fft.forward(x, {1, 2, 3});
    const auto back = fft.inverse(s);
    REQUIRE(back.shape() == n);
    for (std::int64_t z = 0; z < n.z; ++z)
        for (std::int64_t y = 0; y < n.y; ++y)
            for (std::int64_t xx = 0; xx < n.x; ++xx) {
                const bool inside = z >= 1 && z < 3 && y >= 2 && y < 9 && xx >= 3 && xx < 12;
                const double expect = inside ? double(x(z - 1, y - 2, xx - 3)) : 0.0;
                REQUIRE(double(back(z, y, xx)) == Approx(expect).margin(fft_tolerance<T>()));
            }

    // A unit kernel value at the origin transforms to all ones.
    volume<T> delta({1, 1, 1}, T(1));
    const auto d = fft.forward_dilated_kernel(delta, {2, 2, 2});
    for (std::size_t i = 0; i < d.size(); ++i) {
        REQUIRE(double(d.data()[i].real()) == Approx(1.0).margin(1e-6));
        REQUIRE(double(d.data()[i].imag()) == Approx(0.0).margin(1e-6));
    }
}

TEMPLATE_TEST_CASE("FFT convolution matches the naive loops", "[engine][fft]", float, double)
{
    using T = TestType;
    std::mt19937_64 rng(5);
    fft_plan_cache<T> cache;
    for (const auto& c : conv_cases()) {
        INFO("in " << c.in << " kernel " << c.kernel << " sparsity " << c.sparsity);
        const vec3 out_shape = conv_output_shape(c.in, c.kernel, c.sparsity);
        const auto in = random_volume<T>(c.in, rng);
        const auto k = random_volume<T>(c.kernel, rng);
        const auto g = random_volume<T>(out_shape, rng);
        const auto out0 = random_volume<T>(out_shape, rng);
        const auto gi0 = random_volume<T>(c.in, rng);
        const auto gk0 = random_volume<T>(c.kernel, rng);

        auto out = out0;
        conv_fft_forward(in, k, c.sparsity, out, cache);
        CHECK(relative_error(out, plus(to_double(out0), naive_conv_forward(to_double(in), to_double(k), c.sparsity))) <
              fft_tolerance<T>());

        auto gi = gi0;
        conv_fft_backward_input(g, k, c.sparsity, gi, cache);
        CHECK(relative_error(gi, plus(to_double(gi0), naive_conv_backward_input(to_double(g), to_double(k),
                                                                                c.sparsity, c.in))) <
              fft_tolerance<T>());

        auto gk = gk0;
        conv_fft_backward_kernel(in, g, c.sparsity, gk, cache);
        CHECK(relative_error(gk, plus(to_double(gk0), naive_conv_backward_kernel(to_double(in), to_double(g),
                                                                                 c.sparsity, c.kernel))) <
              fft_tolerance<T>());
    }
    // The cache-less overloads give the same.
    const auto& c = conv_cases()[1];
    const auto in = random_volume<T>(c.in, rng);
    const auto k = random_volume<T>(c.kernel, rng);
    volume<T> out(conv_output_shape(c.in, c.kernel, c.sparsity));
    conv_fft_forward(in, k, c.sparsity, out);
    CHECK(relative_error(out, naive_conv_forward(to_double(in), to_double(k), c.sparsity)) < fft_tolerance<T>());
}

TEMPLATE_TEST_CASE("frequency-domain accumulation: memoised transforms, one inverse per node", "[engine][fft]", float,
                   double)
{
    // Two input maps -> one output map (out = in0 ⊛ k0 + in1 ⊛ k1), and the gradients of both edges,
    // done as the executor will: each image and gradient transformed once, products summed per target.
    using T = TestType;
    std::mt19937_64 rng(9);
    const vec3 s{1, 2, 2}, in_shape{4, 21, 23}, k_shape{2, 3, 3};
    const vec3 out_shape = conv_output_shape(in_shape, k_shape, s);
    const vec3 dilated = dilated_size(k_shape, s);
    const auto in0 = random_volume<T>(in_shape, rng), in1 = random_volume<T>(in_shape, rng);
    const auto k0 = random_volume<T>(k_shape, rng), k1 = random_volume<T>(k_shape, rng);
    const auto g = random_volume<T>(out_shape, rng);

    fft_plan_cache<T> cache;
    const fft_transformer<T> fft(cache, fft_size(in_shape));
    const auto X0 = fft.forward(in0), X1 = fft.forward(in1);
    const auto K0 = fft.forward_dilated_kernel(k0, s), K1 = fft.forward_dilated_kernel(k1, s);

    spectrum<T> acc(fft.real_shape());
    multiply_accumulate(acc, X0, K0);
    multiply_accumulate(acc, X1, K1);
    volume<T> out(out_shape);
    fft.inverse_add(acc, dilated - 1, {1, 1, 1}, out);
    CHECK(relative_error(out, plus(naive_conv_forward(to_double(in0), to_double(k0), s),
                                   naive_conv_forward(to_double(in1), to_double(k1), s))) < fft_tolerance<T>());

    // Backward: one transform of g serves both input gradients and both kernel gradients.
    const auto G = fft.forward(g, dilated - 1);
    spectrum<T> a0(fft.real_shape());
    multiply_accumulate_conj(a0, G, K0);
    volume<T> gi0(in_shape);
    fft.inverse_add(a0, {0, 0, 0}, {1, 1, 1}, gi0);
    CHECK(relative_error(gi0, naive_conv_backward_input(to_double(g), to_double(k0), s, in_shape)) <
          fft_tolerance<T>());

    spectrum<T> b1(fft.real_shape());
    multiply_accumulate_conj(b1, G, X1);  // the memoised image transform of the forward pass
    volume<T> gk1(k_shape);
    fft.inverse_add(b1, {0, 0, 0}, s, gk1);
    CHECK(relative_error(gk1, naive_conv_backward_kernel(to_double(in1), to_double(g), s, k_shape)) <
          fft_tolerance<T>());

    // The products themselves, on one element.
    const auto a = X0.data()[7], b = K0.data()[7];
    spectrum<T> p(fft.real_shape()), q(fft.real_shape());
    multiply_accumulate(p, X0, K0);
    multiply_accumulate_conj(q, X0, K0);
    CHECK(std::abs(p.data()[7] - a * b) <= 1e-5 * std::abs(a * b) + 1e-6);
    CHECK(std::abs(q.data()[7] - a * std::conj(b)) <= 1e-5 * std::abs(a * b) + 1e-6);
    auto r = X0;
    multiply_in_place(r, K0);
    CHECK(std::abs(r.data()[7] - p.data()[7]) <= 1e-6 * std::abs(a * b) + 1e-7);
    r = X0;
    multiply_conj_in_place(r, K0);
    CHECK(std::abs(r.data()[7] - q.data()[7]) <= 1e-6 * std::abs(a * b) + 1e-7);
}

TEST_CASE("FFT convolution gradients match finite differences", "[engine][fft]")
{
    std::mt19937_64 rng(13);
    const vec3 s{1, 2, 3};
    auto in = random_volume<double>({3, 8, 10}, rng);
    auto k = random_volume<double>({2, 2, 3}, rng);
    const vec3 out_shape = conv_output_shape(in.shape(), k.shape(), s);
    const auto w = random_volume<double>(out_shape, rng);
    fft_plan_cache<double> cache;
    // E = Σ w·out + ½ Σ out²
    auto forward = [&](const volume<double>& input, const volume<double>& kernel) {
        volume<double> out(out_shape);
        conv_fft_forward(input, kernel, s, out, cache);
        return out;
    };
    auto loss = [&](const volume<double>& input, const volume<double>& kernel) {
        const auto out = forward(input, kernel);
        double e = 0;
        for (std::size_t i = 0; i < out.size(); ++i) e += w[i] * out[i] + 0.5 * out[i] * out[i];
        return e;
    };
    const auto out = forward(in, k);
    volume<double> g(out_shape);
    for (std::size_t i = 0; i < g.size(); ++i) g[i] = w[i] + out[i];
    volume<double> gi(in.shape()), gk(k.shape());
    conv_fft_backward_input(g, k, s, gi, cache);
    conv_fft_backward_kernel(in, g, s, gk, cache);

    const double h = 1e-5;
    auto central = [&](volume<double>& v, std::size_t i) {
        const double keep = v[i];
        v[i] = keep + h;
        const double ep = loss(in, k);
        v[i] = keep - h;
        const double em = loss(in, k);
        v[i] = keep;
        return (ep - em) / (2 * h);
    };
    for (std::size_t i = 0; i < in.size(); i += 7) CHECK(gi[i] == Approx(central(in, i)).margin(1e-6));
    for (std::size_t i = 0; i < k.size(); ++i) CHECK(gk[i] == Approx(central(k, i)).margin(1e-6));
}

TEST_CASE("one plan cache shared by many threads", "[engine][fft]")
{
    fft_plan_cache<float> cache;
    std::mt19937_64 rng(17);
    const vec3 s{1, 1, 1};
    const std::vector<vec3> shapes = {{1, 30, 30}, {1, 31, 33}, {2, 20, 18}, {1, 64, 64}};
    std::vector<volume<float>> inputs, kernels, expected;
    for (const auto& shape : shapes) {
        inputs.push_back(random_volume<float>(shape, rng));
        kernels.push_back(random_volume<float>({1, 3, 3}, rng));
        volume<float> out(conv_output_shape(shape, {1, 3, 3}, s));
        conv_forward(inputs.back(), kernels.back(), s, out);
        expected.push_back(std::move(out));
    }
    std::vector<double> errors(8, 1.0);
    std::vector<std::thread> threads;
    for (int t = 0; t < 8; ++t)
        threads.emplace_back([&, t] {
            double worst = 0;
            for (int rep = 0; rep < 5; ++rep)
                for (std::size_t i = 0; i < shapes.size(); ++i) {
                    const std::size_t j = (i + t) % shapes.size();
                    volume<float> out(expected[j].shape());
                    conv_fft_forward(inputs[j], kernels[j], s, out, cache);
                    worst = std::max(worst, relative_error(out, expected[j]));
                }
            errors[t] = worst;
        });
    for (auto& th : threads) th.join();
    for (double e : errors) CHECK(e < 1e-4);
    // fft_size: 30->30, 31x33 -> 32x35, 2x20x18 as is, 64x64 as is.
    CHECK(cache.size() == 4);
}

TEST_CASE("measured plans and wisdom files", "[engine][fft]")
{
    fft_plan_cache<double> cache(fft_planning::measure);
    CHECK(cache.planning() == fft_planning::measure);
    std::mt19937_64 rng(19);
    const auto in = random_volume<double>({1, 12, 14}, rng);
    const auto k = random_volume<double>({1, 3, 2}, rng);
    volume<double> out(conv_output_shape(in.shape(), k.shape(), {1, 2, 2}));
    conv_fft_forward(in, k, {1, 2, 2}, out, cache);
    CHECK(relative_error(out, naive_conv_forward(in, k, {1, 2, 2})) < 1e-10);

    const auto path = std::filesystem::temp_directory_path() / ("znn-wisdom-" + std::to_string(::getpid()) + ".txt");
    export_fft_wisdom<double>(path.string());
    CHECK(std::filesystem::file_size(path) > 0);
    CHECK(import_fft_wisdom<double>(path.string()));
    std::filesystem::remove(path);
    CHECK_FALSE(import_fft_wisdom<float>((std::filesystem::temp_directory_path() / "znn-no-such-wisdom").string()));
    CHECK_THROWS_AS(export_fft_wisdom<float>("/nonexistent-dir/wisdom"), runtime_failure);
}

TEST_CASE("fft transformer rejects boxes outside the FFT shape", "[engine][fft]")
{
    fft_plan_cache<float> cache;
    const fft_transformer<float> fft(cache, {1, 8, 8});
    volume<float> img({1, 8, 8});
    CHECK_THROWS_AS(fft.forward(img, {0, 1, 0}), std::invalid_argument);
    volume<float> k({1, 3, 3});
    CHECK_THROWS_AS(fft.forward_dilated_kernel(k, {1, 4, 4}), std::invalid_argument);
    auto s = fft.forward(img);
    volume<float> out({1, 3, 3});
    CHECK_THROWS_AS(fft.inverse_add(s, {0, 0, 0}, {1, 4, 1}, out), std::invalid_argument);
    spectrum<float> other({1, 8, 9});
    CHECK_THROWS_AS(fft.inverse_add(other, {0, 0, 0}, {1, 1, 1}, out), std::invalid_argument);
}
