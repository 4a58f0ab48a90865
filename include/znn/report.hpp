// Reports behind `znn inspect`: what a file holds, for people (text), for spreadsheets (the learning
// curve as CSV) and for the eye (the learning curve as an SVG plot drawn by znn itself).
//
// The kind of file is told by its name (../shared/znn-manual.md §5):
//   .znn                      a network architecture (describe_network)
//   .h5/.hdf5 holding a network (the group /processing/znn/train/network, or the original's older layout
//                             with layer groups carrying group_type at the root, and no /main dataset)
//                             a saved network: architecture, parameters, iteration, dtype, cfg, curve
//   other .h5/.hdf5[:/dataset], .tif/.tiff
//                             an image stack: shape, channels, dtype, value range, NaN count
// Every error is an input_error naming the file.
#pragma once

#include "znn/net_file.hpp"
#include "znn/vec3.hpp"

#include <cstddef>
#include <cstdint>
#include <iosfwd>
#include <optional>
#include <string>
#include <vector>

namespace znn {

enum class inspect_kind { net_spec, net_file, stack };

// Throws input_error for a missing file or an unknown extension. An .h5 path that names a dataset
// ("file.h5:/data") is always a stack.
inspect_kind detect_inspect_kind(const std::string& path);

// True when `file` is an HDF5 file holding a network (see above); false for anything else, including
// files that are not HDF5 or do not exist.
bool holds_network(const std::string& file);

struct inspect_options {
    std::optional<vec3> outsz;  // networks: also every node's size for this output patch
    std::string curve_csv;      // network .h5: write the learning curve here ("" = no)
    std::string curve_svg;      // network .h5: plot the learning curve here ("" = no)
};

// Reads `path`, prints its report on `out`, and writes the files the options ask for. Throws
// input_error when --curve/--plot are given for a file without a learning curve (a .znn or a stack).
void inspect_file(const std::string& path, const inspect_options& options, std::ostream& out);

// ---- saved networks ----

// The architecture (describe_network over network_text(net), or a list of the stored layers when that
// text is no valid network), the stored parameter count, the field of view, the iteration, the dtype,
// the znn version, the stored cfg and the last `curve_rows` points of each learning curve.
void describe_net_file(const net_file& net, const std::string& path, std::optional<vec3> outsz, std::ostream& out,
                       std::size_t curve_rows = 10);

// Weights and biases stored in the file (filters + biases of every layer).
std::int64_t stored_parameter_count(const net_file& net);

// ---- learning curves ----

// One point of a curve: iteration, cost (the file's err), classification error (cls), and for train
// points the seconds since training began (NaN when not stored).
struct curve_point {
    double iteration = 0, cost = 0, error = 0, elapsed = 0;
};
// The points of one phase; series of unequal length (damaged files) are cut to the shortest of it/err/cls.
std::vector<curve_point> train_points(const learning_curve& curve);
std::vector<curve_point> test_points(const learning_curve& curve);

// The last `rows` points of train and test as aligned text tables.
void write_curve_table(const learning_curve& curve, std::ostream& out, std::size_t rows = 10);

// Header `phase,iteration,cost,error,elapsed`, then one row per train point and one per test point (test
// rows and train rows without a time leave elapsed empty). Numbers in their shortest exact form
// (iterations as integers); NaN as "nan".
void write_curve_csv(const learning_curve& curve, std::ostream& out);

// An SVG image (no dependencies): two panels, cost and classification error against iteration, train
// and test lines, axes with ticks and labels, a legend. Non-finite values are left out (the line breaks);
// a phase without points is left out of the legend; a single point shows as a dot. `title` is escaped.
void write_curve_svg(const learning_curve& curve, const std::string& title, std::ostream& out);

// The two above into files, atomically (temporary name, then rename). Throws runtime_failure on I/O errors.
void save_curve_csv(const std::string& path, const learning_curve& curve);
void save_curve_svg(const std::string& path, const learning_curve& curve, const std::string& title);

// ---- image stacks ----

// Shape, channels, dtype, value range and NaN count (from stack_info: one plane in memory at a time).
void describe_stack(const std::string& path, std::ostream& out);

}  // namespace znn
