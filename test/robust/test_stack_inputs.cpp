// Truncated, mutated, random and crafted tif and h5 files to read_stack, stack_info and h5_box_reader:
// every case must be read or rejected with input_error / runtime_failure (see robust_support.hpp).
#include "robust_support.hpp"
#include "contained.hpp"
#include "stack_samples.hpp"

#include "znn/h5_box.hpp"

#include <hdf5.h>

#include <algorithm>
#include <functional>

using namespace znn::robust;

namespace {

// Every reader of stack files on the file at `path`.
struct stack_readers {
    case_log read{"read_stack"}, info{"stack_info"}, box{"h5_box_reader"};

    void run(const std::string& label, const std::string& path, std::string_view bytes)
    {
        read.run(label, bytes, [&] { (void)znn::read_stack(path); });
        info.run(label, bytes, [&] { (void)znn::stack_info(path); });
        if (path.ends_with(".h5"))
            box.run(label, bytes, [&] {
                znn::h5_box_reader reader(path);
                (void)reader.read_box({0, 0, 0}, reader.shape());
            });
    }
    std::size_t rejected() const { return read.rejected(); }
    std::size_t accepted() const { return read.accepted(); }
};

std::string extension_of(const std::string& name)
{
    return name.substr(name.rfind('.'));
}

constexpr int readers_per_file = 3;  // read_stack, stack_info, h5_box_reader (h5 only: a no-op for tif)

// Reader 0: read_stack, 1: stack_info, 2: h5_box_reader on the whole dataset.
void read_with(std::size_t reader, const std::string& path)
{
    if (reader == 1) {
        (void)znn::stack_info(path);
    } else if (reader == 2) {
        znn::h5_box_reader box(path);
        (void)box.read_box({0, 0, 0}, box.shape());
    } else {
        (void)znn::read_stack(path);
    }
}

// Case k of a batch over files: file k / 3 is written to `path` and read by reader k % 3.
one_case stack_case(const std::string& label, std::string bytes, const std::string& path, std::size_t k)
{
    const auto reader = k % readers_per_file;
    one_case c;
    c.label = label + (reader == 0 ? " (read_stack)" : reader == 1 ? " (stack_info)" : " (h5_box_reader)");
    c.action = [bytes, path, reader] {
        if (reader == 2 && !path.ends_with(".h5")) return;
        write_bytes(path, bytes);
        read_with(reader, path);
    };
    c.input = std::move(bytes);
    c.through_hdf5 = path.ends_with(".h5");
    return c;
}

}  // namespace

TEST_CASE("robust: every prefix of small tif and h5 files", "[robust][stack]")
{
    scratch_folder samples, work;
    std::vector<sample_file> files = sample_tifs(samples);
    for (auto& f : sample_h5s(samples)) files.push_back(std::move(f));
    // Case k: prefix k / 3 over all files, one after the other (every prefix_step-th length, and the whole).
    std::vector<std::size_t> starts{0};
    for (const auto& f : files) starts.push_back(starts.back() + (f.bytes.size() + prefix_step - 1) / prefix_step + 1);
    const auto make = [&](std::size_t k) {
        const std::size_t n = k / readers_per_file;
        const std::size_t f = static_cast<std::size_t>(std::upper_bound(starts.begin(), starts.end(), n) - starts.begin()) - 1;
        const std::size_t length = std::min((n - starts[f]) * prefix_step, files[f].bytes.size());
        // A cut h5 file fails in H5Fopen, the same for the three readers: the box reader (slot 2, a
        // no-op for tif) reads the whole file only, which saves a third of the h5 cases.
        if (k % readers_per_file == 2 && length < files[f].bytes.size()) return one_case{"", "", [] {}};
        return stack_case(files[f].name + " cut to " + std::to_string(length) + " bytes", files[f].bytes.substr(0, length),
                          work.file("cut" + extension_of(files[f].name)), k);
    };
    const contained_summary s = run_contained("stack readers", starts.back() * readers_per_file, make);
    CHECK(s.rejected_or_crashed() > 0);
    CHECK(s.accepted >= files.size() * readers_per_file);  // at least the whole files read
    for (const auto& f : files) {
        write_bytes(work.file("whole" + extension_of(f.name)), f.bytes);
        CHECK_NOTHROW(znn::read_stack(work.file("whole" + extension_of(f.name))));
    }
}

TEST_CASE("robust: random mutations of small tif and h5 files", "[robust][stack]")
{
    scratch_folder samples, work;
    const std::vector<sample_file> tifs = sample_tifs(samples), h5s = sample_h5s(samples);
    const std::size_t tif_files = scaled(1600), h5_files = scaled(800);
    const auto make = [&](std::size_t k) {
        const std::size_t i = k / readers_per_file;
        mutator mutate(0x5eed0003 + i * 0x9E3779B97F4A7C15ULL);
        const sample_file& file = i < tif_files ? tifs[i % tifs.size()] : h5s[i % h5s.size()];
        return stack_case("mutation " + std::to_string(i) + " of " + file.name, mutate.mutate_binary(file.bytes),
                          work.file("mutated" + extension_of(file.name)), k);
    };
    const contained_summary s = run_contained("stack readers", (tif_files + h5_files) * readers_per_file, make);
    CHECK(s.accepted > 0);
    CHECK(s.rejected > 0);
}

TEST_CASE("robust: random bytes behind tif and h5 signatures", "[robust][stack]")
{
    scratch_folder work;
    const std::vector<std::pair<std::string, std::string>> heads{
        {".tif", ""}, {".tif", std::string("II*\0", 4)}, {".tif", std::string("MM\0*", 4)},
        {".tif", std::string("II+\0\x08\0\0\0", 8)}, {".h5", ""}, {".h5", "\x89HDF\r\n\x1a\n"},
        {".h5", std::string("\x89HDF\r\n\x1a\n\0\0\0\0\0\x08\x08\0", 16)}};
    const auto make = [&](std::size_t k) {
        const std::size_t i = k / readers_per_file;
        mutator noise(0x5eed0004 + i * 0x9E3779B97F4A7C15ULL);
        const auto& [extension, head] = heads[i % heads.size()];
        return stack_case("garbage " + std::to_string(i), head + noise.garbage(noise.pick(3000)),
                          work.file("garbage" + extension), k);
    };
    const std::size_t files = scaled(700);
    const contained_summary s = run_contained("stack readers", files * readers_per_file, make);
    std::size_t tif_no_ops = 0;  // h5_box_reader's slot of a tif case does nothing (and so "accepts")
    for (std::size_t i = 0; i < files; ++i) tif_no_ops += heads[i % heads.size()].first == ".tif";
    CHECK(s.accepted == tif_no_ops);  // no garbage reads as a stack
}

TEST_CASE("robust: odd paths to the stack readers", "[robust][stack]")
{
    scratch_folder work;
    write_bytes(work.file("empty.tif"), "");
    znn::write_stack(work.file("ok.h5"), counting_stack(znn::dtype::uint8, 1, {1, 2, 2}));
    znn::write_stack(work.file("ok.tif"), counting_stack(znn::dtype::uint8, 1, {1, 2, 2}));
    stack_readers readers;
    for (const std::string& path :
         {work.file("absent.tif"), work.file("absent.h5"), work.file("empty.tif"), work.path().string() + "/",
          work.file("sub.tif/"), work.file("ok.h5:"), work.file("ok.h5:/"), work.file("ok.h5:/main/"),
          work.file("ok.h5:/main/x"), work.file("ok.h5:/nothing/at/all"), work.file("ok.h5:main"),
          work.file("ok.h5:/main:/main"), work.file("ok.tif:/main"), work.file("ok.png"), std::string(""),
          std::string("/dev/null"), std::string(5000, 'x') + ".tif", work.file(std::string(300, 'y') + ".h5")})
        readers.run("the path '" + excerpt(path, 80) + "'", path, "");
    CHECK(readers.rejected() > 0);
}

namespace {

// An h5 file holding one dataset made with the HDF5 C API (an oddity write_stack never produces).
void write_h5_dataset(const std::string& path, hid_t type, const std::vector<hsize_t>& dims, bool chunked,
                      const std::string& name = "/main", bool null_space = false)
{
    const hid_t file = H5Fcreate(path.c_str(), H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT);
    const hid_t space = null_space ? H5Screate(H5S_NULL)
                        : dims.empty() ? H5Screate(H5S_SCALAR)
                                       : H5Screate_simple(static_cast<int>(dims.size()), dims.data(), nullptr);
    const hid_t props = H5Pcreate(H5P_DATASET_CREATE);
    if (chunked) {
        std::vector<hsize_t> chunk(dims.size(), 1);
        H5Pset_chunk(props, static_cast<int>(chunk.size()), chunk.data());
    }
    const hid_t dataset = H5Dcreate2(file, name.c_str(), type, space, H5P_DEFAULT, props, H5P_DEFAULT);
    REQUIRE(dataset >= 0);
    H5Dclose(dataset);
    H5Pclose(props);
    H5Sclose(space);
    H5Fclose(file);
}

}  // namespace

TEST_CASE("robust: h5 datasets of odd shapes and types", "[robust][stack]")
{
    scratch_folder work;
    const std::string path = work.file("odd.h5");
    // Each file is made and read in a child (contained.hpp): libhdf5 leaks on some of these errors.
    std::vector<std::pair<std::string, std::function<void()>>> files;
    auto check = [&](const std::string& label, std::function<void()> make) { files.emplace_back(label, std::move(make)); };
    constexpr hsize_t huge = hsize_t(1) << 40;
    check("a chunked [2^40, 2^40, 2^40] uint8 dataset", [&] { write_h5_dataset(path, H5T_STD_U8LE, {huge, huge, huge}, true); });
    check("a chunked [2^20, 2^20, 2^20] float64 dataset",
          [&] { write_h5_dataset(path, H5T_IEEE_F64LE, {1 << 20, 1 << 20, 1 << 20}, true); });
    check("a chunked [2^21, 2^21, 2^21, 2^21] uint8 dataset",
          [&] { write_h5_dataset(path, H5T_STD_U8LE, {1 << 21, 1 << 21, 1 << 21, 1 << 21}, true); });
    check("a chunked [1, 2^31, 2^31] uint16 dataset",
          [&] { write_h5_dataset(path, H5T_STD_U16LE, {1, hsize_t(1) << 31, hsize_t(1) << 31}, true); });
    check("a [0, 4, 4] dataset", [&] { write_h5_dataset(path, H5T_STD_U8LE, {0, 4, 4}, false); });
    check("a [3, 0, 0, 0] dataset", [&] { write_h5_dataset(path, H5T_STD_U8LE, {3, 0, 0, 0}, false); });
    check("a rank-1 dataset", [&] { write_h5_dataset(path, H5T_STD_U8LE, {5}, false); });
    check("a rank-5 dataset", [&] { write_h5_dataset(path, H5T_STD_U8LE, {1, 1, 1, 1, 1}, false); });
    check("a scalar dataset", [&] { write_h5_dataset(path, H5T_STD_U8LE, {}, false); });
    check("a dataset with a null dataspace", [&] { write_h5_dataset(path, H5T_STD_U8LE, {}, false, "/main", true); });
    check("a string dataset", [&] {
        const hid_t type = H5Tcopy(H5T_C_S1);
        H5Tset_size(type, 7);
        write_h5_dataset(path, type, {2, 2, 2}, false);
        H5Tclose(type);
    });
    check("a compound dataset", [&] {
        const hid_t type = H5Tcreate(H5T_COMPOUND, 8);
        H5Tinsert(type, "a", 0, H5T_NATIVE_INT);
        H5Tinsert(type, "b", 4, H5T_NATIVE_FLOAT);
        write_h5_dataset(path, type, {1, 2, 2}, false);
        H5Tclose(type);
    });
    check("a 16-byte float dataset", [&] { write_h5_dataset(path, H5T_NATIVE_LDOUBLE, {1, 2, 2}, false); });
    check("a big-endian int32 dataset", [&] { write_h5_dataset(path, H5T_STD_I32BE, {1, 2, 2}, false); });
    check("a 3-byte integer dataset", [&] {
        const hid_t type = H5Tcopy(H5T_STD_U32LE);
        H5Tset_precision(type, 24);
        H5Tset_size(type, 3);
        write_h5_dataset(path, type, {1, 2, 2}, false);
        H5Tclose(type);
    });
    check("an enum dataset", [&] {
        const hid_t type = H5Tenum_create(H5T_NATIVE_INT8);
        const std::int8_t no = 0, yes = 1;
        H5Tenum_insert(type, "no", &no);
        H5Tenum_insert(type, "yes", &yes);
        write_h5_dataset(path, type, {1, 2, 2}, false);
        H5Tclose(type);
    });
    check("a group where the dataset should be", [&] {
        const hid_t file = H5Fcreate(path.c_str(), H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT);
        H5Gclose(H5Gcreate2(file, "/main", H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT));
        H5Fclose(file);
    });
    check("a soft link to itself", [&] {
        const hid_t file = H5Fcreate(path.c_str(), H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT);
        H5Lcreate_soft("/main", file, "/main", H5P_DEFAULT, H5P_DEFAULT);
        H5Fclose(file);
    });
    check("an external link to a missing file", [&] {
        const hid_t file = H5Fcreate(path.c_str(), H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT);
        H5Lcreate_external("missing.h5", "/main", file, "/main", H5P_DEFAULT, H5P_DEFAULT);
        H5Fclose(file);
    });
    check("an empty file with an h5 signature only", [&] { write_bytes(path, "\x89HDF\r\n\x1a\n"); });
    const contained_summary s = run_contained("stack readers", files.size() * readers_per_file, [&](std::size_t k) {
        const auto reader = k % readers_per_file;
        const auto& [label, make] = files[k / readers_per_file];
        return one_case{label + (reader == 0 ? " (read_stack)" : reader == 1 ? " (stack_info)" : " (h5_box_reader)"), "",
                        [&make, &path, reader] {
                            make();
                            read_with(reader, path);
                        },
                        true};
    });
    CHECK(s.accepted > 0);  // the empty and the odd-but-numeric datasets read
    CHECK(s.rejected > 0);
}
