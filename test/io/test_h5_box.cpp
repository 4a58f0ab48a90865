// Box (hyperslab) access to h5 datasets, checked against whole-volume reads and naive loops.
#include "znn/h5_box.hpp"
#include "znn/image_io.hpp"

#include "temp_folder.hpp"

#include <catch2/catch.hpp>

#include <filesystem>

using namespace znn;
using znn::test::temp_folder;

namespace {
float value_at(std::int64_t c, std::int64_t z, std::int64_t y, std::int64_t x)
{
    return static_cast<float>(c * 100000 + z * 1000 + y * 37 + x) * 0.25f;
}
}  // namespace

TEST_CASE("h5_box_reader reads boxes of 3D and 4D datasets", "[io][h5box]")
{
    temp_folder dir;
    const vec3 shape{5, 140, 150};  // more than one chunk along every axis
    maps<std::int32_t> m(2, volume<std::int32_t>(shape));
    for (std::int64_t c = 0; c < 2; ++c)
        for (std::int64_t z = 0; z < shape.z; ++z)
            for (std::int64_t y = 0; y < shape.y; ++y)
                for (std::int64_t x = 0; x < shape.x; ++x)
                    m[c](z, y, x) = static_cast<std::int32_t>(value_at(c, z, y, x) * 4);
    write_maps(dir.file("four.h5"), m);
    write_image(dir.file("three.h5:/vol"), m[1]);

    const vec3 offset{1, 60, 7}, box{3, 75, 130};
    h5_box_reader four(dir.file("four.h5"));
    CHECK(four.type() == dtype::int32);
    CHECK(four.channels() == 2);
    CHECK(four.shape() == shape);
    const maps<double> got = four.read_maps<double>(offset, box);
    REQUIRE(got.size() == 2);
    const maps<double> whole = read_maps<double>(dir.file("four.h5"));
    for (int c = 0; c < 2; ++c) {
        REQUIRE(got[c].shape() == box);
        const volume<double> expected = crop(whole[c], offset, box);
        for (std::size_t i = 0; i < expected.size(); ++i) REQUIRE(got[c][i] == expected[i]);
    }

    h5_box_reader three(dir.file("three.h5:/vol"));
    CHECK(three.channels() == 1);
    const raw_stack s = three.read_box(offset, box);
    REQUIRE(s.type == dtype::int32);
    REQUIRE(s.shape == box);
    for (std::int64_t z = 0; z < box.z; ++z)
        for (std::int64_t y = 0; y < box.y; ++y)
            for (std::int64_t x = 0; x < box.x; ++x)
                REQUIRE(s.as<std::int32_t>()[(z * box.y + y) * box.x + x] == m[1](z + offset.z, y + offset.y, x + offset.x));

    CHECK_THROWS_AS(three.read_box(vec3{3, 0, 0}, vec3{3, 1, 1}), runtime_failure);
    CHECK_THROWS_AS(three.read_box(vec3{-1, 0, 0}, vec3{1, 1, 1}), runtime_failure);
    CHECK_THROWS_AS(h5_box_reader(dir.file("three.h5")), input_error);  // no /main
    CHECK_THROWS_AS(h5_box_reader(dir.file("three.tif")), input_error);
}

TEST_CASE("h5_box_writer writes a float32 [c,z,y,x] dataset tile by tile", "[io][h5box]")
{
    temp_folder dir;
    const vec3 shape{3, 50, 70};
    const std::int64_t channels = 3;
    const std::string path = dir.file("out.h5");
    {
        h5_box_writer out(path, channels, shape);
        CHECK(out.channels() == channels);
        CHECK(out.shape() == shape);
        // Tiles of 2x20x30, the last ones shorter, as `znn forward` would write them; alternate float/double.
        const vec3 tile{2, 20, 30};
        bool as_double = false;
        for (std::int64_t z = 0; z < shape.z; z += tile.z)
            for (std::int64_t y = 0; y < shape.y; y += tile.y)
                for (std::int64_t x = 0; x < shape.x; x += tile.x) {
                    const vec3 at{z, y, x};
                    const vec3 size = min(tile, shape - at);
                    maps<double> box(channels, volume<double>(size));
                    for (std::int64_t c = 0; c < channels; ++c)
                        for (std::int64_t i = 0; i < size.z; ++i)
                            for (std::int64_t j = 0; j < size.y; ++j)
                                for (std::int64_t k = 0; k < size.x; ++k)
                                    box[c](i, j, k) = value_at(c, z + i, y + j, x + k);
                    if (as_double) {
                        out.write_box(at, box);
                    } else {
                        maps<float> f;
                        for (const auto& v : box) {
                            volume<float> fv(v.shape());
                            std::copy(v.begin(), v.end(), fv.begin());
                            f.push_back(std::move(fv));
                        }
                        out.write_box(at, f);
                    }
                    as_double = !as_double;
                }
        // Nothing at the final path before commit.
        CHECK_FALSE(std::filesystem::exists(path));
        CHECK_THROWS_AS(out.write_box(vec3{2, 0, 0}, maps<float>(channels, volume<float>(vec3{2, 1, 1}))),
                        runtime_failure);
        CHECK_THROWS_AS(out.write_box(vec3{0, 0, 0}, maps<float>(2, volume<float>(vec3{1, 1, 1}))), runtime_failure);
        out.commit();
    }
    CHECK(dir.entries() == 1);
    const raw_stack s = read_stack(path);
    REQUIRE(s.type == dtype::float32);
    REQUIRE(s.channels == channels);
    REQUIRE(s.shape == shape);
    const float* v = s.as<float>();
    for (std::int64_t c = 0; c < channels; ++c)
        for (std::int64_t z = 0; z < shape.z; ++z)
            for (std::int64_t y = 0; y < shape.y; ++y)
                for (std::int64_t x = 0; x < shape.x; ++x)
                    REQUIRE(v[((c * shape.z + z) * shape.y + y) * shape.x + x] == value_at(c, z, y, x));

    // A writer dropped without commit leaves nothing, not even its temporary file.
    {
        h5_box_writer abandoned(dir.file("abandoned.h5"), 1, vec3{1, 2, 2});
        abandoned.write_box(vec3{0, 0, 0}, maps<float>(1, volume<float>(vec3{1, 2, 2}, 1.0f)));
    }
    CHECK(dir.entries() == 1);
    // Unwritten voxels read 0.
    {
        h5_box_writer partial(dir.file("partial.h5:/out/main"), 1, vec3{1, 2, 2});
        partial.write_box(vec3{0, 1, 1}, maps<float>(1, volume<float>(vec3{1, 1, 1}, 5.0f)));
        partial.commit();
    }
    const volume<float> p = read_image<float>(dir.file("partial.h5:/out/main"));
    CHECK(p[0] == 0.0f);
    CHECK(p[3] == 5.0f);
}
