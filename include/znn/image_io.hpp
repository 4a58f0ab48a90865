// Image-stack files: multi-page tif and HDF5 (see ../shared/znn-manual.md §3, §5).
//
// A path names the format by its extension: .tif/.tiff or .h5/.hdf5. An h5 path may name its dataset
// as "file.h5:/group/dataset"; otherwise the dataset is "/main". h5 datasets are [z,y,x] or
// [c,z,y,x] (a 2D [y,x] dataset reads as z = 1). tif files hold one channel, one page per z.
//
// tif reading: 8/16/32/64-bit signed or unsigned integers, 32/64-bit floats, 1-bit (read as uint8
// 0/1), and 8-bit RGB/RGBA, read as R·65536 + G·256 + B into uint32 (label colours; alpha ignored).
//
// Errors: missing files, unknown extensions, missing datasets and unsupported sample formats throw
// input_error naming the file; failed writes throw runtime_failure. The HDF5 library's own error
// printing is switched off while these functions run; its messages go into the exceptions.
// The HDF5 library is not assumed thread-safe: call these from one thread at a time.
#pragma once

#include "znn/raw_stack.hpp"
#include "znn/volume.hpp"

#include <cstdint>
#include <string>

namespace znn {

struct write_options {
    int gzip_level = 4;         // h5: deflate level 0..9 (0 = none); chunked either way
    bool tif_deflate = false;   // tif: deflate-compress the pages (off: the most widely readable)
    bool h5_4d = false;         // h5: store one channel as [1,z,y,x] too (otherwise [z,y,x])
};

raw_stack read_stack(const std::string& path);
// Writes to a temporary name in the same folder, then renames it over `path`, so that a crash never
// leaves a half-written file. An h5 file is created anew (holding just this dataset). A tif takes
// one channel only.
void write_stack(const std::string& path, const raw_stack& stack, const write_options& options = {});

// Throws input_error naming the file unless it holds exactly one channel.
void require_one_channel(const std::string& path, const raw_stack& stack);

// One-channel image converted to T, whatever the stored type (use read_maps for several channels).
template <class T>
volume<T> read_image(const std::string& path)
{
    raw_stack s = read_stack(path);
    require_one_channel(path, s);
    return to_volume<T>(s);
}
// Every channel converted to T.
template <class T>
maps<T> read_maps(const std::string& path)
{
    return to_maps<T>(read_stack(path));
}
// A segmentation / label stack (any integer or float type) as uint64 ids.
volume<std::uint64_t> read_labels(const std::string& path);
// A mask: 1 where the stored value is > 0, else 0.
volume<std::uint8_t> read_mask(const std::string& path);

template <class T>
void write_image(const std::string& path, const volume<T>& v, const write_options& options = {})
{
    write_stack(path, to_stack(v), options);
}
template <class T>
void write_maps(const std::string& path, const maps<T>& m, const write_options& options = {})
{
    write_stack(path, to_stack(m), options);
}

struct stack_summary {
    dtype type = dtype::uint8;
    std::int64_t channels = 1;
    vec3 shape{0, 0, 0};
    double min = 0;                 // over all channels, NaNs skipped; 0 when there is no number
    double max = 0;
    std::int64_t nan_count = 0;
};

// Shape, type and value range, reading one plane at a time (the whole file is never in memory).
stack_summary stack_info(const std::string& path);

// Format detection by extension (case-insensitive), with the h5 dataset split off.
enum class stack_format { tif, h5 };
struct stack_path {
    std::string file;
    std::string dataset;  // h5 only: "/main" unless the path names one
    stack_format format = stack_format::tif;
};
// Throws input_error for an unknown extension.
stack_path parse_stack_path(const std::string& path);

}  // namespace znn
