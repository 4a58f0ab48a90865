// `znn convert`: image stacks between tif and h5 (bit-exact, or cast with --dtype), segmentations to
// affinity volumes, network outputs to 8-bit views, forward blocks to whole outputs, and network files
// between znn's layout and the original ZNN's (../shared/znn-manual.md §3, §5).
//
// Stack paths follow image_io.hpp: the format comes from the extension (.tif/.tiff, .h5/.hdf5), and an h5
// path may name its dataset ("file.h5:/group/dataset", default /main). A tif holds one channel.
// Every output is written under a temporary name and renamed into place when complete.
// Bad input (missing files, a multi-channel stack for a tif, values that do not fit) throws input_error
// naming the file; failed writes throw runtime_failure.
#pragma once

#include "znn/config.hpp"
#include "znn/forward.hpp"
#include "znn/raw_stack.hpp"

#include <cstdint>
#include <iosfwd>
#include <optional>
#include <string>
#include <vector>

namespace znn {

// ---- stacks ----

// The values of `s` as type `to`, checked, never saturated or rounded to fit:
//   integer targets take whole numbers in their range only (NaN, infinities, fractions and values out
//   of range are rejected);
//   float targets take every integer (rounded to the nearest float when it has more digits than the
//   float holds) and every float, except finite values beyond float32's range.
// Throws input_error(source, 0, ...) naming the first value that does not fit and its position
// (channel, z, y, x). The same type gives a bit-exact copy.
raw_stack cast_stack(const raw_stack& s, dtype to, const std::string& source);

// Reads `in` and writes `out`, bit-exact, or cast to `to` (cast_stack). Throws input_error (naming
// `out`) before reading when `out` is a tif and `in` has several channels.
void convert_stack(const std::string& in, const std::string& out, std::optional<dtype> to = std::nullopt);

// ---- segmentation to affinity ----

// A one-channel segmentation (any integer or whole-valued float type) to the float32 affinity maps of
// labels.hpp (x, y, z: 1 where a voxel and its predecessor along the axis share a label > 0).
raw_stack affinity_stack(const raw_stack& segmentation, const std::string& source);
// `out` must be an h5 path (three channels).
void convert_affinity(const std::string& in, const std::string& out);

// ---- 8-bit views of network outputs ----

// Channel `channel` as uint8: round(255 v) for v in [0, 1], values below 0 (and NaN) as 0, above 1 as 255.
raw_stack view_channel(const raw_stack& s, std::int64_t channel);
// Where the views of a `channels`-channel stack go: `out` itself for one channel or an h5 `out` (one
// dataset, all channels); for a tif `out` and several channels, OUT_<c>.tif (c from 0) next to it.
std::vector<std::string> view_paths(const std::string& out, std::int64_t channels);
// Writes the views and returns the files written.
std::vector<std::string> convert_view(const std::string& in, const std::string& out);

// ---- forward blocks ----

// N of the block files <output_prefix>_sample<S>_block<K>of<N>.h5 present for the samples of
// forward_range. Throws input_error(cfg.path, 0, ...) when there are none or they disagree on N.
int detect_block_count(const config& cfg);
// merge_blocks(cfg, detect_block_count(cfg), progress).
forward_result merge_forward_blocks(const config& cfg, std::ostream* progress);

// ---- network files ----

// Reads a network file written by znn or by the original ZNN and writes it in znn's layout (the .znn
// text stored, rebuilt from the groups when the file lacks it; the version stamped by this build), or,
// with `to_original`, in the original's layout (without znn's root attributes). The layers, parameters,
// momenta and learning curve are copied as they are. Throws input_error naming `in` when its layers do
// not form a valid network.
void convert_network(const std::string& in, const std::string& out, bool to_original);

}  // namespace znn
