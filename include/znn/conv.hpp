// Direct (spatial-domain) 3D convolution of one feature map with one filter: the edge primitive of a
// conv layer (manual §2). See znn/conv_fft.hpp for the same three operations computed by FFT.
//
// Semantics: true convolution (the kernel is flipped), valid mode, kernel dilated by the sparsity s of
// the edge's input node. Per axis, with K' = (K - 1)·s + 1 (the dilated extent):
//
//     out shape = in - K' + 1
//     out(v)    = Σ_t in(v + (K - 1 - t)·s) · k(t)              (t over the K-grid of the kernel)
//
// The two gradients of a scalar loss E, given g = dE/dout:
//
//     dE/din(u) = Σ_t g(u - (K - 1 - t)·s) · k(t)                (g is 0 outside its box: "full" mode)
//     dE/dk(t)  = Σ_v g(v) · in(v + (K - 1 - t)·s)
//
// All three functions ACCUMULATE into their last argument (out += ..., grad_in += ..., grad_k += ...):
// a node that sums many incoming edges needs no temporaries; zero the target first when needed.
// Shapes must agree exactly (throws std::invalid_argument otherwise); nothing is resized.
//
// Speed: the innermost loops run along x over contiguous memory with the kernel values hoisted, in
// register-blocked SIMD code chosen at run time for the CPU (AVX-512, AVX2+FMA, or portable 128-bit
// vectors), so no -march flag is needed. All functions are thread-safe for distinct outputs.
#pragma once

#include "znn/vec3.hpp"
#include "znn/volume.hpp"

#include <cstdint>
#include <functional>
#include <limits>
#include <span>

namespace znn {

// K' = (K - 1)·s + 1 per axis.
constexpr vec3 dilated_size(vec3 kernel, vec3 sparsity)
{
    return (kernel - 1) * sparsity + 1;
}

// in - K' + 1 per axis (may be non-positive when the kernel does not fit).
constexpr vec3 conv_output_shape(vec3 in, vec3 kernel, vec3 sparsity)
{
    return in - dilated_size(kernel, sparsity) + 1;
}

// out += in ⊛ kernel (dilated by sparsity). out.shape() == conv_output_shape(in, kernel, sparsity).
template <class T>
void conv_forward(const volume<T>& in, const volume<T>& kernel, vec3 sparsity, volume<T>& out);

// grad_in += dE/din given grad_out = dE/dout: the full correlation of grad_out with the dilated kernel.
// grad_out.shape() == conv_output_shape(grad_in.shape(), kernel.shape(), sparsity).
template <class T>
void conv_backward_input(const volume<T>& grad_out, const volume<T>& kernel, vec3 sparsity, volume<T>& grad_in);

// grad_kernel += dE/dk given the edge's input `in` and grad_out = dE/dout.
// grad_out.shape() == conv_output_shape(in.shape(), grad_kernel.shape(), sparsity).
template <class T>
void conv_backward_kernel(const volume<T>& in, const volume<T>& grad_out, vec3 sparsity, volume<T>& grad_kernel);

// Layer forms: the same three operations for all the edges between m input maps and n output maps at
// once, with kernel(i, j) = *kernels[i·n + j] (input map major, as ZNN stores filters[n_in][n_out]).
// Faster than m·n single-edge calls: each output row is read and written once for all its edges, and
// each input value loaded into a register serves up to 4 output maps. To split a layer into tasks,
// pass a subset of the output (or input-gradient) maps with the matching kernel pointers.
// Every volume of a list must have the same shape; accumulation and shape rules as above.

// How a layer-form call writes its outputs: added to what they hold, or overwriting it (the first of
// several calls into the same maps then needs no zeroing pass before it).
enum class conv_write { add, overwrite };

// Called once for every piece of an output map whose values a call has completed, while they are still
// in cache: `map` indexes the call's output list. The last call into a node's maps applies the transfer
// function through it instead of a pass of its own over the maps.
template <class T>
using conv_finish = std::function<void(std::size_t map, std::span<T> values)>;

// out[j] += Σ_i in[i] ⊛ kernel(i, j) (= with conv_write::overwrite), then finish on the results if given
template <class T>
void conv_forward_maps(std::span<const volume<T>* const> in, std::span<const volume<T>* const> kernels, vec3 sparsity,
                       std::span<volume<T>* const> out, conv_write write = conv_write::add,
                       const conv_finish<T>& finish = {});

// A part of every output map of a call: the planes [z0, z1) and in each the rows [y0, y1) (clamped to
// the maps).
struct conv_rows {
    std::int64_t z0 = 0, z1 = std::numeric_limits<std::int64_t>::max();
    std::int64_t y0 = 0, y1 = std::numeric_limits<std::int64_t>::max();
};

// conv_forward_maps on the values of `rows` only (the others left as they are): a layer with many input
// maps and few output maps splits into tasks by rows, each reading its rows of every input once, where
// tasks by output maps would each read every input whole (200 -> 2 maps: twice the memory traffic).
// Calls on disjoint rows of the same output maps may run concurrently.
template <class T>
void conv_forward_maps(std::span<const volume<T>* const> in, std::span<const volume<T>* const> kernels, vec3 sparsity,
                       std::span<volume<T>* const> out, const conv_rows& rows, conv_write write = conv_write::add,
                       const conv_finish<T>& finish = {});

// grad_in[i] += Σ_j dE/din[i] through kernel(i, j), given grad_out[j]
template <class T>
void conv_backward_input_maps(std::span<const volume<T>* const> grad_out, std::span<const volume<T>* const> kernels,
                              vec3 sparsity, std::span<volume<T>* const> grad_in);

// The gradient to the inputs reads the output gradients with (K-1)·s zeros around them in y and x.
// A backward pass that splits a layer into tasks pads each output gradient once and hands the padded
// maps to every task: pad_for_backward_input writes `padded` (resized only when its shape changes, so
// a buffer kept across passes costs no allocation), and conv_backward_input_padded_maps is
// conv_backward_input_maps on such maps.
template <class T>
void pad_for_backward_input(const volume<T>& grad_out, vec3 kernel, vec3 sparsity, volume<T>& padded);

template <class T>
void conv_backward_input_padded_maps(std::span<const volume<T>* const> padded_grad_out,
                                     std::span<const volume<T>* const> kernels, vec3 sparsity,
                                     std::span<volume<T>* const> grad_in);

// *grad_kernels[i·n + j] += dE/dkernel(i, j), given in[i] and grad_out[j]
template <class T>
void conv_backward_kernel_maps(std::span<const volume<T>* const> in, std::span<const volume<T>* const> grad_out,
                               vec3 sparsity, std::span<volume<T>* const> grad_kernels);

}  // namespace znn
