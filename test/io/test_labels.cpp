// Label transforms, masks and rebalance weights on tiny volumes with hand-computed answers.
#include "znn/error.hpp"
#include "znn/labels.hpp"

#include "volume_fixtures.hpp"

#include <catch2/catch.hpp>

using namespace znn;

namespace {
using testing::filled;

template <class T>
void require_values(const volume<T>& v, std::initializer_list<double> expected)
{
    REQUIRE(v.size() == expected.size());
    std::size_t i = 0;
    for (double e : expected) {
        INFO("voxel " << i);
        REQUIRE(v[i++] == Approx(e));
    }
}
}  // namespace

TEST_CASE("one_class, binary_class and none", "[io][labels]")
{
    const auto seg = filled<std::uint64_t>(vec3{1, 2, 3}, {0, 3, 3, 5, 0, 1});
    const maps<float> one = make_labels<float>(seg, label_transform::one_class);
    REQUIRE(one.size() == 1);
    require_values(one[0], {0, 1, 1, 1, 0, 1});

    const maps<double> two = make_labels<double>(seg, label_transform::binary_class);
    REQUIRE(two.size() == 2);
    require_values(two[0], {0, 1, 1, 1, 0, 1});
    require_values(two[1], {1, 0, 0, 0, 1, 0});

    const auto stored = filled<double>(vec3{1, 1, 3}, {0.25, -1, 7});
    const maps<float> none = make_labels<float>(stored, label_transform::none);
    REQUIRE(none.size() == 1);
    require_values(none[0], {0.25, -1, 7});

    CHECK(label_map_count(label_transform::binary_class) == 2);
    CHECK(label_map_count(label_transform::affinity) == 3);
    CHECK(label_map_count(label_transform::none, 4) == 4);
}

TEST_CASE("affinity labels and masks", "[io][labels]")
{
    // z = 0:  1 1 2      z = 1:  1 0 2
    //         0 2 2              1 2 2
    const auto seg = filled<std::uint32_t>(vec3{2, 2, 3}, {1, 1, 2, 0, 2, 2, 1, 0, 2, 1, 2, 2});
    const maps<float> aff = make_labels<float>(seg, label_transform::affinity);
    REQUIRE(aff.size() == 3);
    // x: compare with the left neighbour; x = 0 has none.
    require_values(aff[0], {0, 1, 0, 0, 0, 1, 0, 0, 0, 0, 0, 1});
    // y: compare with the row above; y = 0 has none.
    require_values(aff[1], {0, 0, 0, 0, 0, 1, 0, 0, 0, 1, 0, 1});
    // z: compare with the slice below; z = 0 has none.
    require_values(aff[2], {0, 0, 0, 0, 0, 0, 1, 0, 1, 0, 1, 1});

    // Without a mask file only the first planes drop out.
    const maps<float> plain = make_label_masks<float>(seg.shape(), label_transform::affinity);
    REQUIRE(plain.size() == 3);
    require_values(plain[0], {0, 1, 1, 0, 1, 1, 0, 1, 1, 0, 1, 1});
    require_values(plain[1], {0, 0, 0, 1, 1, 1, 0, 0, 0, 1, 1, 1});
    require_values(plain[2], {0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 1, 1});

    // mask(v) AND mask(v - e_c).
    const auto mask = filled<std::uint8_t>(vec3{2, 2, 3}, {1, 1, 1, 1, 0, 1, 1, 1, 1, 1, 1, 0});
    const maps<double> m = make_label_masks<double>(mask, label_transform::affinity);
    require_values(m[0], {0, 1, 1, 0, 0, 0, 0, 1, 1, 0, 1, 0});
    require_values(m[1], {0, 0, 0, 1, 0, 1, 0, 0, 0, 1, 1, 0});
    require_values(m[2], {0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 0, 0});
}

TEST_CASE("masks of the other transforms repeat the mask per map", "[io][labels]")
{
    const auto mask = filled<float>(vec3{1, 1, 4}, {0, 2, -1, 0.5});
    const maps<float> b = make_label_masks<float>(mask, label_transform::binary_class);
    REQUIRE(b.size() == 2);
    require_values(b[0], {0, 1, 0, 1});
    require_values(b[1], {0, 1, 0, 1});
    CHECK(make_label_masks<float>(mask, label_transform::one_class).size() == 1);
    CHECK(make_label_masks<float>(mask, label_transform::none, 3).size() == 3);
    const maps<float> all = make_label_masks<float>(vec3{1, 1, 2}, label_transform::one_class);
    require_values(all[0], {1, 1});
}

TEST_CASE("rebalance weights", "[io][labels][rebalance]")
{
    // 10 voxels: 3 positive, 7 zero.
    const auto label = filled<float>(vec3{1, 2, 5}, {1, 0, 0, 1, 0, 0, 0, 1, 0, 0});
    const class_counts n = count_classes(label);
    CHECK(n.positive == 3);
    CHECK(n.zero == 7);

    const class_weights patch = rebalance_weights(rebalance_mode::patch, n);
    CHECK(patch.positive == Approx(0.7));  // N_zero / N
    CHECK(patch.zero == Approx(0.3));      // N_pos / N
    const class_weights global = rebalance_weights(rebalance_mode::global, n);
    CHECK(global.positive == Approx(0.5 * 10 / 3));
    CHECK(global.zero == Approx(0.5 * 10 / 7));
    const class_weights none = rebalance_weights(rebalance_mode::none, n);
    CHECK(none.positive == 1);
    CHECK(none.zero == 1);

    const volume<float> w = weight_map(label, patch);
    require_values(w, {0.7, 0.3, 0.3, 0.7, 0.3, 0.3, 0.3, 0.7, 0.3, 0.3});

    // Masked: only voxels 0..5 count -> 2 positive, 4 zero.
    const auto mask = filled<std::uint8_t>(vec3{1, 2, 5}, {1, 1, 1, 1, 1, 1, 0, 0, 0, 0});
    const class_counts masked = count_classes(label, mask);
    CHECK(masked.positive == 2);
    CHECK(masked.zero == 4);
    CHECK(rebalance_weights(rebalance_mode::patch, masked).positive == Approx(4.0 / 6));
    CHECK(rebalance_weights(rebalance_mode::global, masked).zero == Approx(0.5 * 6 / 4));

    // A class absent: both weights 1.
    const class_counts only_zero = count_classes(volume<float>(vec3{1, 1, 4}, 0.0f));
    for (auto mode : {rebalance_mode::patch, rebalance_mode::global}) {
        const class_weights w1 = rebalance_weights(mode, only_zero);
        CHECK(w1.positive == 1);
        CHECK(w1.zero == 1);
    }
    class_counts sum = n;
    sum += masked;
    CHECK(sum.total() == 16);
}

TEST_CASE("label and rebalance names", "[io][labels]")
{
    CHECK(parse_label_transform("affinity") == label_transform::affinity);
    CHECK(parse_label_transform("binary_class") == label_transform::binary_class);
    CHECK(parse_label_transform("one_class") == label_transform::one_class);
    CHECK(parse_label_transform("none") == label_transform::none);
    CHECK_THROWS_AS(parse_label_transform("boundary"), input_error);
    CHECK(parse_rebalance_mode("global") == rebalance_mode::global);
    CHECK(parse_rebalance_mode("patch") == rebalance_mode::patch);
    CHECK_THROWS_AS(parse_rebalance_mode("local"), input_error);
}
