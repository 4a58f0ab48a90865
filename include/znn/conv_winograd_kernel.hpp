// Filter gradients by Winograd minimal filtering: the adjoint of znn/conv_winograd.hpp's forward pass.
//
// The forward pass computes each output tile as Y = AT·(U ⊙ V)·ATᵀ (U = G·g·Gᵀ the transformed filter
// plane, V = BT·d·BTᵀ the transformed input tile, see conv_winograd.hpp). Its adjoint in U is
//     dE/dU = Σ_tiles (ATᵀ·dY·AT) ⊙ V,     dE/dg = Gᵀ · dE/dU · G
// so the filter gradients take the input maps' transforms of the forward pass (winograd_maps), transform
// each output gradient once into alpha x alpha tiles (winograd_gradients), and reduce, per transformed
// component, one matrix product over every tile of every plane: n x T times T x m for n output and m
// input maps. In 6 x 6 tiles a 3x3 filter then costs 36/16 = 2.25 multiplications per output and map
// pair and kernel plane instead of 9, a 5x5 one 36/4 = 9 instead of 25 (8 x 8 tiles: 1.78 and 4).
//
// Sums run in a fixed order (per component, over planes and tiles in order, in vector partial sums), so
// the result does not depend on how the components are spread over threads.
#pragma once

#include "znn/conv_winograd.hpp"
#include "znn/vec3.hpp"
#include "znn/volume.hpp"

#include <cstdint>
#include <memory>
#include <span>
#include <vector>

namespace znn {

// The transforms ATᵀ·dY·AT of the tiles of `count` output gradients of a layer whose forward pass used
// `tiling` (shape conv_output_shape(tiling.source, tiling.kernel, tiling.sparsity)): per output plane z and
// component c, data[((z·components + c)·rows + j)·stride + t], the layout of winograd_maps over the forward
// tiling's tiles (the values outside the output, and of dropped tiles and windows, are zeros).
template <class T>
class winograd_gradients {
public:
    winograd_gradients() = default;
    winograd_gradients(const winograd_tiling& tiling, std::size_t count);
    // The same in `storage` (at least storage_size(tiling, count) values), shared as for winograd_maps.
    winograd_gradients(const winograd_tiling& tiling, std::size_t count, std::shared_ptr<volume<T>> storage);
    static std::size_t storage_size(const winograd_tiling& tiling, std::size_t count);

    // Transforms output gradient `index`. Thread-safe for distinct indices.
    void transform(std::size_t index, const volume<T>& grad_out);

    const winograd_tiling& tiling() const { return tiling_; }
    vec3 output_shape() const { return output_; }
    std::size_t count() const { return count_; }
    std::size_t rows() const { return count_ | 1; }
    const T* data() const { return data_->data(); }

private:
    winograd_tiling tiling_;
    vec3 output_{0, 0, 0};
    std::size_t count_ = 0;
    std::shared_ptr<volume<T>> data_;
};

// dE/dU of every filter of a layer (m input maps, n output maps), computed one transformed component at
// a time, then turned into filter gradients.
template <class T>
class winograd_kernel_sums {
public:
    winograd_kernel_sums() = default;
    winograd_kernel_sums(const winograd_tiling& tiling, std::size_t m, std::size_t n);

    int components() const { return tiling_.components(); }
    // Component c (0..components() - 1) of dE/dU for every filter, from the forward transforms of the m input maps and
    // the transforms of the n output gradients (the same tiling). Thread-safe for distinct components.
    void compute(int component, const winograd_maps<T>& in, const winograd_gradients<T>& grad);
    // *grad_kernels[i·n + j] += dE/dkernel(i, j) once every component is computed.
    void add_to(std::span<volume<T>* const> grad_kernels) const;

private:
    winograd_tiling tiling_;
    std::size_t m_ = 0, n_ = 0;
    std::vector<T> sums_;  // sums_[(c·m·n + i·n + j)·kernel.z + az]
};

// *grad_kernels[i·n + j] += dE/dkernel(i, j) given in[i] and grad_out[j]: conv_backward_kernel_maps by
// Winograd in tiles of alpha x alpha, transforming its own inputs (for tests and for the per-layer timing of
// conv mode optimize).
template <class T>
void conv_winograd_backward_kernel_maps(std::span<const volume<T>* const> in, std::span<const volume<T>* const> grad_out,
                                        vec3 sparsity, std::span<volume<T>* const> grad_kernels, int alpha = 6);

}  // namespace znn
