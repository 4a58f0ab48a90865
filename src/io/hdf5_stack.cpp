// Whole stacks in HDF5 files: one dataset, [z,y,x] or [c,z,y,x].
#include "atomic_file.hpp"
#include "hdf5_util.hpp"
#include "stack_formats.hpp"
#include "value_range.hpp"

#include <algorithm>
#include <vector>

namespace znn::io_detail {

raw_stack read_h5(const std::string& file, const std::string& dataset)
{
    h5_dataset ds(file, dataset);
    raw_stack s(ds.type(), ds.channels(), ds.shape());
    ds.read(0, ds.channels(), vec3{0, 0, 0}, ds.shape(), s.bytes.data());
    return s;
}

stack_summary h5_info(const std::string& file, const std::string& dataset)
{
    h5_dataset ds(file, dataset);
    stack_summary info;
    info.type = ds.type();
    info.channels = ds.channels();
    info.shape = ds.shape();
    value_range range;
    const h5_storage storage = ds.storage();
    if (!storage.complete) {
        // A large dataset that lacks chunks: its stored chunks, and the fill value for the rest (time in
        // proportion to what the file holds, not to what it claims).
        std::vector<std::byte> buffer;
        for (const h5_part& part : storage.stored) {
            const auto count = static_cast<std::size_t>(part.nc * part.box.volume());
            buffer.resize(count * dtype_size(info.type));
            ds.read(part.c0, part.nc, part.offset, part.box, buffer.data());
            range.add(info.type, buffer.data(), count);
        }
        if (storage.unstored_elements > 0) range.add(info.type, storage.fill.data(), 1);
        range.store_into(info);
        if (storage.unstored_elements > 0) {  // a NaN fill value counts once above, but stands for all of them
            value_range fill_only;
            stack_summary fill;
            fill_only.add(info.type, storage.fill.data(), 1);
            fill_only.store_into(fill);
            info.nan_count += fill.nan_count * (storage.unstored_elements - 1);
        }
        return info;
    }
    // Slabs as deep as the chunks, so that each chunk is decompressed once.
    const std::size_t plane = static_cast<std::size_t>(info.shape.y * info.shape.x);
    const std::size_t plane_bytes = std::max<std::size_t>(plane * dtype_size(info.type), 1);
    const auto most = static_cast<std::int64_t>((std::size_t(256) << 20) / plane_bytes);  // 256 MiB at most
    const std::int64_t depth =
        std::clamp<std::int64_t>(std::min(ds.chunk_depth(), most), 1, std::max<std::int64_t>(info.shape.z, 1));
    std::vector<std::byte> buffer(plane * static_cast<std::size_t>(depth) * dtype_size(info.type));
    for (std::int64_t c = 0; c < info.channels; ++c)
        for (std::int64_t z = 0; z < info.shape.z; z += depth) {
            const vec3 slab{std::min(depth, info.shape.z - z), info.shape.y, info.shape.x};
            ds.read(c, 1, vec3{z, 0, 0}, slab, buffer.data());
            range.add(info.type, buffer.data(), static_cast<std::size_t>(slab.volume()));
        }
    range.store_into(info);
    return info;
}

void write_h5(const std::string& file, const std::string& dataset, const raw_stack& stack, const write_options& options)
{
    atomic_file out(file);
    {
        h5_quiet quiet;
        h5_id f(H5Fcreate(out.temp_path().c_str(), H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT), H5Fclose);
        if (!f.valid()) throw runtime_failure(file + ": cannot create the file" + h5_reason());
        const int rank = (stack.channels == 1 && !options.h5_4d) ? 3 : 4;
        h5_id ds = create_h5_dataset(f.get(), file, dataset, stack.type, rank, stack.channels, stack.shape,
                                     options.gzip_level);
        write_h5_box(ds.get(), file, rank, stack.type, stack.channels, vec3{0, 0, 0}, stack.shape, stack.bytes.data());
        if (!ds.close() || !f.close()) throw runtime_failure(file + ": closing the file failed" + h5_reason());
    }
    out.commit();
}

}  // namespace znn::io_detail
