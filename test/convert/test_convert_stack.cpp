// Stack conversions: bit-exact round trips for every type, checked casts, affinity and 8-bit views.
#include "../common/temp_job.hpp"

#include "znn/convert.hpp"
#include "znn/error.hpp"
#include "znn/image_io.hpp"

#include <catch2/catch.hpp>

#include <cmath>
#include <cstring>
#include <filesystem>
#include <limits>
#include <random>

using namespace znn;

namespace {

const dtype all_types[] = {dtype::uint8,  dtype::int8,  dtype::uint16, dtype::int16,   dtype::uint32,
                           dtype::int32,  dtype::uint64, dtype::int64, dtype::float32, dtype::float64};

// Random bytes: every bit pattern, including NaNs with payloads, -0 and denormals for the floats.
raw_stack random_stack(dtype t, std::int64_t channels, vec3 shape, unsigned seed)
{
    raw_stack s(t, channels, shape);
    std::mt19937 rng(seed);
    for (std::byte& b : s.bytes) b = static_cast<std::byte>(rng() & 0xff);
    return s;
}

template <class T>
raw_stack stack_of(std::initializer_list<T> values)
{
    raw_stack s(dtype_of<T>(), 1, {1, 1, static_cast<std::int64_t>(values.size())});
    std::memcpy(s.bytes.data(), values.begin(), values.size() * sizeof(T));
    return s;
}

template <class T>
std::vector<T> values_of(const raw_stack& s)
{
    return std::vector<T>(s.as<T>(), s.as<T>() + s.element_count());
}

}  // namespace

TEST_CASE("tif <-> h5 conversions are bit-exact for every type", "[convert]")
{
    testing::temp_job dir("convert");
    unsigned seed = 1;
    for (dtype t : all_types) {
        INFO(dtype_name(t));
        const raw_stack one = random_stack(t, 1, {2, 3, 5}, seed++);
        write_stack(dir.path("a.tif"), one);
        convert_stack(dir.path("a.tif"), dir.path("b.h5"));
        convert_stack(dir.path("b.h5"), dir.path("c.tif"));
        convert_stack(dir.path("c.tif"), dir.path("d.h5") + ":/group/data");
        for (const char* name : {"b.h5", "c.tif", "d.h5:/group/data"}) {
            const raw_stack back = read_stack(dir.path(name));
            CHECK(back.type == t);
            CHECK(back.channels == 1);
            CHECK(back.shape == one.shape);
            CHECK(back.bytes == one.bytes);
        }
        // Several channels: h5 to h5.
        const raw_stack four = random_stack(t, 3, {2, 2, 3}, seed++);
        write_stack(dir.path("e.h5"), four);
        convert_stack(dir.path("e.h5"), dir.path("f.hdf5") + ":/x");
        const raw_stack back = read_stack(dir.path("f.hdf5") + ":/x");
        CHECK(back.channels == 3);
        CHECK(back.bytes == four.bytes);
        // A --dtype to the same type is still bit-exact.
        convert_stack(dir.path("e.h5"), dir.path("g.h5"), t);
        CHECK(read_stack(dir.path("g.h5")).bytes == four.bytes);
        CHECK_THROWS_WITH(convert_stack(dir.path("e.h5"), dir.path("h.tif")),
                          dir.path("h.tif") + ": a tif holds one channel, the stack has 3 (write it to an .h5 file)");
        CHECK_FALSE(std::filesystem::exists(dir.path("h.tif")));
    }
}

TEST_CASE("--dtype casts values the new type holds and names the first one it does not", "[convert]")
{
    SECTION("integer to integer")
    {
        const raw_stack ok = cast_stack(stack_of<std::uint16_t>({0, 200, 255}), dtype::uint8, "in.tif");
        CHECK(values_of<std::uint8_t>(ok) == std::vector<std::uint8_t>{0, 200, 255});
        CHECK_THROWS_WITH(cast_stack(stack_of<std::uint16_t>({0, 255, 256, 300}), dtype::uint8, "in.tif"),
                          "in.tif: value 256 at channel 0, z 0, y 0, x 2 is out of range for uint8 (0 to 255, whole "
                          "numbers); --dtype does not round or saturate");
        CHECK_THROWS_WITH(cast_stack(stack_of<std::int16_t>({5, -1}), dtype::uint32, "s.h5"),
                          Catch::StartsWith("s.h5: value -1 at channel 0, z 0, y 0, x 1 is out of range for uint32"));
        const raw_stack wide = cast_stack(stack_of<std::int64_t>({-128, 127}), dtype::int8, "w");
        CHECK(values_of<std::int8_t>(wide) == std::vector<std::int8_t>{-128, 127});
        CHECK_THROWS_AS(cast_stack(stack_of<std::uint64_t>({std::numeric_limits<std::uint64_t>::max()}), dtype::int64, "u"),
                        input_error);
    }
    SECTION("float to integer: whole numbers in range only")
    {
        const raw_stack ok = cast_stack(stack_of<float>({-3.0f, 200.0f, 0.0f}), dtype::int16, "f");
        CHECK(values_of<std::int16_t>(ok) == std::vector<std::int16_t>{-3, 200, 0});
        CHECK_THROWS_WITH(cast_stack(stack_of<float>({1.0f, 1.5f}), dtype::int32, "f"),
                          Catch::StartsWith("f: value 1.5 at channel 0, z 0, y 0, x 1 is not a whole number for int32"));
        CHECK_THROWS_WITH(cast_stack(stack_of<double>({std::nan("")}), dtype::uint8, "f"), Catch::Contains("value nan"));
        CHECK_THROWS_WITH(cast_stack(stack_of<double>({-INFINITY}), dtype::int64, "f"), Catch::Contains("is infinite"));
        // 2^63 does not fit in int64, 2^63 - 1024 (a double) does; 2^64 does not fit in uint64.
        CHECK_THROWS_AS(cast_stack(stack_of<double>({std::ldexp(1.0, 63)}), dtype::int64, "f"), input_error);
        const raw_stack big = cast_stack(stack_of<double>({std::ldexp(1.0, 63) - 1024, -std::ldexp(1.0, 63)}), dtype::int64, "f");
        CHECK(values_of<std::int64_t>(big) ==
              std::vector<std::int64_t>{std::numeric_limits<std::int64_t>::max() - 1023, std::numeric_limits<std::int64_t>::min()});
        CHECK_THROWS_AS(cast_stack(stack_of<double>({std::ldexp(1.0, 64)}), dtype::uint64, "f"), input_error);
        CHECK_THROWS_AS(cast_stack(stack_of<float>({-1.0f}), dtype::uint16, "f"), input_error);
    }
    SECTION("to float")
    {
        const raw_stack f = cast_stack(stack_of<double>({0.1, -2.5, std::nan(""), INFINITY}), dtype::float32, "d");
        const std::vector<float> v = values_of<float>(f);
        CHECK(v[0] == 0.1f);
        CHECK(v[1] == -2.5f);
        CHECK(std::isnan(v[2]));
        CHECK(std::isinf(v[3]));
        CHECK_THROWS_WITH(cast_stack(stack_of<double>({1.0, 1e300}), dtype::float32, "d"),
                          Catch::StartsWith("d: value 1e+300 at channel 0, z 0, y 0, x 1 is out of range for float32"));
        // Integers round to the nearest float.
        const raw_stack r = cast_stack(stack_of<std::int64_t>({16777217, -7}), dtype::float32, "i");
        CHECK(values_of<float>(r) == std::vector<float>{16777216.0f, -7.0f});
    }
    SECTION("the position names channel, z, y, x")
    {
        raw_stack s(dtype::int32, 2, {2, 3, 4});
        s.as<std::int32_t>()[24 + 12 + 4 + 3] = 1000;  // channel 1, z 1, y 1, x 3
        CHECK_THROWS_WITH(cast_stack(s, dtype::int8, "p"), Catch::Contains("at channel 1, z 1, y 1, x 3 "));
    }
    SECTION("through files: the output is not written")
    {
        testing::temp_job dir("convert");
        write_stack(dir.path("in.tif"), stack_of<std::uint16_t>({1, 2, 999}));
        CHECK_THROWS_AS(convert_stack(dir.path("in.tif"), dir.path("out.h5"), dtype::uint8), input_error);
        CHECK_FALSE(std::filesystem::exists(dir.path("out.h5")));
        convert_stack(dir.path("in.tif"), dir.path("out.h5"), dtype::float64);
        CHECK(values_of<double>(read_stack(dir.path("out.h5"))) == std::vector<double>{1, 2, 999});
    }
}

TEST_CASE("--affinity: a segmentation to x, y, z affinities", "[convert]")
{
    testing::temp_job dir("convert");
    // z = 2, y = 2, x = 3:
    //   z0: 1 1 2      z1: 1 1 2
    //       1 0 2          3 0 2
    volume<std::uint32_t> seg({2, 2, 3});
    const std::uint32_t ids[12] = {1, 1, 2, 1, 0, 2, 1, 1, 2, 3, 0, 2};
    std::copy(ids, ids + 12, seg.data());
    write_image(dir.path("seg.tif"), seg);
    convert_affinity(dir.path("seg.tif"), dir.path("aff.h5"));
    const raw_stack aff = read_stack(dir.path("aff.h5"));
    REQUIRE(aff.type == dtype::float32);
    REQUIRE(aff.channels == 3);
    REQUIRE(aff.shape == vec3{2, 2, 3});
    const std::vector<float> v = values_of<float>(aff);
    // By hand: aff_c(v) = 1 when seg(v) == seg(v - e_c) > 0; 0 on the first plane along c.
    const std::vector<float> x = {0, 1, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0};
    const std::vector<float> y = {0, 0, 0, 1, 0, 1, 0, 0, 0, 0, 0, 1};
    const std::vector<float> z = {0, 0, 0, 0, 0, 0, 1, 1, 1, 0, 0, 1};
    CHECK(std::vector<float>(v.begin(), v.begin() + 12) == x);
    CHECK(std::vector<float>(v.begin() + 12, v.begin() + 24) == y);
    CHECK(std::vector<float>(v.begin() + 24, v.end()) == z);

    CHECK_THROWS_WITH(convert_affinity(dir.path("seg.tif"), dir.path("aff.tif")), Catch::Contains("a tif holds one channel"));
    write_stack(dir.path("two.h5"), random_stack(dtype::uint8, 2, {1, 2, 2}, 3));
    CHECK_THROWS_AS(convert_affinity(dir.path("two.h5"), dir.path("aff2.h5")), input_error);
    CHECK_THROWS_WITH(convert_affinity(dir.path("none.tif"), dir.path("aff3.h5")), dir.path("none.tif") + ": no such file");
}

TEST_CASE("--view: 0..1 to 0..255, clamped, one tif per channel", "[convert]")
{
    const float nan = std::numeric_limits<float>::quiet_NaN();
    const raw_stack s = stack_of<float>({-0.5f, 0.0f, 0.5f, 1.0f, 2.0f, nan, 0.2f, 0.999f});
    // round(255 v): 127.5 -> 128, 51 -> 51, 254.745 -> 255.
    CHECK(values_of<std::uint8_t>(view_channel(s, 0)) == std::vector<std::uint8_t>{0, 0, 128, 255, 255, 0, 51, 255});

    CHECK(view_paths("out/v.tif", 1) == std::vector<std::string>{"out/v.tif"});
    CHECK(view_paths("out/v.tif", 2) == std::vector<std::string>{"out/v_0.tif", "out/v_1.tif"});
    CHECK(view_paths("v.tiff", 3) == std::vector<std::string>{"v_0.tiff", "v_1.tiff", "v_2.tiff"});
    CHECK(view_paths("v.h5", 3) == std::vector<std::string>{"v.h5"});

    testing::temp_job dir("convert");
    maps<double> m;
    m.emplace_back(vec3{1, 1, 2}, 0.0);
    m.emplace_back(vec3{1, 1, 2}, 1.0);
    m[0][1] = 0.6;  // 153
    m[1][0] = 0.1;  // 25.5 -> 26
    write_maps(dir.path("out.h5"), m);
    const auto written = convert_view(dir.path("out.h5"), dir.path("view.tif"));
    REQUIRE(written == std::vector<std::string>{dir.path("view_0.tif"), dir.path("view_1.tif")});
    const raw_stack c0 = read_stack(written[0]), c1 = read_stack(written[1]);
    CHECK(c0.type == dtype::uint8);
    CHECK(values_of<std::uint8_t>(c0) == std::vector<std::uint8_t>{0, 153});
    CHECK(values_of<std::uint8_t>(c1) == std::vector<std::uint8_t>{26, 255});
    convert_view(dir.path("out.h5"), dir.path("view.h5"));
    const raw_stack both = read_stack(dir.path("view.h5"));
    CHECK(both.channels == 2);
    CHECK(values_of<std::uint8_t>(both) == std::vector<std::uint8_t>{0, 153, 26, 255});
}
