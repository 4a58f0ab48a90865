// Convolution by Winograd minimal filtering (Lavin & Gray, "Fast Algorithms for Convolutional Neural
// Networks", 2016): the same valid convolution and contract as znn/conv.hpp (true convolution,
// accumulate into the outputs, shapes must agree), with fewer multiplications for small filters.
//
// In y and x every output plane is cut into tiles of my x mx values, computed as F(m, r) with alpha x alpha
// transformed tiles (alpha = m + r - 1 = 6 or 8, so m = alpha + 1 - r for filters of r = 2..5 taps); z
// stays a direct sum over the kernel's planes. With 6 x 6 tiles a 3x3x3 filter costs 36·3/16 = 6.75
// multiplications per output and input map instead of 27, a 1x4x4 filter 36/9 = 4 instead of 16, a 5x5x5
// one 36·5/4 = 45 instead of 125; with 8 x 8 tiles (filters square in y and x only) 64·3/36 = 5.33, 64/25 =
// 2.56 and 64·5/16 = 20, at the cost of larger transforms that pay only on planes of many tiles.
// The multiplications of a layer are one small matrix product per transformed component, run by the
// same register-blocked kernels as direct convolution. Filters of 6 to 15 taps in y or x are cut into
// pieces of at most 5 taps (winograd_tiling::pieces), summed in the transformed domain.
//
// Like the FFT path, each source map is transformed once (winograd_maps) and the transform is shared
// by every output map that reads it; the filters are transformed on every call (a few hundred
// operations each). The forward pass can also be fused (winograd_forward_fused): the transforms of
// one chunk of tiles at a time, made just before its products, nothing stored.
//
// Any sparsity: z stays a direct sum over sparse planes, and a filter sparse in y and x is a dense one
// on each sub-lattice (phase) of the planes: the transform first de-interleaves a plane into its phases
// side by side (sy x sx blocks of sub_height x sub_width values), which is then tiled like a dense
// plane; the outputs of windows that straddle two blocks are computed and dropped.
//
// Accuracy: the 6 x 6 transforms use the interpolation points 0, ±1, ±1/2 and infinity; float results
// differ from direct convolution by a few 1e-6 relative to the largest output (tested to 1e-4). The 8 x 8
// ones add ±2, with about the same error (48 summed 3x3x3 edges: 8.0e-6 against 7.4e-6 in 6 x 6 tiles and
// 1.2e-6 direct; tested to 2e-5).
#pragma once

#include "znn/conv.hpp"
#include "znn/vec3.hpp"
#include "znn/volume.hpp"

#include <cstdint>
#include <functional>
#include <limits>
#include <memory>
#include <span>
#include <vector>

namespace znn {

// Whether the Winograd path computes a conv with this kernel shape and sparsity: 2..15 taps in y and x,
// any kernel depth and sparsity. A filter of more than 5 taps in y or x is cut into pieces of at most 5
// (winograd_tiling::pieces).
bool winograd_supports(vec3 kernel, vec3 sparsity);

// Whether winograd_forward_fused takes this kernel: 2..15 taps in y and x, as the stored form (a filter in
// pieces: each piece's tiles transformed from the source shifted by the piece's offset).
bool winograd_fused_supports(vec3 kernel);

// Whether the kernel is a single Winograd piece (at most 5 taps in y and x).
bool winograd_one_piece(vec3 kernel);

// The transformed tile sides a kernel can be tiled with: 6 always (when supported), 8 when it is also
// square in y and x (the transforms are compiled per tile shape; square ones keep their number small).
bool winograd_supports_alpha(vec3 kernel, int alpha);

// The tiling of one geometry: source maps of shape `source` read by a kernel of shape `kernel` with
// sparsity `sparsity`, giving valid-mode planes of source.y - kernel.y + 1 by source.x - kernel.x + 1.
struct winograd_tiling {
    int alpha = 6;  // transformed tile side: 6 or 8

    vec3 source, kernel, sparsity;
    int my = 0, mx = 0;                      // outputs per tile in y and x
    std::int64_t out_y = 0, out_x = 0;       // valid output plane
    // Sub-lattices of a plane (sparsity.y·sparsity.x; 1 for a filter dense in y and x), each of at most
    // sub_height x sub_width source values. Phase (py, px) holds the values at (py + sy·j, px + sx·i); the
    // de-interleaved plane puts it at rows py·sub_height + j, columns px·sub_width + i.
    std::int64_t phases = 1, sub_height = 0, sub_width = 0;
    // The valid output plane of the plane that is tiled: out_y x out_x, or for a phased tiling the
    // de-interleaved plane's (sy·sub_height - kernel.y + 1 rows, whose row py·sub_height + j is output row
    // py + sy·j when that lies inside; likewise in x).
    std::int64_t tiled_y = 0, tiled_x = 0;
    std::int64_t tiles_y = 0, tiles_x = 0;   // tiles of that plane (the last ones may stick out)
    // Tiles per row as stored: tiles_x and (alpha - 1) / mx more, which the transforms compute and drop.
    // They let every transform run as one loop over all the tiles of a plane (winograd_impl.inc).
    std::int64_t row_tiles = 0;
    // Values per transformed row: tiles_y·row_tiles and 15 more (the vectors of 16 tiles a region's
    // loops run over may end past the last tile), rounded up to an odd multiple of 16.
    std::int64_t stride = 0;
    // A filter of more than 5 taps in y or x is the sum of pieces_y x pieces_x filters of piece_y x
    // piece_x taps (the last ones padded with zeros), piece (qy, qx) reading the source shifted by
    // qy·piece_y rows and qx·piece_x columns of the tiled plane. Each piece of a source map is transformed
    // like a map of its own (winograd_maps stores count·pieces() rows) and its products summed with the
    // others' before the one inverse transform per tile: a 7x7x7 filter in 8 x 8 tiles of four 4x4x7
    // pieces costs 4·64·7/25 = 72 multiplications per output and input map instead of 343. A filter of
    // at most 5 taps is one piece of its own size.
    int pieces_y = 1, pieces_x = 1;
    int piece_y = 0, piece_x = 0;

    winograd_tiling() = default;
    // Throws std::invalid_argument when !winograd_supports(kernel, sparsity), the kernel does not fit, or
    // !winograd_supports_alpha(kernel, alpha).
    winograd_tiling(vec3 source, vec3 kernel, vec3 sparsity, int alpha = 6);

    int components() const { return alpha * alpha; }
    int pieces() const { return pieces_y * pieces_x; }
    // The first row and column of piece k's taps (k = qy·pieces_x + qx).
    std::int64_t piece_row(int k) const { return static_cast<std::int64_t>(k / pieces_x) * piece_y; }
    std::int64_t piece_column(int k) const { return static_cast<std::int64_t>(k % pieces_x) * piece_x; }
    // Whether the filter is sparse in y or x: the rows of tiles are rows of the de-interleaved plane
    // (winograd_region's y limits count those rows).
    bool phased() const { return phases > 1; }
    // The output row of row y of the tiled plane, or -1 for none (past the output, or a row of windows
    // across two phases).
    std::int64_t output_row(std::int64_t y) const
    {
        const std::int64_t py = phased() ? y / sub_height : 0, oy = py + sparsity.y * (y - py * sub_height);
        return oy < out_y ? oy : -1;
    }
};

// The transforms of a list of `count` maps of shape tiling.source (one node's maps), stored for the
// multiplications: per source plane z and component c (of tiling.components()), the rows of all the maps
// one after the other, data[((z·components + c)·rows + s)·stride + t], so that the products of a component read one contiguous
// panel per plane (a matrix product with fixed strides, as in a GEMM). A filter in pieces stores
// sources() = count·pieces rows, piece k of map i at s = i·pieces + k; rows = sources() rounded up to
// odd (see winograd_tiling::stride). Copies share the storage.
template <class T>
class winograd_maps {
public:
    winograd_maps() = default;
    winograd_maps(const winograd_tiling& tiling, std::size_t count);
    // The same in `storage` (at least storage_size(tiling, count) values), which other winograd_maps
    // may use too: the caller keeps their uses apart in time (the network's layers one after the other).
    winograd_maps(const winograd_tiling& tiling, std::size_t count, std::shared_ptr<volume<T>> storage);
    // Values of the storage of `count` maps transformed with `tiling`.
    static std::size_t storage_size(const winograd_tiling& tiling, std::size_t count);

    // Transforms map `index` (shape tiling().source) into its rows. Thread-safe for distinct indices.
    void transform(std::size_t index, const volume<T>& map);

    const winograd_tiling& tiling() const { return tiling_; }
    std::size_t count() const { return count_; }
    // Transformed rows per component and plane: one per map and piece of the filter.
    std::size_t sources() const { return count_ * static_cast<std::size_t>(tiling_.pieces()); }
    std::size_t rows() const { return sources() | 1; }  // rows per component, >= sources()
    const T* data() const { return data_->data(); }

private:
    winograd_tiling tiling_;
    std::size_t count_ = 0;
    std::shared_ptr<volume<T>> data_;
};

// The filters of a layer transformed and packed for the multiplications of winograd_*_maps. Made once
// per change of the filters and shared by all the calls (and threads) that use them.
template <class T>
class winograd_filters {
public:
    winograd_filters() = default;
    // For the forward pass from the m input maps transformed with `tiling` to n output maps:
    // kernel(i, j) = *kernels[i·n + j].
    static winograd_filters forward(const winograd_tiling& tiling, std::span<const volume<T>* const> kernels,
                                    std::size_t m, std::size_t n);
    // For the gradient to the m input maps from the n padded output gradients transformed with `tiling`
    // (winograd_backward_tiling): kernel(i, j) = *kernels[i·n + j].
    static winograd_filters backward_input(const winograd_tiling& tiling, std::span<const volume<T>* const> kernels,
                                           std::size_t m, std::size_t n);

    std::size_t sources() const { return sources_; }
    std::size_t targets() const { return targets_; }
    vec3 kernel() const { return kernel_; }
    int alpha() const { return alpha_; }  // the tiling's transformed tile side
    int block() const { return block_; }  // output maps per register block of the packing
    const T* data() const { return packed_.data(); }

private:
    std::vector<T> packed_;
    std::size_t sources_ = 0, targets_ = 0;
    vec3 kernel_{0, 0, 0};
    int alpha_ = 0;
    int block_ = 0;
    friend struct winograd_filters_access;
};

// A part of the outputs of a call: the planes [z0, z1) and the tiles whose first row lies in [y0, y1),
// i.e. the rows from y0 (a multiple of tiling.my) to y1 (or the end). For a phased tiling these are rows
// of the de-interleaved plane (tiling.tiled_y of them), each one output row (or none). Calls on
// disjoint regions of the same output maps may run concurrently: so a layer splits into tasks that each
// read every source once for all the output maps.
struct winograd_region {
    std::int64_t z0 = 0, z1 = std::numeric_limits<std::int64_t>::max();
    std::int64_t y0 = 0, y1 = std::numeric_limits<std::int64_t>::max();
};

// A function of each value alone, the same for all the values of one output map (the transfer function
// with the map's bias), that a forward call overwriting its outputs applies to its results before it
// writes them: out[j] = f_j(Σ_i in[i] ⊛ kernel(i, j)). Called as f(j, values) on blocks of a few
// thousand values in the call's scratch (in L1) just after the inverse transform; a block may hold
// values past the output's edge that the call then drops. Saves the pass of its own over the maps
// that the function would take afterwards (re-reading every map from L2 or L3).
template <class T>
using winograd_elementwise = std::function<void(std::size_t map, std::span<T> values)>;

// out[j] += Σ_i in[i] ⊛ kernel(i, j) over `region` (= with conv_write::overwrite), given the
// transforms of the input maps (in.tiling().source = input shape) and the filters of all the output maps
// in `out`. out[j].shape() == conv_output_shape(input, kernel, sparsity). `elementwise`, if given, needs
// conv_write::overwrite (see winograd_elementwise).
template <class T>
void winograd_forward_maps(const winograd_maps<T>& in, const winograd_filters<T>& filters,
                           std::span<volume<T>* const> out, const winograd_region& region = {},
                           conv_write write = conv_write::add, const winograd_elementwise<T>& elementwise = {});

// The same as winograd_forward_maps from the input maps themselves (shape tiling.source), fused: the
// transforms of a part of the inputs at a time are made just before their products, instead of the
// whole layer's being stored and read back. A filter of one plane transforms each chunk of tiles into a
// per-thread buffer that stays in the core's cache while the products read it; a deeper one a slab of
// source planes for a block of tiles (the sources of some output planes: each source plane is then
// transformed about twice), into scratch the call allocates, at most winograd_fused_scratch_bytes.
// Conv mode `optimize` times both forms per layer. Any filter winograd_fused_supports.
template <class T>
void winograd_forward_fused(const winograd_tiling& tiling, std::span<const volume<T>* const> in,
                            const winograd_filters<T>& filters, std::span<volume<T>* const> out,
                            const winograd_region& region = {}, conv_write write = conv_write::add,
                            const winograd_elementwise<T>& elementwise = {});

// Bytes of the scratch one call of winograd_forward_fused allocates for `maps` input maps of values of
// value_bytes each (0 for a filter of one plane; at most 512 MiB).
std::int64_t winograd_fused_scratch_bytes(const winograd_tiling& tiling, std::size_t maps, std::size_t value_bytes);

// The same with the filters transformed for this call, kernel(i, j) = *kernels[i·n + j]. As with
// conv_forward_maps, any subset of the output maps may be passed with their kernels.
template <class T>
void winograd_forward_maps(const winograd_maps<T>& in, std::span<const volume<T>* const> kernels,
                           std::span<volume<T>* const> out);

// grad_in[i] += Σ_j dE/din[i] through kernel(i, j) over `region` (= with conv_write::overwrite), given
// the transforms of the n output gradients padded as by pad_for_backward_input (their tiling made by
// winograd_backward_tiling) and the filters (winograd_filters::backward_input) of all the input gradients
// in `grad_in`.
template <class T>
void winograd_backward_input_maps(const winograd_maps<T>& padded_grad_out, const winograd_filters<T>& filters,
                                  std::span<volume<T>* const> grad_in, const winograd_region& region = {},
                                  conv_write write = conv_write::add);

// The same with the filters transformed for this call, kernel(i, j) = *kernels[i·n + j].
template <class T>
void winograd_backward_input_maps(const winograd_maps<T>& padded_grad_out, std::span<const volume<T>* const> kernels,
                                  std::span<volume<T>* const> grad_in);

// The tiling of the padded output gradients of a layer whose input maps have shape `input`.
winograd_tiling winograd_backward_tiling(vec3 input, vec3 kernel, vec3 sparsity, int alpha = 6);

// Single calls that transform their own sources: the layer forms of znn/conv.hpp computed by Winograd
// in tiles of alpha x alpha. For tests and for the per-layer timing of conv mode `optimize`.
template <class T>
void conv_winograd_forward_maps(std::span<const volume<T>* const> in, std::span<const volume<T>* const> kernels,
                                vec3 sparsity, std::span<volume<T>* const> out, int alpha = 6);
template <class T>
void conv_winograd_backward_input_maps(std::span<const volume<T>* const> grad_out,
                                       std::span<const volume<T>* const> kernels, vec3 sparsity,
                                       std::span<volume<T>* const> grad_in, int alpha = 6);

}  // namespace znn
