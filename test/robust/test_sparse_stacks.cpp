// stack_info on valid h5 files whose datasets claim far more than they store (chunks never written, a
// contiguous block never allocated): the answer comes from the stored chunks and the fill value, in time
// that does not grow with the claim; a large dataset with too many stored chunks to list is refused.
#include "robust_support.hpp"

#include "znn/image_io.hpp"

#include <hdf5.h>

#include <chrono>
#include <cmath>
#include <limits>
#include <vector>

using namespace znn::robust;

namespace {

// One dataset "/main" of `type` and `dims`, chunked by `chunk` (contiguous, allocated late, when empty),
// with `fill` as its fill value when given.
class sparse_file {
public:
    sparse_file(const std::string& path, hid_t type, const std::vector<hsize_t>& dims, const std::vector<hsize_t>& chunk,
                const void* fill = nullptr)
        : type_(type)
    {
        file_ = H5Fcreate(path.c_str(), H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT);
        REQUIRE(file_ >= 0);
        const hid_t space = H5Screate_simple(static_cast<int>(dims.size()), dims.data(), nullptr);
        const hid_t props = H5Pcreate(H5P_DATASET_CREATE);
        if (!chunk.empty())
            H5Pset_chunk(props, static_cast<int>(chunk.size()), chunk.data());
        else
            H5Pset_alloc_time(props, H5D_ALLOC_TIME_LATE);
        if (fill) H5Pset_fill_value(props, type, fill);
        dataset_ = H5Dcreate2(file_, "/main", type, space, H5P_DEFAULT, props, H5P_DEFAULT);
        H5Pclose(props);
        H5Sclose(space);
        REQUIRE(dataset_ >= 0);
    }
    ~sparse_file()
    {
        H5Dclose(dataset_);
        H5Fclose(file_);
    }
    sparse_file(const sparse_file&) = delete;
    sparse_file& operator=(const sparse_file&) = delete;

    // Writes `values` (of the dataset's type) into the box at `start` of size `count`.
    void write(const std::vector<hsize_t>& start, const std::vector<hsize_t>& count, const void* values)
    {
        const hid_t file_space = H5Dget_space(dataset_);
        H5Sselect_hyperslab(file_space, H5S_SELECT_SET, start.data(), nullptr, count.data(), nullptr);
        const hid_t memory_space = H5Screate_simple(static_cast<int>(count.size()), count.data(), nullptr);
        REQUIRE(H5Dwrite(dataset_, type_, memory_space, file_space, H5P_DEFAULT, values) >= 0);
        H5Sclose(memory_space);
        H5Sclose(file_space);
    }

private:
    hid_t type_, file_ = -1, dataset_ = -1;
};

// stack_info, which must answer within the suite's time limit for a case (2 s; reading 2^30 fill values
// takes minutes) whatever the dataset claims.
znn::stack_summary timed_info(const std::string& path)
{
    const auto start = std::chrono::steady_clock::now();
    const znn::stack_summary info = znn::stack_info(path);
    CHECK(std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count() < case_time_limit);
    return info;
}

constexpr hsize_t two_to(int n) { return hsize_t(1) << n; }

}  // namespace

TEST_CASE("stack_info: a chunked [2^40, 1, 1] dataset with nothing written", "[robust][sparse]")
{
    scratch_folder work;
    const std::string path = work.file("claim.h5");
    { sparse_file f(path, H5T_STD_U8LE, {two_to(40), 1, 1}, {1, 1, 1}); }
    const znn::stack_summary info = timed_info(path);
    CHECK(info.shape == znn::vec3{std::int64_t(1) << 40, 1, 1});
    CHECK(info.type == znn::dtype::uint8);
    CHECK(info.min == 0);
    CHECK(info.max == 0);
    CHECK(info.nan_count == 0);

    const std::uint8_t seven = 7;
    { sparse_file f(path, H5T_STD_U8LE, {two_to(40), 1, 1}, {1, 1, 1}, &seven); }
    const znn::stack_summary filled = timed_info(path);
    CHECK(filled.min == 7);
    CHECK(filled.max == 7);
}

TEST_CASE("stack_info: stored chunks and a NaN fill value of a float32 [2^31, 2, 2] dataset", "[robust][sparse]")
{
    scratch_folder work;
    const std::string path = work.file("float.h5");
    const float nan = std::numeric_limits<float>::quiet_NaN();
    {
        sparse_file f(path, H5T_NATIVE_FLOAT, {two_to(31), 2, 2}, {1, 2, 2}, &nan);
        const float a[4] = {1, 2, 3, 4}, b[4] = {-5, 0.5f, nan, 8};
        f.write({3, 0, 0}, {1, 2, 2}, a);
        f.write({two_to(30), 0, 0}, {1, 2, 2}, b);
    }
    const znn::stack_summary info = timed_info(path);
    CHECK(info.shape == znn::vec3{std::int64_t(1) << 31, 2, 2});
    CHECK(info.min == -5);
    CHECK(info.max == 8);
    // Every element but the 8 stored is the NaN fill value; one stored element is NaN too.
    CHECK(info.nan_count == (std::int64_t(1) << 33) - 8 + 1);
}

TEST_CASE("stack_info: a sparse 4D int16 dataset with a partial edge chunk", "[robust][sparse]")
{
    scratch_folder work;
    const std::string path = work.file("4d.h5");
    const std::int16_t fill = -3;
    const hsize_t depth = two_to(30) + 2;  // the last chunk along z holds 2 of its 4 slices
    {
        sparse_file f(path, H5T_NATIVE_INT16, {2, depth, 1, 1}, {1, 4, 1, 1}, &fill);
        const std::int16_t inner[4] = {100, 200, 300, 400}, edge[2] = {9, 10};
        f.write({1, 8, 0, 0}, {1, 4, 1, 1}, inner);
        f.write({0, two_to(30), 0, 0}, {1, 2, 1, 1}, edge);
    }
    const znn::stack_summary info = timed_info(path);
    CHECK(info.channels == 2);
    CHECK(info.shape == znn::vec3{static_cast<std::int64_t>(depth), 1, 1});
    CHECK(info.min == -3);
    CHECK(info.max == 400);
    CHECK(info.nan_count == 0);
}

TEST_CASE("stack_info: a contiguous [2^33, 1, 1] dataset never allocated", "[robust][sparse]")
{
    scratch_folder work;
    const std::string path = work.file("contiguous.h5");
    const std::uint8_t fill = 42;
    { sparse_file f(path, H5T_STD_U8LE, {two_to(33), 1, 1}, {}, &fill); }
    const znn::stack_summary info = timed_info(path);
    CHECK(info.shape == znn::vec3{std::int64_t(1) << 33, 1, 1});
    CHECK(info.min == 42);
    CHECK(info.max == 42);
}

TEST_CASE("stack_info: a small sparse dataset is read whole, fill value included", "[robust][sparse]")
{
    scratch_folder work;
    const std::string path = work.file("small.h5");
    const std::uint16_t fill = 500;
    {
        sparse_file f(path, H5T_NATIVE_UINT16, {100, 10, 10}, {1, 10, 10}, &fill);
        std::vector<std::uint16_t> plane(100);
        for (std::size_t i = 0; i < plane.size(); ++i) plane[i] = static_cast<std::uint16_t>(i + 1);  // 1..100
        f.write({42, 0, 0}, {1, 10, 10}, plane.data());
    }
    const znn::stack_summary info = timed_info(path);
    CHECK(info.min == 1);
    CHECK(info.max == 500);
}

TEST_CASE("stack_info: a large sparse dataset with too many stored chunks to list is refused", "[robust][sparse]")
{
    scratch_folder work;
    const std::string path = work.file("many.h5");
    std::vector<std::uint8_t> values(1025);
    for (std::size_t i = 0; i < values.size(); ++i) values[i] = static_cast<std::uint8_t>(i % 200 + 3);
    {
        sparse_file f(path, H5T_STD_U8LE, {two_to(30), 1, 1}, {1, 1, 1});
        f.write({0, 0, 0}, {1024, 1, 1}, values.data());  // 1024 chunks: listed
    }
    const znn::stack_summary info = timed_info(path);
    CHECK(info.min == 0);  // the fill value
    CHECK(info.max == 202);
    {
        sparse_file f(path, H5T_STD_U8LE, {two_to(30), 1, 1}, {1, 1, 1});
        f.write({0, 0, 0}, {1025, 1, 1}, values.data());  // one more
    }
    case_log log("stack_info");
    const verdict v = log.run("1025 stored chunks of 2^30", [&] { (void)znn::stack_info(path); });
    CHECK(v.kind == outcome::input_error);
    CHECK(v.message == path + ": dataset '/main' claims 1x1073741824x1x1 elements but stores only 1025 of its "
                              "1073741824 chunks (the rest would read as the fill value): znn does not summarise "
                              "sparse datasets of more than 1024 stored chunks");
}
