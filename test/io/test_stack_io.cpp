// Stack files: bit-exact round trips of every dtype through tif and h5, files written independently with
// libtiff / the HDF5 C API read back, the h5 path syntax, conversions, stack_info and error reports.
#include "znn/image_io.hpp"

#include "temp_folder.hpp"

#include <catch2/catch.hpp>
#include <fcntl.h>
#include <hdf5.h>
#include <tiffio.h>
#include <unistd.h>

#include <cmath>
#include <cstring>
#include <fstream>
#include <limits>

using namespace znn;
using znn::test::temp_folder;

namespace {

const dtype all_dtypes[] = {dtype::uint8,  dtype::int8,  dtype::uint16, dtype::int16,   dtype::uint32,
                            dtype::int32,  dtype::uint64, dtype::int64, dtype::float32, dtype::float64};

// Every byte pseudo-random: all bit patterns (for floats also NaNs with payloads, infinities,
// denormals, -0) must survive a round trip.
raw_stack random_stack(dtype t, std::int64_t channels, vec3 shape, std::uint64_t seed)
{
    raw_stack s(t, channels, shape);
    std::uint64_t state = seed * 6364136223846793005ULL + 1442695040888963407ULL;
    for (std::byte& b : s.bytes) {
        state = state * 6364136223846793005ULL + 1442695040888963407ULL;
        b = static_cast<std::byte>(state >> 56);
    }
    return s;
}

void require_same(const raw_stack& a, const raw_stack& b)
{
    REQUIRE(a.type == b.type);
    REQUIRE(a.channels == b.channels);
    REQUIRE(a.shape == b.shape);
    REQUIRE(a.bytes.size() == b.bytes.size());
    REQUIRE(std::memcmp(a.bytes.data(), b.bytes.data(), a.bytes.size()) == 0);
}

// Captures what is written to file descriptor 2 while `f` runs.
template <class F>
std::string stderr_of(const temp_folder& folder, F&& f)
{
    const std::string capture = folder.file("stderr.txt");
    std::fflush(stderr);
    const int saved = dup(2);
    const int fd = open(capture.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
    dup2(fd, 2);
    close(fd);
    try {
        f();
    } catch (...) {
        std::fflush(stderr);
        dup2(saved, 2);
        close(saved);
        throw;
    }
    std::fflush(stderr);
    dup2(saved, 2);
    close(saved);
    std::ifstream in(capture);
    std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    std::filesystem::remove(capture);
    return text;
}

template <class F>
std::string input_error_of(F&& f)
{
    try {
        f();
    } catch (const input_error& e) {
        return e.what();
    }
    FAIL("no input_error thrown");
    return {};
}

}  // namespace

TEST_CASE("every dtype round-trips bit-exactly through tif and h5", "[io][stack]")
{
    temp_folder dir;
    for (dtype t : all_dtypes) {
        INFO(dtype_name(t));
        // 70 rows of 33 voxels: several strips per page for every type, the last one partial.
        const raw_stack original = random_stack(t, 1, vec3{3, 70, 33}, static_cast<std::uint64_t>(t) + 1);

        write_stack(dir.file("a.tif"), original);
        const raw_stack from_tif = read_stack(dir.file("a.tif"));
        require_same(original, from_tif);

        write_stack(dir.file("a.h5"), from_tif);
        const raw_stack from_h5 = read_stack(dir.file("a.h5"));
        require_same(original, from_h5);

        write_stack(dir.file("b.tiff"), from_h5, write_options{.gzip_level = 4, .tif_deflate = true});
        require_same(original, read_stack(dir.file("b.tiff")));

        write_stack(dir.file("b.hdf5:/some/group/data"), original, write_options{.gzip_level = 0});
        require_same(original, read_stack(dir.file("b.hdf5:/some/group/data")));
    }
    // No temporary files are left behind.
    CHECK(dir.entries() == 4);
}

TEST_CASE("multi-channel stacks round-trip through h5 as [c,z,y,x]", "[io][stack]")
{
    temp_folder dir;
    for (dtype t : all_dtypes) {
        INFO(dtype_name(t));
        const raw_stack original = random_stack(t, 3, vec3{2, 9, 130}, 100 + static_cast<std::uint64_t>(t));
        write_stack(dir.file("m.h5"), original);
        require_same(original, read_stack(dir.file("m.h5")));
    }
    // One channel written as 4D reads back the same.
    const raw_stack one = random_stack(dtype::float32, 1, vec3{2, 3, 4}, 7);
    write_stack(dir.file("one.h5"), one, write_options{.h5_4d = true});
    require_same(one, read_stack(dir.file("one.h5")));
    CHECK_THROWS_AS(write_stack(dir.file("m.tif"), random_stack(dtype::uint8, 2, vec3{1, 2, 2}, 1)), runtime_failure);
}

TEST_CASE("conversions: read_image, read_maps, read_labels, read_mask", "[io][stack]")
{
    temp_folder dir;
    volume<std::int16_t> v(vec3{1, 2, 3});
    const std::int16_t values[] = {-5, 0, 3, 7, -1, 32767};
    std::copy(std::begin(values), std::end(values), v.begin());
    write_image(dir.file("v.tif"), v);

    const volume<float> f = read_image<float>(dir.file("v.tif"));
    REQUIRE(f.shape() == vec3{1, 2, 3});
    for (int i = 0; i < 6; ++i) CHECK(f[i] == static_cast<float>(values[i]));

    const volume<std::uint8_t> mask = read_mask(dir.file("v.tif"));
    const std::uint8_t expected_mask[] = {0, 0, 1, 1, 0, 1};
    for (int i = 0; i < 6; ++i) CHECK(mask[i] == expected_mask[i]);

    volume<double> lf(vec3{1, 1, 4});
    lf[0] = 0, lf[1] = 3, lf[2] = 12345678.0, lf[3] = -2;
    write_image(dir.file("lf.h5"), lf);
    const volume<std::uint64_t> ids = read_labels(dir.file("lf.h5"));
    CHECK(ids[0] == 0);
    CHECK(ids[1] == 3);
    CHECK(ids[2] == 12345678);
    CHECK(ids[3] == 0);

    maps<double> two{volume<double>(vec3{1, 2, 2}, 1.5), volume<double>(vec3{1, 2, 2}, -2.5)};
    write_maps(dir.file("two.h5"), two);
    const maps<float> back = read_maps<float>(dir.file("two.h5"));
    REQUIRE(back.size() == 2);
    CHECK(back[0](0, 1, 1) == 1.5f);
    CHECK(back[1](0, 0, 1) == -2.5f);
    const std::string msg = input_error_of([&] { (void)read_image<float>(dir.file("two.h5")); });
    CHECK_THAT(msg, Catch::Contains("two.h5") && Catch::Contains("2 channels"));
}

TEST_CASE("RGB and RGBA tifs read as R*65536 + G*256 + B", "[io][tif]")
{
    temp_folder dir;
    const std::uint32_t w = 3, h = 2;
    for (const bool separate : {false, true}) {
        INFO((separate ? "planar separate" : "contiguous"));
        const std::string path = dir.file(separate ? "rgb_sep.tif" : "rgb.tif");
        TIFF* t = TIFFOpen(path.c_str(), "w");
        REQUIRE(t);
        for (int page = 0; page < 2; ++page) {
            const std::uint16_t spp = page == 0 ? 3 : 4;  // page 1 has alpha
            TIFFSetField(t, TIFFTAG_IMAGEWIDTH, w);
            TIFFSetField(t, TIFFTAG_IMAGELENGTH, h);
            TIFFSetField(t, TIFFTAG_BITSPERSAMPLE, 8);
            TIFFSetField(t, TIFFTAG_SAMPLESPERPIXEL, spp);
            if (spp == 4) {
                const std::uint16_t extra[] = {EXTRASAMPLE_UNASSALPHA};
                TIFFSetField(t, TIFFTAG_EXTRASAMPLES, 1, extra);
            }
            TIFFSetField(t, TIFFTAG_PHOTOMETRIC, PHOTOMETRIC_RGB);
            TIFFSetField(t, TIFFTAG_PLANARCONFIG, separate ? PLANARCONFIG_SEPARATE : PLANARCONFIG_CONTIG);
            TIFFSetField(t, TIFFTAG_ROWSPERSTRIP, 1);
            for (std::uint32_t y = 0; y < h; ++y) {
                std::uint8_t row[4 * w];
                if (separate) {
                    for (std::uint16_t s = 0; s < spp; ++s) {
                        for (std::uint32_t x = 0; x < w; ++x) row[x] = static_cast<std::uint8_t>(10 * s + x + 100 * y + page);
                        REQUIRE(TIFFWriteScanline(t, row, y, s) == 1);
                    }
                } else {
                    for (std::uint32_t x = 0; x < w; ++x)
                        for (std::uint16_t s = 0; s < spp; ++s)
                            row[x * spp + s] = static_cast<std::uint8_t>(10 * s + x + 100 * y + page);
                    REQUIRE(TIFFWriteScanline(t, row, y, 0) == 1);
                }
            }
            TIFFWriteDirectory(t);
        }
        TIFFClose(t);

        const raw_stack s = read_stack(path);
        REQUIRE(s.type == dtype::uint32);
        REQUIRE(s.shape == vec3{2, h, w});
        const volume<std::uint64_t> ids = read_labels(path);
        for (int z = 0; z < 2; ++z)
            for (std::uint32_t y = 0; y < h; ++y)
                for (std::uint32_t x = 0; x < w; ++x) {
                    const std::uint64_t r = x + 100 * y + z, g = 10 + r, b = 20 + r;
                    CHECK(ids(z, y, x) == r * 65536 + g * 256 + b);
                }
    }
}

TEST_CASE("tiled, 1-bit and libtiff-written grayscale tifs", "[io][tif]")
{
    temp_folder dir;
    SECTION("a tiled 16-bit page with partial tiles")
    {
        const std::string path = dir.file("tiled.tif");
        const std::uint32_t w = 40, h = 20, tile = 16;
        TIFF* t = TIFFOpen(path.c_str(), "w");
        REQUIRE(t);
        TIFFSetField(t, TIFFTAG_IMAGEWIDTH, w);
        TIFFSetField(t, TIFFTAG_IMAGELENGTH, h);
        TIFFSetField(t, TIFFTAG_BITSPERSAMPLE, 16);
        TIFFSetField(t, TIFFTAG_SAMPLESPERPIXEL, 1);
        TIFFSetField(t, TIFFTAG_PHOTOMETRIC, PHOTOMETRIC_MINISBLACK);
        TIFFSetField(t, TIFFTAG_TILEWIDTH, tile);
        TIFFSetField(t, TIFFTAG_TILELENGTH, tile);
        TIFFSetField(t, TIFFTAG_COMPRESSION, COMPRESSION_LZW);
        std::vector<std::uint16_t> buffer(tile * tile);
        for (std::uint32_t y0 = 0; y0 < h; y0 += tile)
            for (std::uint32_t x0 = 0; x0 < w; x0 += tile) {
                for (std::uint32_t r = 0; r < tile; ++r)
                    for (std::uint32_t c = 0; c < tile; ++c)
                        buffer[r * tile + c] = static_cast<std::uint16_t>(1000 * (y0 + r) + x0 + c);
                REQUIRE(TIFFWriteTile(t, buffer.data(), x0, y0, 0, 0) >= 0);
            }
        TIFFClose(t);
        const volume<double> v = read_image<double>(path);
        REQUIRE(v.shape() == vec3{1, h, w});
        for (std::uint32_t y = 0; y < h; ++y)
            for (std::uint32_t x = 0; x < w; ++x) REQUIRE(v(0, y, x) == 1000.0 * y + x);
    }
    SECTION("1-bit pages read as 0/1, white is on")
    {
        const std::string path = dir.file("bits.tif");
        TIFF* t = TIFFOpen(path.c_str(), "w");
        REQUIRE(t);
        for (const auto photometric : {PHOTOMETRIC_MINISBLACK, PHOTOMETRIC_MINISWHITE}) {
            TIFFSetField(t, TIFFTAG_IMAGEWIDTH, 10);
            TIFFSetField(t, TIFFTAG_IMAGELENGTH, 2);
            TIFFSetField(t, TIFFTAG_BITSPERSAMPLE, 1);
            TIFFSetField(t, TIFFTAG_SAMPLESPERPIXEL, 1);
            TIFFSetField(t, TIFFTAG_PHOTOMETRIC, photometric);
            std::uint8_t row0[2] = {0b10110000, 0b01000000};  // x = 0, 2, 3, 9 set
            std::uint8_t row1[2] = {0b00000001, 0b10000000};  // x = 7, 8 set
            TIFFWriteScanline(t, row0, 0, 0);
            TIFFWriteScanline(t, row1, 1, 0);
            TIFFWriteDirectory(t);
        }
        TIFFClose(t);
        const volume<std::uint8_t> m = read_mask(path);
        REQUIRE(m.shape() == vec3{2, 2, 10});
        const int set0[] = {1, 0, 1, 1, 0, 0, 0, 0, 0, 1};
        const int set1[] = {0, 0, 0, 0, 0, 0, 0, 1, 1, 0};
        for (int x = 0; x < 10; ++x) {
            CHECK(m(0, 0, x) == set0[x]);
            CHECK(m(0, 1, x) == set1[x]);
            CHECK(m(1, 0, x) == 1 - set0[x]);  // min-is-white: a 0 bit is white
            CHECK(m(1, 1, x) == 1 - set1[x]);
        }
    }
    SECTION("unsupported formats and mismatched pages are input errors")
    {
        const std::string path = dir.file("rgb16.tif");
        TIFF* t = TIFFOpen(path.c_str(), "w");
        REQUIRE(t);
        TIFFSetField(t, TIFFTAG_IMAGEWIDTH, 2);
        TIFFSetField(t, TIFFTAG_IMAGELENGTH, 1);
        TIFFSetField(t, TIFFTAG_BITSPERSAMPLE, 16);
        TIFFSetField(t, TIFFTAG_SAMPLESPERPIXEL, 3);
        TIFFSetField(t, TIFFTAG_PHOTOMETRIC, PHOTOMETRIC_RGB);
        TIFFSetField(t, TIFFTAG_PLANARCONFIG, PLANARCONFIG_CONTIG);
        std::uint16_t row[6] = {};
        TIFFWriteScanline(t, row, 0, 0);
        TIFFClose(t);
        const std::string msg = input_error_of([&] { (void)read_stack(path); });
        CHECK_THAT(msg, Catch::Contains("rgb16.tif") && Catch::Contains("unsupported tif sample format"));

        const std::string mixed = dir.file("mixed.tif");
        t = TIFFOpen(mixed.c_str(), "w");
        REQUIRE(t);
        for (std::uint32_t width : {4u, 5u}) {
            TIFFSetField(t, TIFFTAG_IMAGEWIDTH, width);
            TIFFSetField(t, TIFFTAG_IMAGELENGTH, 1);
            TIFFSetField(t, TIFFTAG_BITSPERSAMPLE, 8);
            TIFFSetField(t, TIFFTAG_SAMPLESPERPIXEL, 1);
            TIFFSetField(t, TIFFTAG_PHOTOMETRIC, PHOTOMETRIC_MINISBLACK);
            std::uint8_t r[5] = {};
            TIFFWriteScanline(t, r, 0, 0);
            TIFFWriteDirectory(t);
        }
        TIFFClose(t);
        CHECK_THAT(input_error_of([&] { (void)read_stack(mixed); }), Catch::Contains("page 1"));
    }
}

TEST_CASE("h5 files written with the HDF5 C API; dataset path syntax", "[io][h5]")
{
    temp_folder dir;
    const std::string path = dir.file("raw.h5");
    {
        const hid_t file = H5Fcreate(path.c_str(), H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT);
        const hid_t group = H5Gcreate2(file, "/g", H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
        // [2, 2, 3, 4] int16, stored big-endian to exercise conversion to native order.
        const hsize_t dims4[4] = {2, 2, 3, 4};
        std::vector<std::int16_t> values(48);
        for (int i = 0; i < 48; ++i) values[i] = static_cast<std::int16_t>(i * 101 - 2000);
        hid_t space = H5Screate_simple(4, dims4, nullptr);
        hid_t ds = H5Dcreate2(group, "data", H5T_STD_I16BE, space, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
        H5Dwrite(ds, H5T_NATIVE_INT16, H5S_ALL, H5S_ALL, H5P_DEFAULT, values.data());
        H5Dclose(ds);
        H5Sclose(space);
        // A 2D [3, 4] float64 dataset.
        const hsize_t dims2[2] = {3, 4};
        std::vector<double> plane(12);
        for (int i = 0; i < 12; ++i) plane[i] = i * 0.5;
        space = H5Screate_simple(2, dims2, nullptr);
        ds = H5Dcreate2(file, "flat", H5T_IEEE_F64LE, space, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
        H5Dwrite(ds, H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT, plane.data());
        H5Dclose(ds);
        H5Sclose(space);
        // A numpy-style bool (enum over int8) [1, 1, 3].
        const hid_t boolean = H5Tenum_create(H5T_NATIVE_INT8);
        std::int8_t f = 0, t = 1;
        H5Tenum_insert(boolean, "FALSE", &f);
        H5Tenum_insert(boolean, "TRUE", &t);
        const hsize_t dims3[3] = {1, 1, 3};
        const std::int8_t flags[3] = {1, 0, 1};
        space = H5Screate_simple(3, dims3, nullptr);
        ds = H5Dcreate2(file, "mask", boolean, space, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
        H5Dwrite(ds, boolean, H5S_ALL, H5S_ALL, H5P_DEFAULT, flags);
        H5Dclose(ds);
        H5Sclose(space);
        H5Tclose(boolean);
        H5Gclose(group);
        H5Fclose(file);

        const raw_stack s = read_stack(path + ":/g/data");
        REQUIRE(s.type == dtype::int16);
        REQUIRE(s.channels == 2);
        REQUIRE(s.shape == vec3{2, 3, 4});
        for (int i = 0; i < 48; ++i) REQUIRE(s.as<std::int16_t>()[i] == values[i]);
        // The leading slash is optional.
        require_same(s, read_stack(path + ":g/data"));

        const volume<double> flat = read_image<double>(path + ":/flat");
        REQUIRE(flat.shape() == vec3{1, 3, 4});
        for (int i = 0; i < 12; ++i) CHECK(flat[i] == i * 0.5);

        const volume<std::uint8_t> m = read_mask(path + ":/mask");
        CHECK(m[0] == 1);
        CHECK(m[1] == 0);
        CHECK(m[2] == 1);
    }

    SECTION("missing datasets are input errors, and HDF5 prints nothing")
    {
        std::string msg;
        const std::string printed = stderr_of(dir, [&] {
            msg = input_error_of([&] { (void)read_stack(path); });  // no /main
        });
        CHECK_THAT(msg, Catch::Contains("raw.h5") && Catch::Contains("/main"));
        CHECK(printed.empty());
        const std::string printed2 = stderr_of(dir, [&] {
            msg = input_error_of([&] { (void)read_stack(path + ":/g/nothing/here"); });
        });
        CHECK_THAT(msg, Catch::Contains("/g/nothing/here"));
        CHECK(printed2.empty());
        CHECK_THAT(input_error_of([&] { (void)read_stack(path + ":/g"); }), Catch::Contains("not a dataset"));
    }
}

TEST_CASE("clear errors for missing files, unknown extensions and broken files", "[io][errors]")
{
    temp_folder dir;
    CHECK_THAT(input_error_of([&] { (void)read_stack(dir.file("nope.tif")); }),
               Catch::Contains("nope.tif") && Catch::Contains("no such file"));
    CHECK_THAT(input_error_of([&] { (void)read_stack(dir.file("nope.h5:/x")); }),
               Catch::Contains("nope.h5") && Catch::Contains("no such file"));
    CHECK_THAT(input_error_of([&] { (void)read_stack(dir.file("image.png")); }),
               Catch::Contains("image.png") && Catch::Contains("unknown image file type"));
    CHECK_THAT(input_error_of([&] { write_stack(dir.file("image.raw"), raw_stack(dtype::uint8, 1, vec3{1, 1, 1})); }),
               Catch::Contains("image.raw"));
    {
        std::ofstream(dir.file("junk.tif")) << "not a tif at all";
        std::ofstream(dir.file("junk.h5")) << "not an h5 file either";
    }
    std::string printed = stderr_of(dir, [&] {
        CHECK_THAT(input_error_of([&] { (void)read_stack(dir.file("junk.tif")); }), Catch::Contains("junk.tif"));
        CHECK_THAT(input_error_of([&] { (void)read_stack(dir.file("junk.h5")); }),
                   Catch::Contains("junk.h5") && Catch::Contains("not an HDF5 file"));
    });
    CHECK(printed.empty());
    CHECK(parse_stack_path("a/b.H5").dataset == "/main");
    CHECK(parse_stack_path("a/b.TIF").format == stack_format::tif);
    CHECK(parse_stack_path("x.hdf5:/a/b").file == "x.hdf5");
    // Writing into a folder that does not exist is a run-time failure, and leaves nothing behind.
    CHECK_THROWS_AS(write_stack(dir.file("no/such/folder/x.h5"), raw_stack(dtype::uint8, 1, vec3{1, 1, 1})),
                    runtime_failure);
}

TEST_CASE("stack_info reports shape, type and range", "[io][info]")
{
    temp_folder dir;
    maps<float> m{volume<float>(vec3{2, 3, 4}, 1.0f), volume<float>(vec3{2, 3, 4}, 2.0f)};
    m[0](1, 2, 3) = -7.25f;
    m[1](0, 0, 0) = std::numeric_limits<float>::quiet_NaN();
    m[1](1, 1, 1) = 99.5f;
    write_maps(dir.file("i.h5"), m);
    const stack_summary h = stack_info(dir.file("i.h5"));
    CHECK(h.type == dtype::float32);
    CHECK(h.channels == 2);
    CHECK(h.shape == vec3{2, 3, 4});
    CHECK(h.min == -7.25);
    CHECK(h.max == 99.5);
    CHECK(h.nan_count == 1);

    volume<std::uint16_t> v(vec3{3, 2, 2}, 500);
    v(2, 1, 0) = 65535;
    v(0, 0, 1) = 3;
    write_image(dir.file("i.tif"), v);
    const stack_summary t = stack_info(dir.file("i.tif"));
    CHECK(t.type == dtype::uint16);
    CHECK(t.channels == 1);
    CHECK(t.shape == vec3{3, 2, 2});
    CHECK(t.min == 3);
    CHECK(t.max == 65535);
    CHECK(t.nan_count == 0);

    // Deeper than one chunk (8 slices): the range is gathered over several slabs.
    volume<std::int64_t> deep(vec3{21, 3, 2}, 0);
    deep(20, 2, 1) = -9;
    deep(9, 0, 0) = 123456789012LL;
    write_image(dir.file("deep.h5"), deep);
    const stack_summary d = stack_info(dir.file("deep.h5"));
    CHECK(d.shape == vec3{21, 3, 2});
    CHECK(d.min == -9);
    CHECK(d.max == 123456789012.0);
}
