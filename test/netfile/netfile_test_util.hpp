// Helpers for the netfile suite: a scratch folder, and direct HDF5 reads so that the tests check the
// file itself, independently of the reader under test.
#pragma once

#include "../common/scratch_folder.hpp"

#include <hdf5.h>

#include <catch2/catch.hpp>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <random>
#include <sstream>
#include <string>
#include <vector>

namespace netfile_test {

namespace fs = std::filesystem;

using znn::testing::scratch_folder;  // test/common/scratch_folder.hpp

inline std::string source_root()
{
    const char* root = std::getenv("ZNN_SOURCE_ROOT");
    return root ? root : ".";
}

inline std::string srini2d_path() { return source_root() + "/test/data/netfile/srini2d_net_current.h5"; }

inline std::string file_bytes(const std::string& path)
{
    std::ifstream in(path, std::ios::binary);
    std::ostringstream out;
    out << in.rdbuf();
    return out.str();
}

// Opens a file read-only for direct inspection; closes it at the end.
class h5_file {
public:
    explicit h5_file(const std::string& path, bool writable = false)
        : id_(H5Fopen(path.c_str(), writable ? H5F_ACC_RDWR : H5F_ACC_RDONLY, H5P_DEFAULT))
    {
        REQUIRE(id_ >= 0);
    }
    ~h5_file() { H5Fclose(id_); }
    h5_file(const h5_file&) = delete;
    h5_file& operator=(const h5_file&) = delete;
    hid_t id() const { return id_; }

    // Walks the path one link at a time (H5Lexists needs every parent to exist).
    bool exists(const std::string& object) const
    {
        std::string path;
        std::size_t start = 1;
        while (start <= object.size()) {
            std::size_t end = object.find('/', start);
            if (end == std::string::npos) end = object.size();
            path += '/';
            path.append(object, start, end - start);
            if (H5Lexists(id_, path.c_str(), H5P_DEFAULT) <= 0) return false;
            start = end + 1;
        }
        return true;
    }

    std::vector<hsize_t> dims(const std::string& dataset) const
    {
        const hid_t d = H5Dopen2(id_, dataset.c_str(), H5P_DEFAULT);
        REQUIRE(d >= 0);
        const hid_t space = H5Dget_space(d);
        std::vector<hsize_t> out(static_cast<std::size_t>(H5Sget_simple_extent_ndims(space)));
        H5Sget_simple_extent_dims(space, out.data(), nullptr);
        H5Sclose(space);
        H5Dclose(d);
        return out;
    }

    // True when the stored type equals `expected` (e.g. H5T_IEEE_F32LE).
    bool has_type(const std::string& dataset, hid_t expected) const
    {
        const hid_t d = H5Dopen2(id_, dataset.c_str(), H5P_DEFAULT);
        REQUIRE(d >= 0);
        const hid_t type = H5Dget_type(d);
        const bool same = H5Tequal(type, expected) > 0;
        H5Tclose(type);
        H5Dclose(d);
        return same;
    }

    // Every element, in the file's (C) order, converted to double / int64 by HDF5.
    std::vector<double> doubles(const std::string& dataset) const { return read<double>(dataset, H5T_NATIVE_DOUBLE); }
    std::vector<long long> int64s(const std::string& dataset) const
    {
        return read<long long>(dataset, H5T_NATIVE_LLONG);
    }

    // A variable-length string scalar dataset, checked to be stored exactly as the original stored it.
    std::string vlen_string(const std::string& dataset) const
    {
        const hid_t d = H5Dopen2(id_, dataset.c_str(), H5P_DEFAULT);
        REQUIRE(d >= 0);
        const hid_t type = H5Dget_type(d);
        const hid_t space = H5Dget_space(d);
        CHECK(H5Tget_class(type) == H5T_STRING);
        CHECK(H5Tis_variable_str(type) > 0);
        CHECK(H5Tget_strpad(type) == H5T_STR_NULLTERM);
        CHECK(H5Tget_cset(type) == H5T_CSET_ASCII);
        CHECK(H5Sget_simple_extent_type(space) == H5S_SCALAR);
        char* text = nullptr;
        const hid_t memory = H5Tcopy(H5T_C_S1);
        H5Tset_size(memory, H5T_VARIABLE);
        REQUIRE(H5Dread(d, memory, H5S_ALL, H5S_ALL, H5P_DEFAULT, &text) >= 0);
        std::string value = text ? text : "";
        H5free_memory(text);
        H5Tclose(memory);
        H5Sclose(space);
        H5Tclose(type);
        H5Dclose(d);
        return value;
    }

private:
    template <class T>
    std::vector<T> read(const std::string& dataset, hid_t memory_type) const
    {
        const hid_t d = H5Dopen2(id_, dataset.c_str(), H5P_DEFAULT);
        REQUIRE(d >= 0);
        const hid_t space = H5Dget_space(d);
        std::vector<T> out(static_cast<std::size_t>(H5Sget_simple_extent_npoints(space)));
        if (!out.empty()) REQUIRE(H5Dread(d, memory_type, H5S_ALL, H5S_ALL, H5P_DEFAULT, out.data()) >= 0);
        H5Sclose(space);
        H5Dclose(d);
        return out;
    }

    hid_t id_;
};

inline const std::string network_prefix = "/processing/znn/train/network/";
inline const std::string statistics_prefix = "/processing/znn/train/statistics/";

}  // namespace netfile_test
