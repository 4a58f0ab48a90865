// Single-edge convolution by FFT: the same three operations and contract as znn/conv.hpp (accumulate
// into the last argument, shapes must agree), computed with the pieces of znn/fft.hpp at the padded
// size fft_size(in.shape()). Used by tests and by the per-layer timing of conv mode `optimize`; the
// network executor uses fft_transformer directly so that it can reuse image transforms and sum many
// edges before one inverse.
#pragma once

#include "znn/fft.hpp"
#include "znn/vec3.hpp"
#include "znn/volume.hpp"

namespace znn {

template <class T>
void conv_fft_forward(const volume<T>& in, const volume<T>& kernel, vec3 sparsity, volume<T>& out,
                      fft_plan_cache<T>& cache);

template <class T>
void conv_fft_backward_input(const volume<T>& grad_out, const volume<T>& kernel, vec3 sparsity,
                             volume<T>& grad_in, fft_plan_cache<T>& cache);

template <class T>
void conv_fft_backward_kernel(const volume<T>& in, const volume<T>& grad_out, vec3 sparsity,
                              volume<T>& grad_kernel, fft_plan_cache<T>& cache);

// The same without a cache: plans are made (FFTW_ESTIMATE) and dropped on every call. For tests.
template <class T>
void conv_fft_forward(const volume<T>& in, const volume<T>& kernel, vec3 sparsity, volume<T>& out);
template <class T>
void conv_fft_backward_input(const volume<T>& grad_out, const volume<T>& kernel, vec3 sparsity,
                             volume<T>& grad_in);
template <class T>
void conv_fft_backward_kernel(const volume<T>& in, const volume<T>& grad_out, vec3 sparsity,
                              volume<T>& grad_kernel);

}  // namespace znn
