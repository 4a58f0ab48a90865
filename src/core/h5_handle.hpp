// Small helpers over the HDF5 C API shared by src/io (image stacks) and src/netfile (network files):
// owned ids, silenced error printing with the library's reason kept for our messages. Internal.
#pragma once

#include <hdf5.h>

#include <string>
#include <utility>

namespace znn::h5_detail {

// An HDF5 id closed by its own close function (H5Fclose, H5Gclose, ...) when it goes out of scope.
class h5_handle {
public:
    using closer = herr_t (*)(hid_t);
    h5_handle() = default;
    h5_handle(hid_t id, closer close) : id_(id), close_(close) {}
    h5_handle(h5_handle&& o) noexcept : id_(std::exchange(o.id_, H5I_INVALID_HID)), close_(o.close_) {}
    h5_handle& operator=(h5_handle&& o) noexcept
    {
        if (this != &o) {
            close();
            id_ = std::exchange(o.id_, H5I_INVALID_HID);
            close_ = o.close_;
        }
        return *this;
    }
    h5_handle(const h5_handle&) = delete;
    h5_handle& operator=(const h5_handle&) = delete;
    ~h5_handle() { close(); }

    hid_t get() const noexcept { return id_; }
    bool valid() const noexcept { return id_ >= 0; }
    // Closes now; false when the close failed (for a file: its data may not have reached the disk).
    bool close() noexcept
    {
        bool ok = true;
        if (id_ >= 0 && close_) ok = close_(id_) >= 0;
        id_ = H5I_INVALID_HID;
        return ok;
    }

private:
    hid_t id_ = H5I_INVALID_HID;
    closer close_ = nullptr;
};

// While alive, HDF5 prints nothing to stderr (failures become our exceptions); the previous setting
// comes back afterwards.
class h5_quiet {
public:
    h5_quiet();
    ~h5_quiet();
    h5_quiet(const h5_quiet&) = delete;
    h5_quiet& operator=(const h5_quiet&) = delete;

private:
    H5E_auto2_t saved_function_ = nullptr;
    void* saved_data_ = nullptr;
};

// The innermost message on HDF5's error stack as " (message)", or "" when there is none. Call it
// right after the failing HDF5 call.
std::string h5_reason();

}  // namespace znn::h5_detail
