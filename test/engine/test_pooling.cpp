// max_filter and max_pool against naive scans (ties included), and their backward against a hand
// example and finite differences.
#include "znn/pooling.hpp"

#include "reference.hpp"

#include <catch2/catch.hpp>

using namespace znn;
using namespace znn::test;

namespace {

// Naive: scan the window in z, y, x order with strict ">", which picks the lowest flat index on ties.
template <class T>
void naive_max(const volume<T>& in, vec3 window, vec3 dilation, vec3 step, vec3 out_shape, volume<T>& out,
               argmax_volume& arg)
{
    out = volume<T>(out_shape);
    arg = argmax_volume(out_shape);
    for (std::int64_t z = 0; z < out_shape.z; ++z)
        for (std::int64_t y = 0; y < out_shape.y; ++y)
            for (std::int64_t x = 0; x < out_shape.x; ++x) {
                bool first = true;
                for (std::int64_t a = 0; a < window.z; ++a)
                    for (std::int64_t b = 0; b < window.y; ++b)
                        for (std::int64_t c = 0; c < window.x; ++c) {
                            const auto i = in.index(z * step.z + a * dilation.z, y * step.y + b * dilation.y,
                                                    x * step.x + c * dilation.x);
                            if (first || in[i] > out(z, y, x)) {
                                out(z, y, x) = in[i];
                                arg(z, y, x) = static_cast<argmax_index>(i);
                                first = false;
                            }
                        }
            }
}

// Small integers so that windows hold many ties.
template <class T>
volume<T> tied_volume(vec3 shape, std::mt19937_64& rng)
{
    std::uniform_int_distribution<int> d(0, 3);
    volume<T> v(shape);
    for (auto& x : v) x = static_cast<T>(d(rng));
    return v;
}

struct filter_case {
    vec3 in, window, sparsity;
};

}  // namespace

TEMPLATE_TEST_CASE("max_filter matches a naive scan, ties to the lowest index", "[engine][pooling]", float, double)
{
    using T = TestType;
    std::mt19937_64 rng(23);
    const std::vector<filter_case> cases = {
        {{1, 20, 33}, {1, 2, 2}, {1, 1, 1}}, {{1, 20, 33}, {1, 2, 2}, {1, 4, 2}}, {{5, 9, 17}, {2, 2, 2}, {1, 1, 1}},
        {{6, 11, 13}, {2, 3, 1}, {2, 1, 3}}, {{3, 7, 8}, {1, 1, 1}, {1, 1, 1}},   {{4, 10, 12}, {3, 1, 4}, {1, 2, 1}},
        // Rows of several vectors and a tail, windows in all three axes.
        {{4, 9, 101}, {2, 2, 3}, {1, 3, 5}}, {{3, 40, 70}, {1, 2, 2}, {1, 16, 16}},
    };
    for (const auto& c : cases) {
        INFO("in " << c.in << " window " << c.window << " sparsity " << c.sparsity);
        const vec3 out_shape = max_filter_output_shape(c.in, c.window, c.sparsity);
        for (const auto& in : {random_volume<T>(c.in, rng), tied_volume<T>(c.in, rng)}) {
            volume<T> out, ref;
            argmax_volume arg, ref_arg;
            max_filter_forward(in, c.window, c.sparsity, out, arg);
            naive_max(in, c.window, c.sparsity, {1, 1, 1}, out_shape, ref, ref_arg);
            REQUIRE(out.shape() == out_shape);
            REQUIRE(arg.shape() == out_shape);
            CHECK(std::equal(out.begin(), out.end(), ref.begin()));
            CHECK(std::equal(arg.begin(), arg.end(), ref_arg.begin()));
            // The values-only form (forward-only networks) gives the same values.
            volume<T> values;
            max_filter_forward(in, c.window, c.sparsity, values);
            REQUIRE(values.shape() == out_shape);
            CHECK(std::equal(values.begin(), values.end(), ref.begin()));
        }
    }
    volume<T> in({1, 4, 4}), out;
    argmax_volume arg;
    CHECK_THROWS_AS(max_filter_forward(in, {1, 3, 3}, {1, 2, 2}, out, arg), std::invalid_argument);
}

TEMPLATE_TEST_CASE("max_pool matches a naive scan", "[engine][pooling]", float, double)
{
    using T = TestType;
    std::mt19937_64 rng(29);
    const std::vector<std::pair<vec3, vec3>> cases = {
        {{1, 20, 32}, {1, 2, 2}}, {{4, 9, 12}, {2, 3, 4}}, {{6, 6, 6}, {3, 1, 2}}, {{2, 5, 7}, {1, 1, 1}},
        {{2, 6, 96}, {2, 3, 1}}};
    for (const auto& [shape, size] : cases) {
        INFO("in " << shape << " size " << size);
        for (const auto& in : {random_volume<T>(shape, rng), tied_volume<T>(shape, rng)}) {
            volume<T> out, ref;
            argmax_volume arg, ref_arg;
            max_pool_forward(in, size, out, arg);
            naive_max(in, size, {1, 1, 1}, size, shape / size, ref, ref_arg);
            REQUIRE(out.shape() == shape / size);
            CHECK(std::equal(out.begin(), out.end(), ref.begin()));
            CHECK(std::equal(arg.begin(), arg.end(), ref_arg.begin()));
            volume<T> values;
            max_pool_forward(in, size, values);
            REQUIRE(values.shape() == shape / size);
            CHECK(std::equal(values.begin(), values.end(), ref.begin()));
        }
    }
    volume<T> in({1, 5, 6}), out;
    argmax_volume arg;
    CHECK_THROWS_AS(max_pool_forward(in, {1, 2, 2}, out, arg), std::invalid_argument);
}

TEST_CASE("max backward scatters to the argmax, by hand", "[engine][pooling]")
{
    // Row 3 1 4 1 5 9 2 6, window 2, sparsity 1: maxima 3 4 4 5 9 9 6 at inputs 0 2 2 4 5 5 7.
    volume<double> in({1, 1, 8});
    const double values[] = {3, 1, 4, 1, 5, 9, 2, 6};
    std::copy(std::begin(values), std::end(values), in.begin());
    volume<double> out;
    argmax_volume arg;
    max_filter_forward(in, {1, 1, 2}, {1, 1, 1}, out, arg);
    const argmax_index expect_arg[] = {0, 2, 2, 4, 5, 5, 7};
    CHECK(std::equal(arg.begin(), arg.end(), std::begin(expect_arg)));
    volume<double> g(out.shape());
    for (std::size_t i = 0; i < g.size(); ++i) g[i] = double(i + 1);  // 1..7
    volume<double> gi(in.shape(), 100.0);  // accumulates
    max_backward(g, arg, gi);
    const double expect[] = {101, 100, 105, 100, 104, 111, 100, 107};
    CHECK(std::equal(gi.begin(), gi.end(), std::begin(expect)));
}

TEST_CASE("max backward matches finite differences", "[engine][pooling]")
{
    std::mt19937_64 rng(31);
    auto in = random_volume<double>({3, 8, 9}, rng);
    const vec3 window{2, 2, 2}, sparsity{1, 2, 1};
    const auto w = random_volume<double>(max_filter_output_shape(in.shape(), window, sparsity), rng);
    auto loss = [&](const volume<double>& input) {
        volume<double> out;
        argmax_volume arg;
        max_filter_forward(input, window, sparsity, out, arg);
        double e = 0;
        for (std::size_t i = 0; i < out.size(); ++i) e += w[i] * out[i];
        return e;
    };
    volume<double> out;
    argmax_volume arg;
    max_filter_forward(in, window, sparsity, out, arg);
    volume<double> gi(in.shape());
    max_backward(w, arg, gi);
    const double h = 1e-7;  // far below the gaps between random values: no maximum changes
    for (std::size_t i = 0; i < in.size(); ++i) {
        const double keep = in[i];
        in[i] = keep + h;
        const double ep = loss(in);
        in[i] = keep - h;
        const double em = loss(in);
        in[i] = keep;
        CHECK(gi[i] == Approx((ep - em) / (2 * h)).margin(1e-6));
    }

    // max_pool too.
    volume<double> pout;
    max_pool_forward(in, {1, 2, 3}, pout, arg);
    volume<double> gp(in.shape()), ones(pout.shape(), 1.0);
    max_backward(ones, arg, gp);
    double total = 0;
    for (std::size_t i = 0; i < gp.size(); ++i) {
        total += gp[i];
        CHECK((gp[i] == 0.0 || gp[i] == 1.0));  // windows do not overlap
    }
    CHECK(total == double(pout.size()));
}
