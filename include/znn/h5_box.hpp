// Box access to HDF5 datasets, for volumes larger than memory (`znn forward`): read any box of a
// [y,x] / [z,y,x] / [c,z,y,x] dataset, and write a float32 [c,z,y,x] output dataset box by box.
// Paths are "file.h5" (dataset /main) or "file.h5:/dataset", as in image_io.hpp.
// The HDF5 library is not assumed thread-safe: use these from one thread at a time.
#pragma once

#include "znn/image_io.hpp"
#include "znn/raw_stack.hpp"
#include "znn/volume.hpp"

#include <cstdint>
#include <memory>
#include <string>

namespace znn {

class h5_box_reader {
public:
    // Throws input_error (missing file or dataset, unsupported type or rank).
    explicit h5_box_reader(const std::string& path);
    ~h5_box_reader();
    h5_box_reader(h5_box_reader&&) noexcept;
    h5_box_reader& operator=(h5_box_reader&&) noexcept;

    dtype type() const;
    std::int64_t channels() const;
    vec3 shape() const;  // z, y, x of one channel

    // All channels of the box [offset, offset + box_shape); throws runtime_failure if it leaves the dataset.
    raw_stack read_box(vec3 offset, vec3 box_shape) const;
    template <class T>
    maps<T> read_maps(vec3 offset, vec3 box_shape) const
    {
        return to_maps<T>(read_box(offset, box_shape));
    }

private:
    struct impl;
    std::unique_ptr<impl> impl_;
};

class h5_box_writer {
public:
    // Creates a float32 [channels, z, y, x] dataset (chunked, gzip level options.gzip_level; unwritten
    // voxels read 0) in a temporary file next to `path`; commit() moves it into place. An existing file
    // at `path` is replaced only by commit(). Throws runtime_failure.
    h5_box_writer(const std::string& path, std::int64_t channels, vec3 shape, const write_options& options = {});
    ~h5_box_writer();  // without commit(): the temporary file is removed
    h5_box_writer(h5_box_writer&&) noexcept;
    h5_box_writer& operator=(h5_box_writer&&) noexcept;

    std::int64_t channels() const;
    vec3 shape() const;

    // Writes `box` (one map per channel, all the same shape) at `offset`; it must lie inside.
    void write_box(vec3 offset, const maps<float>& box);
    void write_box(vec3 offset, const maps<double>& box);
    // Closes the file and renames it to the final path.
    void commit();

private:
    struct impl;
    std::unique_ptr<impl> impl_;
};

}  // namespace znn
