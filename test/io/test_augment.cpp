// Augmentation transforms: hand-checked variants, permutations, inverses.
#include "znn/augment.hpp"

#include <catch2/catch.hpp>

#include <algorithm>
#include <set>
#include <vector>

using namespace znn;

namespace {
volume<int> numbered(vec3 shape)
{
    volume<int> v(shape);
    for (std::size_t i = 0; i < v.size(); ++i) v[i] = static_cast<int>(i);
    return v;
}
}  // namespace

TEST_CASE("single transforms, checked by hand", "[io][augment]")
{
    const volume<int> v = numbered(vec3{2, 2, 3});  // z0: 0 1 2 / 3 4 5   z1: 6 7 8 / 9 10 11
    const volume<int> fx = augment(v, augment_flags{.flip_x = true});
    CHECK(std::vector<int>(fx.begin(), fx.end()) == std::vector<int>{2, 1, 0, 5, 4, 3, 8, 7, 6, 11, 10, 9});
    const volume<int> fy = augment(v, augment_flags{.flip_y = true});
    CHECK(std::vector<int>(fy.begin(), fy.end()) == std::vector<int>{3, 4, 5, 0, 1, 2, 9, 10, 11, 6, 7, 8});
    const volume<int> fz = augment(v, augment_flags{.flip_z = true});
    CHECK(std::vector<int>(fz.begin(), fz.end()) == std::vector<int>{6, 7, 8, 9, 10, 11, 0, 1, 2, 3, 4, 5});
    const volume<int> t = augment(v, augment_flags{.transpose_yx = true});
    REQUIRE(t.shape() == vec3{2, 3, 2});
    CHECK(std::vector<int>(t.begin(), t.end()) == std::vector<int>{0, 3, 1, 4, 2, 5, 6, 9, 7, 10, 8, 11});
    // Flip y, then transpose: out(z, a, b) = v(z, 1 - b, a).
    const volume<int> fyt = augment(v, augment_flags{.flip_y = true, .transpose_yx = true});
    REQUIRE(fyt.shape() == vec3{2, 3, 2});
    for (int z = 0; z < 2; ++z)
        for (int a = 0; a < 3; ++a)
            for (int b = 0; b < 2; ++b) CHECK(fyt(z, a, b) == v(z, 1 - b, a));
}

TEST_CASE("all 16 variants are distinct permutations and invert", "[io][augment]")
{
    const volume<int> v = numbered(vec3{3, 4, 5});
    std::set<std::vector<int>> seen;
    for (unsigned code = 0; code < 16; ++code) {
        INFO("code " << code);
        const augment_flags f = augment_from_code(code);
        CHECK(augment_code(f) == code);
        const volume<int> a = augment(v, f);
        CHECK(a.shape() == augmented_shape(v.shape(), f));
        std::vector<int> values(a.begin(), a.end());
        seen.insert(values);
        std::sort(values.begin(), values.end());
        for (std::size_t i = 0; i < values.size(); ++i) REQUIRE(values[i] == static_cast<int>(i));
        const volume<int> back = unaugment(a, f);
        REQUIRE(back.shape() == v.shape());
        CHECK(std::equal(back.begin(), back.end(), v.begin()));

        const maps<int> m = augment(maps<int>{v, v}, f);
        const maps<int> mb = unaugment(m, f);
        REQUIRE(mb.size() == 2);
        CHECK(std::equal(mb[1].begin(), mb[1].end(), v.begin()));
    }
    CHECK(seen.size() == 16);
}
