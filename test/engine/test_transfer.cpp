// Transfer functions: values by hand, derivatives (expressed through y) against finite differences of
// f(x + bias), the bias gradient, and argument handling.
#include "znn/transfer.hpp"

#include "reference.hpp"

#include <catch2/catch.hpp>

#include <cmath>

using namespace znn;
using namespace znn::test;

namespace {

double apply_one(const transfer_function& f, double x)
{
    double v[1] = {x};
    transfer_forward<double>(f, 0.0, std::span<double>(v));
    return v[0];
}

}  // namespace

TEST_CASE("transfer functions by hand", "[engine][transfer]")
{
    CHECK(apply_one(make_transfer_function("linear"), 2.5) == 2.5);
    CHECK(apply_one(make_transfer_function("linear", {2, -1}), 3) == 5);
    CHECK(apply_one(make_transfer_function("linear", {3}), 2) == 6);
    CHECK(apply_one(make_transfer_function("tanh"), 0.5) == Approx(std::tanh(0.5)));
    CHECK(apply_one(make_transfer_function("tanh", {1.7159, 2.0 / 3}), 1.0) == Approx(1.7159 * std::tanh(2.0 / 3)));
    CHECK(apply_one(make_transfer_function("rectify_linear"), -2) == 0);
    CHECK(apply_one(make_transfer_function("rectify_linear"), 2) == 2);
    CHECK(apply_one(make_transfer_function("soft_sign"), 3) == Approx(0.75));
    CHECK(apply_one(make_transfer_function("soft_sign"), -1) == Approx(-0.5));
    CHECK(apply_one(make_transfer_function("logistics"), 0) == Approx(0.5));
    CHECK(apply_one(make_transfer_function("logistics"), std::log(3.0)) == Approx(0.75));
    CHECK(apply_one(make_transfer_function("forward_logistics"), std::log(3.0)) == Approx(0.75));
    CHECK(apply_one(make_transfer_function("logistics"), -1000) == 0);
    CHECK(make_transfer_function("forward_logistic").kind == transfer_kind::forward_logistics);

    // The bias is added before the function.
    volume<float> m({1, 1, 2});
    m[0] = -1;
    m[1] = 0.5f;
    transfer_forward(make_transfer_function("rectify_linear"), 0.75f, m);
    CHECK(m[0] == 0.0f);
    CHECK(m[1] == 1.25f);

    CHECK_THROWS_AS(make_transfer_function("sigmoid"), std::invalid_argument);
    CHECK_THROWS_AS(make_transfer_function("rectify_linear", {1}), std::invalid_argument);
    CHECK_THROWS_AS(make_transfer_function("tanh", {1, 2, 3}), std::invalid_argument);
    for (auto k : {transfer_kind::linear, transfer_kind::tanh, transfer_kind::rectify_linear, transfer_kind::soft_sign,
                   transfer_kind::logistics, transfer_kind::forward_logistics})
        CHECK(make_transfer_function(transfer_name(k)).kind == k);
}

TEMPLATE_TEST_CASE("transfer derivatives match finite differences", "[engine][transfer]", float, double)
{
    using T = TestType;
    std::mt19937_64 rng(37);
    const std::vector<std::pair<std::string, std::vector<double>>> functions = {
        {"linear", {}},        {"linear", {-1.5, 0.25}}, {"tanh", {}},      {"tanh", {1.7159, 0.6666}},
        {"rectify_linear", {}}, {"soft_sign", {}},        {"logistics", {}}, {"forward_logistics", {}}};
    const double bias = 0.3;
    for (const auto& [name, args] : functions) {
        INFO(name);
        const auto f = make_transfer_function(name, args);
        auto x = random_volume<T>({2, 5, 7}, rng, -3, 3);
        for (auto& v : x)
            if (std::abs(double(v) + bias) < 0.01) v = T(1);  // keep away from relu's kink
        const auto w = random_volume<T>(x.shape(), rng);  // dE/dy

        auto y = x;
        transfer_forward(f, T(bias), y);
        auto grad = w;
        const T bias_grad = transfer_backward(f, y, grad);

        double sum = 0;
        for (std::size_t i = 0; i < x.size(); ++i) {
            double expect;
            if (f.kind == transfer_kind::forward_logistics) {
                expect = double(w[i]);  // passed through unchanged
            } else {
                const double h = 1e-6, xi = double(x[i]);
                const double d = (apply_one(f, xi + bias + h) - apply_one(f, xi + bias - h)) / (2 * h);
                expect = d * double(w[i]);
            }
            CHECK(double(grad[i]) == Approx(expect).margin(sizeof(T) == 4 ? 2e-5 : 1e-8));
            sum += double(grad[i]);
        }
        CHECK(double(bias_grad) == Approx(sum).margin(1e-4));
    }
}
