// The report of an image stack (`znn inspect STACK`).
#include "../common/temp_job.hpp"

#include "znn/image_io.hpp"
#include "znn/report.hpp"

#include <catch2/catch.hpp>

#include <cmath>
#include <sstream>

using namespace znn;

TEST_CASE("a tif stack: shape, channels, dtype, range", "[report]")
{
    testing::temp_job dir("report");
    volume<std::uint16_t> v({2, 3, 4}, 7);
    v(0, 0, 0) = 3;
    v(1, 2, 3) = 900;
    write_image(dir.path("tiny.tif"), v);
    std::ostringstream out;
    inspect_file(dir.path("tiny.tif"), {}, out);
    CHECK(out.str() ==
          "image stack: " + dir.path("tiny.tif") + "\n"
          "format: tif\n"
          "shape (z,y,x): 2x3x4\n"
          "channels: 1\n"
          "dtype: uint16\n"
          "value range: 3 .. 900\n"
          "NaN count: 0\n");
}

TEST_CASE("an h5 stack with channels and NaNs", "[report]")
{
    testing::temp_job dir("report");
    maps<float> m;
    m.emplace_back(vec3{1, 2, 2}, 0.25f);
    m.emplace_back(vec3{1, 2, 2}, -1.5f);
    m[1](0, 1, 1) = std::nanf("");
    m[0](0, 0, 1) = std::nanf("");
    write_maps(dir.path("out.h5") + ":/pred", m);
    std::ostringstream out;
    describe_stack(dir.path("out.h5") + ":/pred", out);
    const std::string text = out.str();
    CHECK(text.find("format: hdf5, dataset /pred\n") != std::string::npos);
    CHECK(text.find("shape (z,y,x): 1x2x2\n") != std::string::npos);
    CHECK(text.find("channels: 2\n") != std::string::npos);
    CHECK(text.find("dtype: float32\n") != std::string::npos);
    CHECK(text.find("value range: -1.5 .. 0.25\n") != std::string::npos);
    CHECK(text.find("NaN count: 2\n") != std::string::npos);
}
