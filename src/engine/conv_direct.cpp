// Direct convolution (znn/conv.hpp): argument checks, and the choice of instruction set. The drivers
// and row kernels live in .inc files compiled here once per instruction set, each copy inside its own
// namespace with the matching `#pragma GCC target`, so that every helper, down to a vector broadcast,
// is compiled for that target.
#include "znn/conv.hpp"

#include "conv_direct_isa.hpp"
#include "shape_checks.hpp"
#include "simd.hpp"

#include <algorithm>
#include <cstdint>
#include <limits>
#include <memory>
#include <span>
#include <stdexcept>
#include <string>
#include <type_traits>
#include <vector>

namespace znn::conv_generic {
#define ZNN_SIMD_BYTES 16
#include "simd_pack.inc"
#include "conv_row_kernels.inc"
#include "conv_direct_impl.inc"
#undef ZNN_SIMD_BYTES
}  // namespace znn::conv_generic

#if ZNN_X86_DISPATCH
#pragma GCC push_options
#pragma GCC target("avx2,fma")
namespace znn::conv_avx2 {
#define ZNN_SIMD_BYTES 32
#include "simd_pack.inc"
#include "conv_row_kernels.inc"
#include "conv_direct_impl.inc"
#undef ZNN_SIMD_BYTES
}  // namespace znn::conv_avx2
#pragma GCC pop_options

#pragma GCC push_options
#pragma GCC target("avx512f,avx2,fma")
namespace znn::conv_avx512 {
#define ZNN_SIMD_BYTES 64
#include "simd_pack.inc"
#include "conv_row_kernels.inc"
#include "conv_direct_impl.inc"
#undef ZNN_SIMD_BYTES
}  // namespace znn::conv_avx512
#pragma GCC pop_options
#endif

namespace znn {
namespace {

template <class T>
using cptrs = std::span<const volume<T>* const>;
template <class T>
using ptrs = std::span<volume<T>* const>;

const detail::shape_checks checks{"direct convolution"};

[[noreturn]] void fail(const std::string& what)
{
    checks.fail(what);
}

// Checks a layer: m maps `a`, n maps `b`, m·n kernels. Returns the kernel shape.
template <class T>
vec3 check_kernels(std::size_t m, std::size_t n, cptrs<T> kernels, vec3 sparsity)
{
    if (kernels.size() != m * n)
        fail(std::to_string(kernels.size()) + " kernels for " + std::to_string(m) + " x " + std::to_string(n) + " maps");
    const vec3 K = checks.common_shape(kernels, "kernels");
    if (!K.all_positive() || !sparsity.all_positive())
        fail("kernel " + K.dims() + " and sparsity " + sparsity.dims() + " must be positive");
    return K;
}

// dst = g with P.y rows of zeros above and below each plane and P.x zeros on both sides of each row
// (G.z planes of (G.y + 2·P.y) x (G.x + 2·P.x) values).
template <class T>
void pad_rows(const volume<T>& g, vec3 P, T* dst)
{
    const vec3 G = g.shape();
    const std::int64_t W = G.x + 2 * P.x, H = G.y + 2 * P.y;
    for (std::int64_t z = 0; z < G.z; ++z) {
        T* plane = dst + z * H * W;
        std::fill_n(plane, P.y * W, T(0));
        for (std::int64_t y = 0; y < G.y; ++y) {
            T* row = plane + (P.y + y) * W;
            std::fill_n(row, P.x, T(0));
            std::copy_n(&g(z, y, 0), G.x, row + P.x);
            std::fill_n(row + P.x + G.x, P.x, T(0));
        }
        std::fill_n(plane + (P.y + G.y) * W, P.y * W, T(0));
    }
}

#define ZNN_DISPATCH(ISA, NAME, ...) ZNN_DISPATCH_ISA(ISA, conv, NAME, __VA_ARGS__)

}  // namespace

namespace detail {

template <class T>
void conv_forward_maps_with(simd::isa isa, cptrs<T> in, cptrs<T> kernels, vec3 sparsity, ptrs<T> out, conv_write write,
                            const conv_finish<T>& finish, const conv_rows& rows)
{
    const vec3 I = checks.common_shape(in, "input maps");
    const vec3 K = check_kernels(in.size(), out.size(), kernels, sparsity);
    checks.require(checks.common_shape(out, "output maps"), conv_output_shape(I, K, sparsity), "output");
    ZNN_DISPATCH(isa, forward, in, kernels, sparsity, out, rows, write, finish ? &finish : nullptr)
}

template <class T>
void conv_backward_input_padded_maps_with(simd::isa isa, cptrs<T> padded_grad_out, cptrs<T> kernels, vec3 sparsity,
                                          ptrs<T> grad_in)
{
    const vec3 I = checks.common_shape(grad_in, "input gradients");
    const vec3 K = check_kernels(grad_in.size(), padded_grad_out.size(), kernels, sparsity);
    const vec3 P = (K - 1) * sparsity;
    const vec3 Q = checks.common_shape(padded_grad_out, "padded output gradients");
    const vec3 G{Q.z, Q.y - 2 * P.y, Q.x - 2 * P.x};
    checks.require(G, conv_output_shape(I, K, sparsity), "output gradient (inside its padding)");
    std::vector<const T*> padded(padded_grad_out.size());
    for (std::size_t j = 0; j < padded.size(); ++j) padded[j] = padded_grad_out[j]->data();
    ZNN_DISPATCH(isa, backward_input, padded, G, kernels, sparsity, grad_in)
}

template <class T>
void conv_backward_input_maps_with(simd::isa isa, cptrs<T> grad_out, cptrs<T> kernels, vec3 sparsity,
                                   ptrs<T> grad_in)
{
    const vec3 I = checks.common_shape(grad_in, "input gradients");
    const vec3 K = check_kernels(grad_in.size(), grad_out.size(), kernels, sparsity);
    const vec3 G = checks.common_shape(grad_out, "output gradients");
    checks.require(G, conv_output_shape(I, K, sparsity), "output gradient");
    // The padded gradients in one per-thread block that only grows: fresh memory per call costs page
    // faults (the executor pads once per pass instead, see pad_for_backward_input).
    const vec3 P = (K - 1) * sparsity;
    const std::size_t per_map = static_cast<std::size_t>(G.z * (G.y + 2 * P.y) * (G.x + 2 * P.x));
    thread_local std::unique_ptr<T[], detail::aligned_free> block;
    thread_local std::size_t capacity = 0;
    if (capacity < per_map * grad_out.size()) {
        block.reset();
        block.reset(detail::aligned_new<T>(per_map * grad_out.size()));
        capacity = per_map * grad_out.size();
    }
    std::vector<const T*> padded(grad_out.size());
    for (std::size_t j = 0; j < grad_out.size(); ++j) {
        padded[j] = block.get() + j * per_map;
        pad_rows(*grad_out[j], P, block.get() + j * per_map);
    }
    ZNN_DISPATCH(isa, backward_input, padded, G, kernels, sparsity, grad_in)
}

template <class T>
void conv_backward_kernel_maps_with(simd::isa isa, cptrs<T> in, cptrs<T> grad_out, vec3 sparsity,
                                    ptrs<T> grad_kernels)
{
    const vec3 I = checks.common_shape(in, "input maps");
    const vec3 K = check_kernels(in.size(), grad_out.size(), cptrs<T>(grad_kernels.data(), grad_kernels.size()),
                                 sparsity);
    checks.require(checks.common_shape(grad_out, "output gradients"), conv_output_shape(I, K, sparsity), "output gradient");
    ZNN_DISPATCH(isa, backward_kernel, in, grad_out, sparsity, grad_kernels)
}

template <class T>
void conv_forward_with(simd::isa isa, const volume<T>& in, const volume<T>& kernel, vec3 sparsity, volume<T>& out)
{
    const volume<T>* a[] = {&in};
    const volume<T>* k[] = {&kernel};
    volume<T>* b[] = {&out};
    conv_forward_maps_with<T>(isa, a, k, sparsity, b);
}

template <class T>
void conv_backward_input_with(simd::isa isa, const volume<T>& grad_out, const volume<T>& kernel, vec3 sparsity,
                              volume<T>& grad_in)
{
    const volume<T>* g[] = {&grad_out};
    const volume<T>* k[] = {&kernel};
    volume<T>* b[] = {&grad_in};
    conv_backward_input_maps_with<T>(isa, g, k, sparsity, b);
}

template <class T>
void conv_backward_kernel_with(simd::isa isa, const volume<T>& in, const volume<T>& grad_out, vec3 sparsity,
                               volume<T>& grad_kernel)
{
    const volume<T>* a[] = {&in};
    const volume<T>* g[] = {&grad_out};
    volume<T>* k[] = {&grad_kernel};
    conv_backward_kernel_maps_with<T>(isa, a, g, sparsity, k);
}

}  // namespace detail

template <class T>
void conv_forward(const volume<T>& in, const volume<T>& kernel, vec3 sparsity, volume<T>& out)
{
    detail::conv_forward_with(simd::best_isa(), in, kernel, sparsity, out);
}

template <class T>
void conv_backward_input(const volume<T>& grad_out, const volume<T>& kernel, vec3 sparsity, volume<T>& grad_in)
{
    detail::conv_backward_input_with(simd::best_isa(), grad_out, kernel, sparsity, grad_in);
}

template <class T>
void conv_backward_kernel(const volume<T>& in, const volume<T>& grad_out, vec3 sparsity, volume<T>& grad_kernel)
{
    detail::conv_backward_kernel_with(simd::best_isa(), in, grad_out, sparsity, grad_kernel);
}

template <class T>
void conv_forward_maps(cptrs<T> in, cptrs<T> kernels, vec3 sparsity, ptrs<T> out, conv_write write,
                       const conv_finish<T>& finish)
{
    detail::conv_forward_maps_with(simd::best_isa(), in, kernels, sparsity, out, write, finish);
}

template <class T>
void conv_forward_maps(cptrs<T> in, cptrs<T> kernels, vec3 sparsity, ptrs<T> out, const conv_rows& rows,
                       conv_write write, const conv_finish<T>& finish)
{
    detail::conv_forward_maps_with(simd::best_isa(), in, kernels, sparsity, out, write, finish, rows);
}

template <class T>
void conv_backward_input_maps(cptrs<T> grad_out, cptrs<T> kernels, vec3 sparsity, ptrs<T> grad_in)
{
    detail::conv_backward_input_maps_with(simd::best_isa(), grad_out, kernels, sparsity, grad_in);
}

template <class T>
void pad_for_backward_input(const volume<T>& grad_out, vec3 kernel, vec3 sparsity, volume<T>& padded)
{
    if (!kernel.all_positive() || !sparsity.all_positive())
        fail("kernel " + kernel.dims() + " and sparsity " + sparsity.dims() + " must be positive");
    const vec3 G = grad_out.shape(), P = (kernel - 1) * sparsity;
    const vec3 shape{G.z, G.y + 2 * P.y, G.x + 2 * P.x};
    if (padded.shape() != shape) padded = volume<T>(shape);
    pad_rows(grad_out, P, padded.data());
}

template <class T>
void conv_backward_input_padded_maps(cptrs<T> padded_grad_out, cptrs<T> kernels, vec3 sparsity, ptrs<T> grad_in)
{
    detail::conv_backward_input_padded_maps_with(simd::best_isa(), padded_grad_out, kernels, sparsity, grad_in);
}

template <class T>
void conv_backward_kernel_maps(cptrs<T> in, cptrs<T> grad_out, vec3 sparsity, ptrs<T> grad_kernels)
{
    detail::conv_backward_kernel_maps_with(simd::best_isa(), in, grad_out, sparsity, grad_kernels);
}

#define ZNN_INSTANTIATE(T)                                                                                          \
    template void detail::conv_forward_with<T>(simd::isa, const volume<T>&, const volume<T>&, vec3, volume<T>&);    \
    template void detail::conv_backward_input_with<T>(simd::isa, const volume<T>&, const volume<T>&, vec3,          \
                                                      volume<T>&);                                                  \
    template void detail::conv_backward_kernel_with<T>(simd::isa, const volume<T>&, const volume<T>&, vec3,         \
                                                       volume<T>&);                                                 \
    template void detail::conv_forward_maps_with<T>(simd::isa, cptrs<T>, cptrs<T>, vec3, ptrs<T>, conv_write,       \
                                                     const conv_finish<T>&, const conv_rows&);                      \
    template void detail::conv_backward_input_maps_with<T>(simd::isa, cptrs<T>, cptrs<T>, vec3, ptrs<T>);           \
    template void detail::conv_backward_kernel_maps_with<T>(simd::isa, cptrs<T>, cptrs<T>, vec3, ptrs<T>);          \
    template void conv_forward<T>(const volume<T>&, const volume<T>&, vec3, volume<T>&);                            \
    template void conv_backward_input<T>(const volume<T>&, const volume<T>&, vec3, volume<T>&);                     \
    template void conv_backward_kernel<T>(const volume<T>&, const volume<T>&, vec3, volume<T>&);                    \
    template void conv_forward_maps<T>(cptrs<T>, cptrs<T>, vec3, ptrs<T>, conv_write, const conv_finish<T>&);       \
    template void conv_forward_maps<T>(cptrs<T>, cptrs<T>, vec3, ptrs<T>, const conv_rows&, conv_write,             \
                                       const conv_finish<T>&);                                                      \
    template void conv_backward_input_maps<T>(cptrs<T>, cptrs<T>, vec3, ptrs<T>);                                   \
    template void pad_for_backward_input<T>(const volume<T>&, vec3, vec3, volume<T>&);                              \
    template void conv_backward_input_padded_maps<T>(cptrs<T>, cptrs<T>, vec3, ptrs<T>);                            \
    template void detail::conv_backward_input_padded_maps_with<T>(simd::isa, cptrs<T>, cptrs<T>, vec3, ptrs<T>);    \
    template void conv_backward_kernel_maps<T>(cptrs<T>, cptrs<T>, vec3, ptrs<T>);
ZNN_INSTANTIATE(float)
ZNN_INSTANTIATE(double)

}  // namespace znn
