// Convolution by Winograd minimal filtering (Lavin & Gray, "Fast Algorithms for Convolutional Neural
// Networks", 2016): the same valid convolution and contract as znn/conv.hpp (true convolution,
// accumulate into the outputs, shapes must agree), with fewer multiplications for small filters.
//
// In y and x every output plane is cut into tiles of my x mx values, computed as F(m, r) with 6 x 6
// transformed tiles (alpha = m + r - 1 = 6, so m = 7 - r for filters of r = 2..5 taps); z stays a direct
// sum over the kernel's planes. A 3x3x3 filter then costs 36·3/16 = 6.75 multiplications per output and
// input map instead of 27, a 1x4x4 filter 36/9 = 4 instead of 16, a 5x5x5 one 36·5/4 = 45 instead of 125.
// The multiplications of a layer are one small matrix product per transformed component, run by the
// same register-blocked kernels as direct convolution.
//
// Like the FFT path, each source map is transformed once (winograd_maps) and the transform is shared
// by every output map that reads it; the filters are transformed on every call (a few hundred
// operations each). Needs sparsity 1 in y and x (winograd_supports); z may be sparse.
//
// Accuracy: the transforms use the interpolation points 0, ±1, ±1/2 and infinity; float results differ
// from direct convolution by a few 1e-6 relative to the largest output (tested to 1e-4).
#pragma once

#include "znn/vec3.hpp"
#include "znn/volume.hpp"

#include <cstdint>
#include <span>

namespace znn {

// Whether the Winograd path computes a conv with this kernel shape and sparsity: 2..5 taps in y and x,
// sparsity 1 in y and x, any kernel depth and z sparsity.
bool winograd_supports(vec3 kernel, vec3 sparsity);

// The tiling of one geometry: source maps of shape `source` read by a kernel of shape `kernel` with
// sparsity `sparsity`, giving valid-mode planes of source.y - kernel.y + 1 by source.x - kernel.x + 1.
struct winograd_tiling {
    static constexpr int alpha = 6;  // transformed tile side

    vec3 source, kernel, sparsity;
    int my = 0, mx = 0;                      // outputs per tile in y and x
    std::int64_t out_y = 0, out_x = 0;       // valid output plane
    std::int64_t tiles_y = 0, tiles_x = 0;   // tiles per plane (the last ones may stick out)
    // Tiles per row as stored: tiles_x and (alpha - 1) / mx more, which the transforms compute and drop.
    // They let every transform run as one loop over all the tiles of a plane (winograd_impl.inc).
    std::int64_t row_tiles = 0;
    std::int64_t stride = 0;                 // tiles per transformed component (tiles_y·row_tiles), rounded up to 16

    winograd_tiling() = default;
    // Throws std::invalid_argument when !winograd_supports(kernel, sparsity) or the kernel does not fit.
    winograd_tiling(vec3 source, vec3 kernel, vec3 sparsity);

    static constexpr int components() { return alpha * alpha; }
};

// The transforms of a list of `count` maps of shape tiling.source (one node's maps), stored for the
// multiplications: per source plane z and component c, the rows of all the maps one after the other,
// data[((z·36 + c)·count + s)·stride + t], so that the products of a component read one contiguous
// panel per plane (a matrix product with fixed strides, as in a GEMM).
template <class T>
class winograd_maps {
public:
    winograd_maps() = default;
    winograd_maps(const winograd_tiling& tiling, std::size_t count);

    // Transforms map `index` (shape tiling().source) into its rows. Thread-safe for distinct indices.
    void transform(std::size_t index, const volume<T>& map);

    const winograd_tiling& tiling() const { return tiling_; }
    std::size_t count() const { return count_; }
    const T* data() const { return data_.data(); }

private:
    winograd_tiling tiling_;
    std::size_t count_ = 0;
    volume<T> data_;
};

// out[j] += Σ_i in[i] ⊛ kernel(i, j), kernel(i, j) = *kernels[i·n + j], given the transforms of the
// input maps (in.tiling().source = input shape). out[j].shape() == conv_output_shape(input, kernel,
// sparsity). As conv_forward_maps, any subset of the output maps may be passed with their kernels.
template <class T>
void winograd_forward_maps(const winograd_maps<T>& in, std::span<const volume<T>* const> kernels,
                           std::span<volume<T>* const> out);

// grad_in[i] += Σ_j dE/din[i] through kernel(i, j), kernel(i, j) = *kernels[i·n + j], given the
// transforms of the n output gradients padded as by pad_for_backward_input (their tiling made by
// winograd_backward_tiling).
template <class T>
void winograd_backward_input_maps(const winograd_maps<T>& padded_grad_out, std::span<const volume<T>* const> kernels,
                                  std::span<volume<T>* const> grad_in);

// The tiling of the padded output gradients of a layer whose input maps have shape `input`.
winograd_tiling winograd_backward_tiling(vec3 input, vec3 kernel, vec3 sparsity);

// Single calls that transform their own sources: the layer forms of znn/conv.hpp computed by Winograd.
// For tests and for the per-layer timing of conv mode `optimize`.
template <class T>
void conv_winograd_forward_maps(std::span<const volume<T>* const> in, std::span<const volume<T>* const> kernels,
                                vec3 sparsity, std::span<volume<T>* const> out);
template <class T>
void conv_winograd_backward_input_maps(std::span<const volume<T>* const> grad_out,
                                       std::span<const volume<T>* const> kernels, vec3 sparsity,
                                       std::span<volume<T>* const> grad_in);

}  // namespace znn
