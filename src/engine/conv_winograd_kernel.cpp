// Filter gradients by Winograd (znn/conv_winograd_kernel.hpp): storage, argument checks, the final
// Gᵀ·dU·G per filter, and the choice of instruction set. The transforms and the products live in
// winograd_kernel_impl.inc, compiled here once per instruction set (after the forward pass's
// winograd_impl.inc, whose helpers they share; nothing of it is instantiated here).
#include "znn/conv_winograd_kernel.hpp"

#include "znn/conv.hpp"

#include "shape_checks.hpp"
#include "simd.hpp"
#include "winograd_matrices.hpp"

#include <algorithm>
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <type_traits>
#include <vector>

#if defined(__SSE2__)
#include <immintrin.h>  // the non-temporal stores of the transforms
#endif

namespace znn::wino_kgrad_generic {
#define ZNN_SIMD_BYTES 16
#include "simd_pack.inc"
#include "conv_row_kernels.inc"
#include "conv_direct_impl.inc"
#include "winograd_gather.inc"
#include "winograd_split.inc"
#include "winograd_impl.inc"
#include "winograd_kernel_impl.inc"
#undef ZNN_SIMD_BYTES
}  // namespace znn::wino_kgrad_generic

#if ZNN_X86_DISPATCH
#pragma GCC push_options
#pragma GCC target("avx2,fma")
namespace znn::wino_kgrad_avx2 {
#define ZNN_SIMD_BYTES 32
#include "simd_pack.inc"
#include "conv_row_kernels.inc"
#include "conv_direct_impl.inc"
#include "winograd_gather.inc"
#include "winograd_split.inc"
#include "winograd_impl.inc"
#include "winograd_kernel_impl.inc"
#undef ZNN_SIMD_BYTES
}  // namespace znn::wino_kgrad_avx2
#pragma GCC pop_options

#pragma GCC push_options
#pragma GCC target("avx512f,avx2,fma")
namespace znn::wino_kgrad_avx512 {
#define ZNN_SIMD_BYTES 64
#include "simd_pack.inc"
#include "conv_row_kernels.inc"
#include "conv_direct_impl.inc"
#include "winograd_gather.inc"
#include "winograd_split.inc"
#include "winograd_impl.inc"
#include "winograd_kernel_impl.inc"
#undef ZNN_SIMD_BYTES
}  // namespace znn::wino_kgrad_avx512
#pragma GCC pop_options
#endif

namespace znn {
namespace {

template <class T>
using cptrs = std::span<const volume<T>* const>;
template <class T>
using ptrs = std::span<volume<T>* const>;

const detail::shape_checks checks{"winograd filter gradient"};

[[noreturn]] void fail(const std::string& what)
{
    checks.fail(what);
}

#define ZNN_DISPATCH(NAME, ...) ZNN_DISPATCH_ISA(simd::best_isa(), wino_kgrad, NAME, __VA_ARGS__)

}  // namespace

template <class T>
std::size_t winograd_gradients<T>::storage_size(const winograd_tiling& tiling, std::size_t count)
{
    const vec3 out = conv_output_shape(tiling.source, tiling.kernel, tiling.sparsity);
    return static_cast<std::size_t>(out.z * tiling.components() * tiling.stride) * (count | 1);
}

template <class T>
winograd_gradients<T>::winograd_gradients(const winograd_tiling& tiling, std::size_t count)
    : winograd_gradients(tiling, count,
                         std::make_shared<volume<T>>(vec3{1, 1, static_cast<std::int64_t>(storage_size(tiling, count))}))
{
}

template <class T>
winograd_gradients<T>::winograd_gradients(const winograd_tiling& tiling, std::size_t count,
                                          std::shared_ptr<volume<T>> storage)
    : tiling_(tiling), output_(conv_output_shape(tiling.source, tiling.kernel, tiling.sparsity)), count_(count),
      data_(std::move(storage))
{
    if (count == 0) fail("no gradients to transform");
    if (!data_ || data_->size() < storage_size(tiling, count))
        fail("storage of " + std::to_string(data_ ? data_->size() : 0) + " values for " + std::to_string(count) +
             " gradients that need " + std::to_string(storage_size(tiling, count)));
}

template <class T>
void winograd_gradients<T>::transform(std::size_t index, const volume<T>& grad_out)
{
    if (index >= count_) fail("gradient " + std::to_string(index) + " of " + std::to_string(count_));
    checks.require(grad_out.shape(), output_, "output gradient");
    ZNN_DISPATCH(transform_gradient, tiling_, grad_out.data(), output_.z, data_->data(), index, rows())
}

template <class T>
winograd_kernel_sums<T>::winograd_kernel_sums(const winograd_tiling& tiling, std::size_t m, std::size_t n)
    : tiling_(tiling), m_(m), n_(n),
      sums_(static_cast<std::size_t>(tiling.components()) * m * static_cast<std::size_t>(tiling.pieces()) * n *
                static_cast<std::size_t>(tiling.kernel.z),
            T(0))
{
    if (m == 0 || n == 0) fail("no maps");
}

template <class T>
void winograd_kernel_sums<T>::compute(int component, const winograd_maps<T>& in, const winograd_gradients<T>& grad)
{
    const int C = tiling_.components();
    if (component < 0 || component >= C) fail("component " + std::to_string(component) + " of " + std::to_string(C));
    auto same = [](const winograd_tiling& a, const winograd_tiling& b) {
        return a.source == b.source && a.kernel == b.kernel && a.sparsity == b.sparsity && a.alpha == b.alpha;
    };
    if (!same(in.tiling(), tiling_) || !same(grad.tiling(), tiling_))
        fail("transforms of another geometry than the sums' (input " + in.tiling().source.dims() + ", kernel " +
             tiling_.kernel.dims() + ")");
    if (in.count() != m_ || grad.count() != n_)
        fail(std::to_string(in.count()) + " input maps and " + std::to_string(grad.count()) +
             " gradients, expected " + std::to_string(m_) + " and " + std::to_string(n_));
    const std::size_t per_component = in.sources() * n_ * static_cast<std::size_t>(tiling_.kernel.z);
    ZNN_DISPATCH(kernel_component, tiling_, component, in.data(), in.sources(), in.rows(), grad.data(), n_, grad.rows(),
                 grad.output_shape().z, sums_.data() + component * per_component)
}

template <class T>
void winograd_kernel_sums<T>::add_to(ptrs<T> grad_kernels) const
{
    const vec3 K = tiling_.kernel;
    if (grad_kernels.size() != m_ * n_)
        fail(std::to_string(grad_kernels.size()) + " kernel gradients, expected " + std::to_string(m_ * n_));
    checks.require(checks.common_shape(grad_kernels, "kernel gradients"), K, "kernel gradient");
    const int P = tiling_.pieces(), py = tiling_.piece_y, px = tiling_.piece_x, A = tiling_.alpha;
    const std::size_t per_component = m_ * static_cast<std::size_t>(P) * n_ * static_cast<std::size_t>(K.z);
    std::vector<double> half(static_cast<std::size_t>(A * px));
    for (std::size_t i = 0; i < m_; ++i)
        for (std::size_t j = 0; j < n_; ++j) {
            volume<T>& dk = *grad_kernels[i * n_ + j];
            for (int piece = 0; piece < P; ++piece) {
                // Source row i·P + piece (winograd_maps): the piece's taps start at (y0, x0).
                const std::int64_t y0 = tiling_.piece_row(piece), x0 = tiling_.piece_column(piece);
                const std::size_t pair = (i * static_cast<std::size_t>(P) + static_cast<std::size_t>(piece)) * n_ + j;
                for (std::int64_t az = 0; az < K.z; ++az) {
                    const std::size_t at = pair * static_cast<std::size_t>(K.z) + static_cast<std::size_t>(az);
                    // half[k·px + b] = Σ_l dU[k·A + l] · G_x[l][b]; dg(a, b) = Σ_k G_y[k][a] · half[k·px + b].
                    for (int k = 0; k < A; ++k)
                        for (int b = 0; b < px; ++b) {
                            double sum = 0;
                            for (int l = 0; l < A; ++l)
                                sum += static_cast<double>(sums_[(k * A + l) * per_component + at]) * winograd::G(A, px, l, b);
                            half[k * px + b] = sum;
                        }
                    // The forward pass transformed the filter flipped in all three axes (transform_filters);
                    // the taps of the last pieces past the kernel's end are the zeros it padded with.
                    for (int a = 0; a < py && y0 + a < K.y; ++a)
                        for (int b = 0; b < px && x0 + b < K.x; ++b) {
                            double sum = 0;
                            for (int k = 0; k < A; ++k) sum += winograd::G(A, py, k, a) * half[k * px + b];
                            dk(K.z - 1 - az, K.y - 1 - (y0 + a), K.x - 1 - (x0 + b)) += static_cast<T>(sum);
                        }
                }
            }
        }
}

template <class T>
void conv_winograd_backward_kernel_maps(cptrs<T> in, cptrs<T> grad_out, vec3 sparsity, ptrs<T> grad_kernels, int alpha)
{
    if (grad_kernels.empty()) fail("no kernel gradients");
    const winograd_tiling tiling(checks.common_shape(in, "input maps"), grad_kernels[0]->shape(), sparsity, alpha);
    winograd_maps<T> transformed(tiling, in.size());
    for (std::size_t i = 0; i < in.size(); ++i) transformed.transform(i, *in[i]);
    winograd_gradients<T> gradients(tiling, grad_out.size());
    for (std::size_t j = 0; j < grad_out.size(); ++j) gradients.transform(j, *grad_out[j]);
    winograd_kernel_sums<T> sums(tiling, in.size(), grad_out.size());
    for (int c = 0; c < sums.components(); ++c) sums.compute(c, transformed, gradients);
    sums.add_to(grad_kernels);
}

#define ZNN_INSTANTIATE(T)                                                                                   \
    template class winograd_gradients<T>;                                                                    \
    template class winograd_kernel_sums<T>;                                                                  \
    template void conv_winograd_backward_kernel_maps<T>(cptrs<T>, cptrs<T>, vec3, ptrs<T>, int);
ZNN_INSTANTIATE(float)
ZNN_INSTANTIATE(double)

}  // namespace znn
