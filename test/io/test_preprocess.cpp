// Preprocessing on tiny volumes with hand-computed answers.
#include "znn/error.hpp"
#include "znn/preprocess.hpp"

#include "volume_fixtures.hpp"

#include <catch2/catch.hpp>

#include <cmath>

using namespace znn;

namespace {
using testing::filled;
}  // namespace

TEMPLATE_TEST_CASE("standard2D normalises each slice with the population std", "[io][preprocess]", float, double)
{
    // Slice 0: 1 2 3 4 -> mean 2.5, population variance 1.25.  Slice 1: constant 7 -> zeros.
    // Slice 2: 0 0 0 10 -> mean 2.5, variance (3 * 6.25 + 56.25) / 4 = 18.75.
    volume<TestType> v = filled<TestType>(vec3{3, 2, 2}, {1, 2, 3, 4, 7, 7, 7, 7, 0, 0, 0, 10});
    preprocess(v, preprocess_type::standard2D);
    const double s0 = std::sqrt(1.25), s2 = std::sqrt(18.75);
    const double expected[] = {-1.5 / s0, -0.5 / s0, 0.5 / s0, 1.5 / s0, 0, 0, 0, 0, -2.5 / s2, -2.5 / s2, -2.5 / s2, 7.5 / s2};
    for (int i = 0; i < 12; ++i) CHECK(v[i] == Approx(expected[i]).margin(1e-6));
    for (TestType x : v) CHECK_FALSE(std::isnan(x));
}

TEMPLATE_TEST_CASE("standard3D normalises the whole volume", "[io][preprocess]", float, double)
{
    // 2 4 4 4 5 5 7 9: mean 5, population std 2 (the textbook example).
    volume<TestType> v = filled<TestType>(vec3{2, 2, 2}, {2, 4, 4, 4, 5, 5, 7, 9});
    preprocess(v, preprocess_type::standard3D);
    const double expected[] = {-1.5, -0.5, -0.5, -0.5, 0, 0, 1, 2};
    for (int i = 0; i < 8; ++i) CHECK(v[i] == Approx(expected[i]).margin(1e-6));

    // A constant volume (with a value that does not sum exactly in binary) becomes zeros, not NaN.
    volume<TestType> c(vec3{3, 3, 3}, static_cast<TestType>(0.1));
    preprocess(c, preprocess_type::standard3D);
    for (TestType x : c) CHECK(x == 0);
}

TEMPLATE_TEST_CASE("symetric_rescale maps [min, max] to [-1, 1]", "[io][preprocess]", float, double)
{
    volume<TestType> v = filled<TestType>(vec3{1, 1, 5}, {10, 20, 15, 30, 50});
    preprocess(v, preprocess_type::symetric_rescale);
    const double expected[] = {-1, -0.5, -0.75, 0, 1};
    for (int i = 0; i < 5; ++i) CHECK(v[i] == Approx(expected[i]).margin(1e-7));

    volume<TestType> c(vec3{1, 2, 2}, 3);
    preprocess(c, preprocess_type::symetric_rescale);
    for (TestType x : c) CHECK(x == 0);

    volume<TestType> n = filled<TestType>(vec3{1, 1, 3}, {1, -2, 5});
    preprocess(n, preprocess_type::none);
    CHECK(n[0] == 1);
    CHECK(n[1] == -2);
    CHECK(n[2] == 5);
}

TEST_CASE("preprocessing names", "[io][preprocess]")
{
    CHECK(parse_preprocess("standard2D") == preprocess_type::standard2D);
    CHECK(parse_preprocess("standard3D") == preprocess_type::standard3D);
    CHECK(parse_preprocess("symetric_rescale") == preprocess_type::symetric_rescale);
    CHECK(parse_preprocess("symmetric_rescale") == preprocess_type::symetric_rescale);
    CHECK(parse_preprocess("none") == preprocess_type::none);
    CHECK_THROWS_AS(parse_preprocess("standard4D"), input_error);
    CHECK(std::string(preprocess_name(preprocess_type::standard2D)) == "standard2D");
}
