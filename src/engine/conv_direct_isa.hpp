// Internal to src/engine (and its tests): the direct convolutions of znn/conv.hpp with the instruction
// set chosen by the caller instead of simd::best_isa(), so that tests can check every code path the CPU
// can run. Calling an isa the CPU lacks is undefined behaviour.
#pragma once

#include "simd.hpp"
#include "znn/vec3.hpp"
#include "znn/volume.hpp"

#include <span>

namespace znn::detail {

template <class T>
void conv_forward_with(simd::isa isa, const volume<T>& in, const volume<T>& kernel, vec3 sparsity, volume<T>& out);
template <class T>
void conv_backward_input_with(simd::isa isa, const volume<T>& grad_out, const volume<T>& kernel, vec3 sparsity,
                              volume<T>& grad_in);
template <class T>
void conv_backward_kernel_with(simd::isa isa, const volume<T>& in, const volume<T>& grad_out, vec3 sparsity,
                               volume<T>& grad_kernel);

template <class T>
void conv_forward_maps_with(simd::isa isa, std::span<const volume<T>* const> in,
                            std::span<const volume<T>* const> kernels, vec3 sparsity, std::span<volume<T>* const> out,
                            conv_write write = conv_write::add, const conv_finish<T>& finish = {},
                            const conv_rows& rows = {});
template <class T>
void conv_backward_input_maps_with(simd::isa isa, std::span<const volume<T>* const> grad_out,
                                   std::span<const volume<T>* const> kernels, vec3 sparsity,
                                   std::span<volume<T>* const> grad_in);
template <class T>
void conv_backward_input_padded_maps_with(simd::isa isa, std::span<const volume<T>* const> padded_grad_out,
                                          std::span<const volume<T>* const> kernels, vec3 sparsity,
                                          std::span<volume<T>* const> grad_in);
template <class T>
void conv_backward_kernel_maps_with(simd::isa isa, std::span<const volume<T>* const> in,
                                    std::span<const volume<T>* const> grad_out, vec3 sparsity,
                                    std::span<volume<T>* const> grad_kernels);

}  // namespace znn::detail
