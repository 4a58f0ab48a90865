// holds_network: is this .h5 a saved network or an image stack? Looks at the HDF5 structure only.
#include "znn/report.hpp"

#include "../core/isolated_call.hpp"
#include "znn/error.hpp"

#include <hdf5.h>

#include <filesystem>
#include <string>

namespace znn {

namespace {

// An HDF5 id closed when it goes out of scope.
class h5_id {
public:
    h5_id(hid_t id, herr_t (*close)(hid_t)) : id_(id), close_(close) {}
    ~h5_id()
    {
        if (id_ >= 0) close_(id_);
    }
    h5_id(const h5_id&) = delete;
    h5_id& operator=(const h5_id&) = delete;
    hid_t get() const { return id_; }
    bool valid() const { return id_ >= 0; }

private:
    hid_t id_;
    herr_t (*close_)(hid_t);
};

// HDF5 prints nothing while alive (a probe that fails is an answer, not an error).
class h5_silence {
public:
    h5_silence()
    {
        H5Eget_auto2(H5E_DEFAULT, &function_, &data_);
        H5Eset_auto2(H5E_DEFAULT, nullptr, nullptr);
    }
    ~h5_silence() { H5Eset_auto2(H5E_DEFAULT, function_, data_); }
    h5_silence(const h5_silence&) = delete;
    h5_silence& operator=(const h5_silence&) = delete;

private:
    H5E_auto2_t function_ = nullptr;
    void* data_ = nullptr;
};

H5I_type_t object_type(hid_t parent, const char* name)
{
    if (H5Lexists(parent, name, H5P_DEFAULT) <= 0) return H5I_BADID;
    h5_id object(H5Oopen(parent, name, H5P_DEFAULT), H5Oclose);
    return object.valid() ? H5Iget_type(object.get()) : H5I_BADID;
}

bool has_network_group(hid_t file)
{
    // Step by step: H5Lexists needs every parent of the path to exist.
    for (const char* path : {"/processing", "/processing/znn", "/processing/znn/train", "/processing/znn/train/network"})
        if (object_type(file, path) != H5I_GROUP) return false;
    return true;
}

// The original's older layout: layer groups with a group_type dataset directly under "/".
bool has_root_layer_groups(hid_t file)
{
    h5_id root(H5Gopen2(file, "/", H5P_DEFAULT), H5Gclose);
    if (!root.valid()) return false;
    H5G_info_t info{};
    if (H5Gget_info(root.get(), &info) < 0) return false;
    for (hsize_t i = 0; i < info.nlinks; ++i) {
        const ssize_t length = H5Lget_name_by_idx(root.get(), ".", H5_INDEX_NAME, H5_ITER_INC, i, nullptr, 0, H5P_DEFAULT);
        if (length < 0) continue;
        std::string name(static_cast<std::size_t>(length) + 1, '\0');
        H5Lget_name_by_idx(root.get(), ".", H5_INDEX_NAME, H5_ITER_INC, i, name.data(), name.size(), H5P_DEFAULT);
        name.resize(static_cast<std::size_t>(length));
        if (object_type(root.get(), name.c_str()) != H5I_GROUP) continue;
        h5_id group(H5Gopen2(root.get(), name.c_str(), H5P_DEFAULT), H5Gclose);
        if (group.valid() && object_type(group.get(), "group_type") == H5I_DATASET) return true;
    }
    return false;
}

bool holds_network_here(const std::string& file)
{
    h5_silence quiet;
    if (H5Fis_hdf5(file.c_str()) <= 0) return false;
    h5_id f(H5Fopen(file.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT), H5Fclose);
    if (!f.valid()) return false;
    if (has_network_group(f.get())) return true;
    return object_type(f.get(), "/main") == H5I_BADID && has_root_layer_groups(f.get());
}

}  // namespace

bool holds_network(const std::string& file)
{
    std::error_code ec;
    if (!std::filesystem::is_regular_file(file, ec)) return false;
    // In a child process: libhdf5 1.10.8 can crash on a damaged file's metadata. A file that makes it
    // crash is no network; the stack reader that is tried next reports it with a clean error.
    try {
        return isolation::isolated_hdf5_read(file, [&] { return std::string(holds_network_here(file) ? "1" : "0"); }) ==
               "1";
    } catch (const input_error&) {
        return false;
    }
}

}  // namespace znn
