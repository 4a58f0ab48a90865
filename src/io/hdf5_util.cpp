#include "hdf5_util.hpp"

#include "../core/isolated_call.hpp"

#include <algorithm>
#include <cstdint>
#include <filesystem>

namespace znn::io_detail {

hid_t h5_memory_type(dtype t)
{
    switch (t) {
    case dtype::uint8: return H5T_NATIVE_UINT8;
    case dtype::int8: return H5T_NATIVE_INT8;
    case dtype::uint16: return H5T_NATIVE_UINT16;
    case dtype::int16: return H5T_NATIVE_INT16;
    case dtype::uint32: return H5T_NATIVE_UINT32;
    case dtype::int32: return H5T_NATIVE_INT32;
    case dtype::uint64: return H5T_NATIVE_UINT64;
    case dtype::int64: return H5T_NATIVE_INT64;
    case dtype::float32: return H5T_NATIVE_FLOAT;
    case dtype::float64: break;
    }
    return H5T_NATIVE_DOUBLE;
}

hid_t h5_file_type(dtype t)
{
    switch (t) {
    case dtype::uint8: return H5T_STD_U8LE;
    case dtype::int8: return H5T_STD_I8LE;
    case dtype::uint16: return H5T_STD_U16LE;
    case dtype::int16: return H5T_STD_I16LE;
    case dtype::uint32: return H5T_STD_U32LE;
    case dtype::int32: return H5T_STD_I32LE;
    case dtype::uint64: return H5T_STD_U64LE;
    case dtype::int64: return H5T_STD_I64LE;
    case dtype::float32: return H5T_IEEE_F32LE;
    case dtype::float64: break;
    }
    return H5T_IEEE_F64LE;
}

std::optional<dtype> dtype_from_h5(hid_t type)
{
    const H5T_class_t cls = H5Tget_class(type);
    const std::size_t size = H5Tget_size(type);
    if (cls == H5T_ENUM) {  // h5py stores numpy bools as an enum over int8
        h5_id base(H5Tget_super(type), H5Tclose);
        if (!base.valid()) return std::nullopt;
        return dtype_from_h5(base.get());
    }
    if (cls == H5T_FLOAT) {
        if (size == 4) return dtype::float32;
        if (size == 8) return dtype::float64;
        return std::nullopt;
    }
    if (cls != H5T_INTEGER) return std::nullopt;
    const bool is_signed = H5Tget_sign(type) == H5T_SGN_2;
    switch (size) {
    case 1: return is_signed ? dtype::int8 : dtype::uint8;
    case 2: return is_signed ? dtype::int16 : dtype::uint16;
    case 4: return is_signed ? dtype::int32 : dtype::uint32;
    case 8: return is_signed ? dtype::int64 : dtype::uint64;
    default: return std::nullopt;
    }
}

h5_dataset::h5_dataset(const std::string& file, const std::string& dataset) : file_(file), name_(dataset)
{
    // The child opens its copy of this object (and reads the chunk layout, as h5_info will), reads all
    // of a small dataset (a damaged chunk can make libhdf5 copy past its buffer: H5VM_memcpyvv), and ends.
    isolation::probe_hdf5_read(file, [this] {
        open();
        (void)chunk_depth();
        const std::int64_t count = channels_ * shape_.volume();
        if (count > 0 && count * std::int64_t(dtype_size(type_)) <= probe_read_bytes) {
            std::vector<std::byte> all(static_cast<std::size_t>(count) * dtype_size(type_));
            read(0, channels_, vec3{0, 0, 0}, shape_, all.data());
        }
    });
    open();
}

void h5_dataset::open()
{
    const std::string& file = file_;
    const std::string& dataset = name_;
    h5_quiet quiet;
    std::error_code ec;
    if (!std::filesystem::exists(file, ec)) throw input_error(file, 0, "no such file");
    if (H5Fis_hdf5(file.c_str()) <= 0) throw input_error(file, 0, "not an HDF5 file");
    file_id_ = h5_id(H5Fopen(file.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT), H5Fclose);
    if (!file_id_.valid()) throw input_error(file, 0, "cannot open the HDF5 file" + h5_reason());

    // H5Lexists fails on a missing intermediate group, so test each link of the path in turn.
    std::string prefix;
    for (std::size_t start = 1; start <= dataset.size(); ) {
        const std::size_t slash = std::min(dataset.find('/', start), dataset.size());
        prefix = dataset.substr(0, slash);
        if (slash > start && H5Lexists(file_id_.get(), prefix.c_str(), H5P_DEFAULT) <= 0)
            throw input_error(file, 0, "no dataset '" + dataset + "' in the file");
        start = slash + 1;
    }
    if (H5Oexists_by_name(file_id_.get(), dataset.c_str(), H5P_DEFAULT) <= 0)
        throw input_error(file, 0, "no dataset '" + dataset + "' in the file");
    dataset_id_ = h5_id(H5Dopen2(file_id_.get(), dataset.c_str(), H5P_DEFAULT), H5Dclose);
    if (!dataset_id_.valid()) throw input_error(file, 0, "'" + dataset + "' is not a dataset" + h5_reason());

    h5_id stored_type(H5Dget_type(dataset_id_.get()), H5Tclose);
    const auto type = stored_type.valid() ? dtype_from_h5(stored_type.get()) : std::nullopt;
    if (!type)
        throw input_error(file, 0, "dataset '" + dataset + "' has an unsupported element type (znn reads 8/16/32/64-bit "
                                   "integers and 32/64-bit floats)");
    type_ = *type;

    h5_id space(H5Dget_space(dataset_id_.get()), H5Sclose);
    rank_ = space.valid() ? H5Sget_simple_extent_ndims(space.get()) : -1;
    if (rank_ < 2 || rank_ > 4)
        throw input_error(file, 0, "dataset '" + dataset + "' has " + std::to_string(rank_) +
                                       " dimensions; znn reads [y,x], [z,y,x] or [c,z,y,x]");
    hsize_t dims[4] = {1, 1, 1, 1}, max_dims[4] = {1, 1, 1, 1};  // the missing leading axes: 1
    H5Sget_simple_extent_dims(space.get(), dims + (4 - rank_), max_dims + (4 - rank_));
    for (int i = 0; i < 4; ++i)  // HDF5 itself never writes such a dataspace: the file is damaged
        if (max_dims[i] != H5S_UNLIMITED && dims[i] > max_dims[i])
            throw input_error(file, 0, "dataset '" + dataset + "' is damaged: a dimension of " + std::to_string(dims[i]) +
                                           " exceeds its maximum of " + std::to_string(max_dims[i]));
    // A damaged or crafted file may claim any size: refuse one whose byte count overflows 64-bit
    // arithmetic before anything multiplies the dims (the sizes below are int64, buffers size_t). A
    // zero dim counts as 1 here, so that no product of some of the dims (a plane, a slab) overflows.
    std::uint64_t bytes = dtype_size(type_);
    for (hsize_t d : dims)
        if (d > std::uint64_t(INT64_MAX) || __builtin_mul_overflow(bytes, std::max<hsize_t>(d, 1), &bytes) ||
            bytes > std::uint64_t(INT64_MAX))
            throw input_error(file, 0, "dataset '" + dataset + "' claims " + std::to_string(dims[0]) + "x" +
                                           std::to_string(dims[1]) + "x" + std::to_string(dims[2]) + "x" +
                                           std::to_string(dims[3]) + " elements, too many to address");
    channels_ = static_cast<std::int64_t>(dims[0]);
    shape_ = vec3{static_cast<std::int64_t>(dims[1]), static_cast<std::int64_t>(dims[2]),
                  static_cast<std::int64_t>(dims[3])};
    check_chunks(max_dims);
}

// Chunk shapes HDF5 itself never writes (it refuses them when a dataset is created) but reads without a
// check: a chunk larger than a dimension that cannot grow, or of 4 GiB or more, makes libhdf5 1.10 copy
// a whole chunk's worth of bytes out of a smaller buffer.
void h5_dataset::check_chunks(const hsize_t (&max_dims)[4]) const
{
    h5_id props(H5Dget_create_plist(dataset_id_.get()), H5Pclose);
    if (!props.valid() || H5Pget_layout(props.get()) != H5D_CHUNKED) return;
    hsize_t chunk[4] = {1, 1, 1, 1};
    const int skip = 4 - rank_;
    if (H5Pget_chunk(props.get(), rank_, chunk + skip) != rank_)
        throw input_error(file_, 0, "dataset '" + name_ + "': cannot read its chunk shape" + h5_reason());
    std::uint64_t chunk_bytes = dtype_size(type_);
    for (int i = 0; i < 4; ++i) {
        if (chunk[i] == 0 || (max_dims[i] != H5S_UNLIMITED && chunk[i] > std::max<hsize_t>(max_dims[i], 1)))
            throw input_error(file_, 0, "dataset '" + name_ + "' is damaged: a chunk dimension of " +
                                            std::to_string(chunk[i]) + " does not fit its dimension of at most " +
                                            std::to_string(max_dims[i]));
        chunk_bytes *= chunk[i];  // each factor below 2^32 here, at most 4 of them after the check below
        if (chunk_bytes >= (std::uint64_t(1) << 32))
            throw input_error(file_, 0, "dataset '" + name_ + "' is damaged: its chunks claim 4 GiB or more each");
    }
}

void h5_dataset::read(std::int64_t c0, std::int64_t nc, vec3 offset, vec3 box, void* out) const
{
    const vec3 end = offset + box;
    if (c0 < 0 || nc < 0 || c0 + nc > channels_ || offset.z < 0 || offset.y < 0 || offset.x < 0 || end.z > shape_.z ||
        end.y > shape_.y || end.x > shape_.x)
        throw runtime_failure(file_ + ":" + name_ + ": box at " + offset.str() + " of size " + box.dims() +
                              " (channels " + std::to_string(c0) + "+" + std::to_string(nc) + ") lies outside the " +
                              std::to_string(channels_) + "x" + shape_.dims() + " dataset");
    if (nc == 0 || !box.all_positive()) return;

    h5_quiet quiet;
    const hsize_t start4[4] = {hsize_t(c0), hsize_t(offset.z), hsize_t(offset.y), hsize_t(offset.x)};
    const hsize_t count4[4] = {hsize_t(nc), hsize_t(box.z), hsize_t(box.y), hsize_t(box.x)};
    const int skip = 4 - rank_;  // leading axes the dataset does not have
    h5_id file_space(H5Dget_space(dataset_id_.get()), H5Sclose);
    h5_id memory_space(H5Screate_simple(rank_, count4 + skip, nullptr), H5Sclose);
    if (!file_space.valid() || !memory_space.valid() ||
        H5Sselect_hyperslab(file_space.get(), H5S_SELECT_SET, start4 + skip, nullptr, count4 + skip, nullptr) < 0 ||
        H5Dread(dataset_id_.get(), h5_memory_type(type_), memory_space.get(), file_space.get(), H5P_DEFAULT, out) < 0)
        throw runtime_failure(file_ + ":" + name_ + ": reading failed" + h5_reason());
}

std::int64_t h5_dataset::chunk_depth() const
{
    h5_quiet quiet;
    h5_id props(H5Dget_create_plist(dataset_id_.get()), H5Pclose);
    if (!props.valid() || H5Pget_layout(props.get()) != H5D_CHUNKED || rank_ < 3) return 1;
    hsize_t chunk[4] = {1, 1, 1, 1};
    if (H5Pget_chunk(props.get(), rank_, chunk) != rank_) return 1;
    return std::max<std::int64_t>(1, static_cast<std::int64_t>(chunk[rank_ - 3]));
}

h5_storage h5_dataset::storage() const
{
    h5_quiet quiet;
    h5_storage storage;
    const std::int64_t total = channels_ * shape_.volume();  // fits: checked when the dataset was opened
    if (total <= small_elements) return storage;
    h5_id props(H5Dget_create_plist(dataset_id_.get()), H5Pclose);
    if (!props.valid()) throw input_error(file_, 0, "dataset '" + name_ + "': cannot read its layout" + h5_reason());
    const std::string where = "dataset '" + name_ + "'";

    const std::array<std::int64_t, 4> dims{channels_, shape_.z, shape_.y, shape_.x};
    const int skip = 4 - rank_;  // leading axes the dataset does not have
    const H5D_layout_t layout = H5Pget_layout(props.get());
    std::uint64_t stored_chunks = 0;
    std::array<hsize_t, 4> chunk{1, 1, 1, 1};
    h5_id all_space;
    if (layout == H5D_CHUNKED) {
        if (H5Pget_chunk(props.get(), rank_, chunk.data() + skip) != rank_)
            throw input_error(file_, 0, where + ": cannot read its chunk shape" + h5_reason());
        std::uint64_t all_chunks = 1;  // at most `total`: every chunk dim is at least 1
        for (int a = 0; a < 4; ++a) {
            if (chunk[a] == 0) throw input_error(file_, 0, where + " is damaged: a chunk dimension is 0");
            all_chunks *= (std::uint64_t(dims[a]) + chunk[a] - 1) / chunk[a];
        }
        hsize_t n = 0;
        all_space = h5_id(H5Dget_space(dataset_id_.get()), H5Sclose);  // HDF5 1.10 takes no H5S_ALL here
        if (!all_space.valid() || H5Dget_num_chunks(dataset_id_.get(), all_space.get(), &n) < 0)
            throw input_error(file_, 0, where + ": cannot count its chunks" + h5_reason());
        if (n >= all_chunks) return storage;
        if (n > max_listed_chunks)
            throw input_error(file_, 0, where + " claims " + std::to_string(channels_) + "x" + shape_.dims() +
                                            " elements but stores only " + std::to_string(n) + " of its " +
                                            std::to_string(all_chunks) +
                                            " chunks (the rest would read as the fill value): znn does not summarise "
                                            "sparse datasets of more than " + std::to_string(max_listed_chunks) +
                                            " stored chunks");
        stored_chunks = n;
    } else if (layout == H5D_CONTIGUOUS) {
        H5D_space_status_t status{};
        if (H5Dget_space_status(dataset_id_.get(), &status) < 0)
            throw input_error(file_, 0, where + ": cannot read its storage" + h5_reason());
        if (status != H5D_SPACE_STATUS_NOT_ALLOCATED) return storage;
    } else {  // compact: stored in the object header, complete by construction
        return storage;
    }

    storage.complete = false;
    std::int64_t stored_elements = 0;
    for (std::uint64_t i = 0; i < stored_chunks; ++i) {
        std::array<hsize_t, 4> start{0, 0, 0, 0};
        unsigned filter_mask = 0;
        haddr_t address = 0;
        hsize_t bytes = 0;
        if (H5Dget_chunk_info(dataset_id_.get(), all_space.get(), i, start.data() + skip, &filter_mask, &address, &bytes) < 0)
            throw input_error(file_, 0, where + ": cannot read where its chunks are" + h5_reason());
        std::array<std::int64_t, 4> begin{}, count{};
        for (int a = 0; a < 4; ++a) {
            if (start[a] >= std::uint64_t(std::max<std::int64_t>(dims[a], 1)))
                throw input_error(file_, 0, where + " is damaged: a chunk lies outside the dataset");
            begin[a] = static_cast<std::int64_t>(start[a]);
            count[a] = std::min<std::int64_t>(static_cast<std::int64_t>(chunk[a]), dims[a] - begin[a]);
        }
        storage.stored.push_back({begin[0], count[0], vec3{begin[1], begin[2], begin[3]}, vec3{count[1], count[2], count[3]}});
        stored_elements += count[0] * count[1] * count[2] * count[3];
    }
    storage.unstored_elements = total - stored_elements;

    // The value of what is not stored: the fill value, or 0 when the file defines none.
    storage.fill.assign(dtype_size(type_), std::byte{0});
    H5D_fill_value_t defined{};
    if (H5Pfill_value_defined(props.get(), &defined) >= 0 && defined != H5D_FILL_VALUE_UNDEFINED &&
        H5Pget_fill_value(props.get(), h5_memory_type(type_), storage.fill.data()) < 0)
        throw input_error(file_, 0, where + ": cannot read its fill value" + h5_reason());
    return storage;
}

std::array<hsize_t, 4> h5_dims(int rank, std::int64_t channels, vec3 shape)
{
    if (rank == 4) return {hsize_t(channels), hsize_t(shape.z), hsize_t(shape.y), hsize_t(shape.x)};
    return {hsize_t(shape.z), hsize_t(shape.y), hsize_t(shape.x), 0};
}

h5_id create_h5_dataset(hid_t file, const std::string& file_name, const std::string& dataset, dtype type, int rank,
                        std::int64_t channels, vec3 shape, int gzip_level, chunking layout)
{
    h5_quiet quiet;
    const auto dims = h5_dims(rank, channels, shape);
    h5_id space(H5Screate_simple(rank, dims.data(), nullptr), H5Sclose);
    h5_id link_props(H5Pcreate(H5P_LINK_CREATE), H5Pclose);
    h5_id create_props(H5Pcreate(H5P_DATASET_CREATE), H5Pclose);
    auto fail = [&](const std::string& what) { return runtime_failure(file_name + ": " + what + h5_reason()); };
    if (!space.valid() || !link_props.valid() || !create_props.valid()) throw fail("cannot set up dataset " + dataset);
    H5Pset_create_intermediate_group(link_props.get(), 1);

    const bool chunked = std::all_of(dims.begin(), dims.begin() + rank, [](hsize_t d) { return d > 0; });
    if (chunked) {
        std::array<hsize_t, 4> chunk{};
        const hsize_t limits4[4] = {1, layout == chunking::tiles ? 1u : 8u, 128, 128};
        const hsize_t* limits = limits4 + (4 - rank);
        for (int i = 0; i < rank; ++i) chunk[i] = std::min(dims[i], limits[i]);
        if (H5Pset_chunk(create_props.get(), rank, chunk.data()) < 0) throw fail("cannot chunk dataset " + dataset);
        if (gzip_level > 0 && H5Zfilter_avail(H5Z_FILTER_DEFLATE) > 0) {
            H5Pset_shuffle(create_props.get());
            H5Pset_deflate(create_props.get(), static_cast<unsigned>(std::min(gzip_level, 9)));
        }
    }
    h5_id access_props(H5Pcreate(H5P_DATASET_ACCESS), H5Pclose);
    if (!access_props.valid()) throw fail("cannot set up dataset " + dataset);
    if (layout == chunking::tiles)  // 64 MiB, a prime number of slots, fully written chunks leave first
        H5Pset_chunk_cache(access_props.get(), 12421, std::size_t(64) << 20, 1.0);
    h5_id ds(H5Dcreate2(file, dataset.c_str(), h5_file_type(type), space.get(), link_props.get(), create_props.get(),
                        access_props.get()),
             H5Dclose);
    if (!ds.valid()) throw fail("cannot create dataset " + dataset);
    return ds;
}

void write_h5_box(hid_t dataset, const std::string& file_name, int rank, dtype t, std::int64_t channels, vec3 offset,
                  vec3 box, const void* data)
{
    if (channels == 0 || !box.all_positive()) return;
    h5_quiet quiet;
    const hsize_t start4[4] = {0, hsize_t(offset.z), hsize_t(offset.y), hsize_t(offset.x)};
    const hsize_t count4[4] = {hsize_t(channels), hsize_t(box.z), hsize_t(box.y), hsize_t(box.x)};
    const int skip = 4 - rank;
    h5_id file_space(H5Dget_space(dataset), H5Sclose);
    h5_id memory_space(H5Screate_simple(rank, count4 + skip, nullptr), H5Sclose);
    if (!file_space.valid() || !memory_space.valid() ||
        H5Sselect_hyperslab(file_space.get(), H5S_SELECT_SET, start4 + skip, nullptr, count4 + skip, nullptr) < 0 ||
        H5Dwrite(dataset, h5_memory_type(t), memory_space.get(), file_space.get(), H5P_DEFAULT, data) < 0)
        throw runtime_failure(file_name + ": writing failed" + h5_reason());
}

}  // namespace znn::io_detail
