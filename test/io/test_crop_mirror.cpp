// is_auto_crop and is_bd_mirror helpers against hand-made examples.
#include "znn/crop_mirror.hpp"

#include "volume_fixtures.hpp"

#include <catch2/catch.hpp>

using namespace znn;

namespace {
using testing::filled;

template <class T>
void require_values(const volume<T>& v, vec3 shape, std::initializer_list<double> expected)
{
    REQUIRE(v.shape() == shape);
    std::size_t i = 0;
    for (double e : expected) {
        INFO("voxel " << i);
        REQUIRE(v[i++] == e);
    }
}
}  // namespace

TEST_CASE("mirror_pad pads (fov-1)//2 below and fov//2 above by symmetric reflection", "[io][mirror]")
{
    const auto row = filled<float>(vec3{1, 1, 3}, {1, 2, 3});
    // fov 4: 1 below, 2 above.
    require_values(mirror_pad(row, vec3{1, 1, 4}), vec3{1, 1, 6}, {1, 1, 2, 3, 3, 2});
    // fov 8 is wider than the volume: the reflection keeps going (numpy's "symmetric").
    require_values(mirror_pad(row, vec3{1, 1, 8}), vec3{1, 1, 10}, {3, 2, 1, 1, 2, 3, 3, 2, 1, 1});
    // fov 1: nothing.
    require_values(mirror_pad(row, vec3{1, 1, 1}), vec3{1, 1, 3}, {1, 2, 3});

    // 2D: fov 3x3 pads one on every side; z with fov 2 pads one above.
    const auto square = filled<int>(vec3{1, 2, 2}, {1, 2, 3, 4});
    require_values(mirror_pad(square, vec3{1, 3, 3}), vec3{1, 4, 4}, {1, 1, 2, 2, 1, 1, 2, 2, 3, 3, 4, 4, 3, 3, 4, 4});
    const auto stack = filled<int>(vec3{2, 1, 1}, {5, 6});
    require_values(mirror_pad(stack, vec3{2, 1, 1}), vec3{3, 1, 1}, {5, 6, 6});
    require_values(mirror_pad(stack, vec3{3, 1, 1}), vec3{4, 1, 1}, {5, 5, 6, 6});

    CHECK(mirror_pad_below(vec3{1, 95, 95}) == vec3{0, 47, 47});
    CHECK(mirror_pad_above(vec3{1, 95, 95}) == vec3{0, 47, 47});
    CHECK(mirror_pad_below(vec3{5, 84, 84}) == vec3{2, 41, 41});
    CHECK(mirror_pad_above(vec3{5, 84, 84}) == vec3{2, 42, 42});
    CHECK_THROWS(mirror_pad(row, vec3{0, 1, 1}));
}

TEST_CASE("auto crop centres the smaller stack in the larger", "[io][crop]")
{
    CHECK(auto_crop_shape(vec3{10, 100, 80}, vec3{12, 60, 90}) == vec3{10, 60, 80});
    CHECK(center_offset(vec3{1, 5, 5}, vec3{1, 2, 2}) == vec3{0, 1, 1});
    CHECK(center_offset(vec3{4, 6, 7}, vec3{1, 3, 4}) == vec3{1, 1, 1});

    // 1x4x5 with value 10*y + x.
    volume<int> v(vec3{1, 4, 5});
    for (int y = 0; y < 4; ++y)
        for (int x = 0; x < 5; ++x) v(0, y, x) = 10 * y + x;
    require_values(center_crop(v, vec3{1, 2, 2}), vec3{1, 2, 2}, {11, 12, 21, 22});
    require_values(center_crop(v, vec3{1, 2, 3}), vec3{1, 2, 3}, {11, 12, 13, 21, 22, 23});
    CHECK(center_crop(v, v.shape())(0, 3, 4) == 34);
    CHECK_THROWS(center_crop(v, vec3{1, 5, 1}));
}
