// Small helpers over the HDF5 C API (internal to src/io): owned ids, silenced error printing with the
// messages kept for exceptions, type mapping, and a dataset seen as [channels, z, y, x].
#pragma once

#include "../core/h5_handle.hpp"
#include "znn/image_io.hpp"

#include <hdf5.h>

#include <array>
#include <cstddef>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace znn::io_detail {

// The shared owned id, quiet guard and reason helper (src/core/h5_handle.hpp).
using h5_id = h5_detail::h5_handle;
using h5_detail::h5_quiet;
using h5_detail::h5_reason;

hid_t h5_memory_type(dtype t);  // H5T_NATIVE_*
hid_t h5_file_type(dtype t);    // little-endian standard types, as numpy / h5py write them
// The dtype a stored type reads as (enums read as their base type); nullopt when unsupported.
std::optional<dtype> dtype_from_h5(hid_t type);

// Channels [c0, c0 + nc) of the box [offset, offset + box) of a dataset seen as [channels, z, y, x].
struct h5_part {
    std::int64_t c0 = 0, nc = 1;
    vec3 offset, box;
};

// Which parts of a dataset its file stores (metadata only). What it does not store — chunks never
// written, a contiguous block never allocated — reads as the fill value, so a valid file of a few KB may
// claim a dataset of 2^40 voxels.
struct h5_storage {
    bool complete = true;             // everything is stored (or the dataset is small): read it all
    std::vector<h5_part> stored;      // otherwise: the stored chunks (none, or at most max_listed_chunks)
    std::int64_t unstored_elements = 0;
    std::vector<std::byte> fill;      // one element of the dataset's type: the value of the rest
};

// An open dataset of rank 2 ([y,x]), 3 ([z,y,x]) or 4 ([c,z,y,x]), seen as [channels, z, y, x].
//
// Opening parses the file's metadata (superblock, groups, object headers, the dataset's type, shape and
// layout), where a damaged file can crash libhdf5 1.10: the constructor first opens the dataset the same
// way in a forked child (src/core/isolated_call.hpp; skipped when ZNN_HDF5_IN_PROCESS=1), so that such a
// file is rejected with an input_error instead; the child also reads the whole dataset when it holds at
// most probe_read_bytes. The numeric reads of larger datasets (read()) stay in this process: they never
// touch HDF5's global heap (the home of the variable-length strings whose damage libhdf5 handles
// worst), stacks can be gigabytes, and a probe per box would cost a fork per tile. What remains is a
// damaged chunk of a large dataset: a chunk that decompresses to fewer bytes than its shape claims can
// make libhdf5 1.10 copy past its buffer (the chunk shapes that cause it are refused at open).
class h5_dataset {
public:
    // Throws input_error naming `file` for a file that cannot be opened (or that crashes libhdf5), a
    // missing dataset, an unsupported type or rank.
    h5_dataset(const std::string& file, const std::string& dataset);

    dtype type() const noexcept { return type_; }
    std::int64_t channels() const noexcept { return channels_; }
    vec3 shape() const noexcept { return shape_; }
    const std::string& file() const noexcept { return file_; }
    const std::string& name() const noexcept { return name_; }
    // The z size of the dataset's chunks (1 when it is not chunked): a good slab depth for reading.
    std::int64_t chunk_depth() const;

    // Reads channels [c0, c0 + nc) of the box [offset, offset + box) into `out` (nc*box voxels of type()).
    void read(std::int64_t c0, std::int64_t nc, vec3 offset, vec3 box, void* out) const;

    // Datasets of at most this many elements count as complete whatever they store (reading them is cheap).
    static constexpr std::int64_t small_elements = std::int64_t(1) << 28;
    // A larger dataset that lacks chunks is summarised from its stored chunks when it has at most this
    // many (listing them costs time quadratic in their number in HDF5 1.10), and refused otherwise.
    static constexpr std::uint64_t max_listed_chunks = 1024;
    // Throws input_error for a large, sparse dataset with more stored chunks than max_listed_chunks.
    h5_storage storage() const;

    // A dataset of at most this many bytes is read whole by the constructor's child process.
    static constexpr std::int64_t probe_read_bytes = std::int64_t(1) << 20;

private:
    void open();  // everything the constructor reads from the file
    void check_chunks(const hsize_t (&max_dims)[4]) const;

    std::string file_, name_;
    h5_id file_id_, dataset_id_;
    int rank_ = 0;
    dtype type_ = dtype::uint8;
    std::int64_t channels_ = 1;
    vec3 shape_;
};

// The dims of [c,z,y,x] for a dataset of `rank` 3 (c must be 1) or 4.
std::array<hsize_t, 4> h5_dims(int rank, std::int64_t channels, vec3 shape);

// How a new dataset is chunked: whole stacks take chunks of up to 8x128x128 voxels of one channel;
// box-by-box output takes single-slice chunks (1x128x128) and a large chunk cache, so that tiles that
// cover parts of chunks do not make HDF5 compress the same chunk again and again.
enum class chunking { stack, tiles };

// Creates `dataset` (with any missing groups) in an open file: chunked, shuffled and gzip-compressed
// when gzip_level > 0 (contiguous when a dimension is 0). Throws runtime_failure.
h5_id create_h5_dataset(hid_t file, const std::string& file_name, const std::string& dataset, dtype type, int rank,
                        std::int64_t channels, vec3 shape, int gzip_level, chunking layout = chunking::stack);


// Writes channels [0, nc) of the box at `offset` from `data` (type `t`) into a [c,]z,y,x dataset.
void write_h5_box(hid_t dataset, const std::string& file_name, int rank, dtype t, std::int64_t channels, vec3 offset,
                  vec3 box, const void* data);

}  // namespace znn::io_detail
