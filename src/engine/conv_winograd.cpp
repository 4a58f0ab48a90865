// Winograd convolution (znn/conv_winograd.hpp): tilings, filter transforms, argument checks, and the
// choice of instruction set. The per-plane transforms and the multiplications live in
// winograd_impl.inc, compiled here once per instruction set like the direct convolution's kernels
// (conv_direct.cpp), whose register-blocked accumulate_block it reuses.
#include "znn/conv_winograd.hpp"

#include "znn/conv.hpp"

#include "shape_checks.hpp"
#include "simd.hpp"
#include "winograd_filter_checks.hpp"
#include "winograd_matrices.hpp"

#include <algorithm>
#include <cstdint>
#include <memory>
#include <span>
#include <stdexcept>
#include <string>
#include <type_traits>
#include <vector>

#if defined(__SSE2__)
#include <immintrin.h>  // the non-temporal stores of the transforms
#endif

namespace znn::wino_generic {
#define ZNN_SIMD_BYTES 16
#include "simd_pack.inc"
#include "conv_row_kernels.inc"
#include "conv_direct_impl.inc"
#include "winograd_gather.inc"
#include "winograd_split.inc"
#include "winograd_impl.inc"
#undef ZNN_SIMD_BYTES
}  // namespace znn::wino_generic

#if ZNN_X86_DISPATCH
#pragma GCC push_options
#pragma GCC target("avx2,fma")
namespace znn::wino_avx2 {
#define ZNN_SIMD_BYTES 32
#include "simd_pack.inc"
#include "conv_row_kernels.inc"
#include "conv_direct_impl.inc"
#include "winograd_gather.inc"
#include "winograd_split.inc"
#include "winograd_impl.inc"
#undef ZNN_SIMD_BYTES
}  // namespace znn::wino_avx2
#pragma GCC pop_options

#pragma GCC push_options
#pragma GCC target("avx512f,avx2,fma")
namespace znn::wino_avx512 {
#define ZNN_SIMD_BYTES 64
#include "simd_pack.inc"
#include "conv_row_kernels.inc"
#include "conv_direct_impl.inc"
#include "winograd_gather.inc"
#include "winograd_split.inc"
#include "winograd_impl.inc"
#undef ZNN_SIMD_BYTES
}  // namespace znn::wino_avx512
#pragma GCC pop_options
#endif

namespace znn {
namespace {

template <class T>
using cptrs = std::span<const volume<T>* const>;
template <class T>
using ptrs = std::span<volume<T>* const>;

const detail::shape_checks checks{"winograd convolution"};

[[noreturn]] void fail(const std::string& what)
{
    checks.fail(what);
}

// u[((s·n + o)·Kz + az)·C + c] = G_y · g · G_xᵀ for the plane az of the filter between source row s and
// target o: source row s = i·pieces + qy·pieces_x + qx is piece (qy, qx) of map i (winograd_maps), whose
// filter is g(a, b) = kernel(i, o)(az, qy·piece_y + a, qx·piece_x + b) (zero past the kernel's end),
// the kernel flipped in all three axes when `flip`. Done in double. The result is a per-thread buffer,
// valid until the thread's next call.
template <class T, class KernelOf>
const std::vector<T>& transform_filters(const winograd_tiling& tl, std::size_t sources, std::size_t targets,
                                        KernelOf kernel_of, bool flip)
{
    const vec3 K = tl.kernel;
    const int A = tl.alpha, C = tl.components(), P = tl.pieces(), py = tl.piece_y, px = tl.piece_x;
    const std::size_t rows = sources * static_cast<std::size_t>(P);
    thread_local std::vector<T> u;
    if (u.size() < rows * targets * K.z * C) u.resize(rows * targets * K.z * C);
    std::vector<double> half(static_cast<std::size_t>(A * px));
    for (std::size_t i = 0; i < sources; ++i)
        for (std::size_t o = 0; o < targets; ++o) {
            const volume<T>& k = kernel_of(i, o);
            for (int piece = 0; piece < P; ++piece) {
                const std::int64_t y0 = tl.piece_row(piece), x0 = tl.piece_column(piece);
                const std::size_t s = i * static_cast<std::size_t>(P) + static_cast<std::size_t>(piece);
                for (std::int64_t az = 0; az < K.z; ++az) {
                    auto g = [&](std::int64_t a, std::int64_t b) -> double {
                        a += y0;
                        b += x0;
                        if (a >= K.y || b >= K.x) return 0.0;
                        return flip ? k(K.z - 1 - az, K.y - 1 - a, K.x - 1 - b) : k(az, a, b);
                    };
                    for (int ky = 0; ky < A; ++ky)
                        for (int b = 0; b < px; ++b) {
                            double sum = 0;
                            for (int a = 0; a < py; ++a) sum += winograd::G(A, py, ky, a) * g(a, b);
                            half[ky * px + b] = sum;
                        }
                    T* dst = u.data() + ((s * targets + o) * K.z + az) * C;
                    for (int ky = 0; ky < A; ++ky)
                        for (int kx = 0; kx < A; ++kx) {
                            double sum = 0;
                            for (int b = 0; b < px; ++b) sum += half[ky * px + b] * winograd::G(A, px, kx, b);
                            dst[ky * A + kx] = static_cast<T>(sum);
                        }
                }
            }
        }
    return u;
}

template <class T>
void check_kernels(const winograd_tiling& tl, std::size_t count, cptrs<T> kernels)
{
    if (kernels.size() != count)
        fail(std::to_string(kernels.size()) + " kernels, expected " + std::to_string(count));
    checks.require(checks.common_shape(kernels, "kernels"), tl.kernel, "kernel");
}

#define ZNN_DISPATCH(NAME, ...) ZNN_DISPATCH_ISA(simd::best_isa(), wino, NAME, __VA_ARGS__)

}  // namespace

bool winograd_supports(vec3 kernel, vec3 sparsity)
{
    auto taps_ok = [](std::int64_t k) { return k >= 2 && k <= winograd::max_pieces * winograd::max_taps; };
    return taps_ok(kernel.y) && taps_ok(kernel.x) && kernel.z >= 1 && sparsity.all_positive();
}

bool winograd_fused_supports(vec3 kernel)
{
    return winograd_supports(kernel, vec3::one());
}

bool winograd_one_piece(vec3 kernel)
{
    return kernel.y <= winograd::max_taps && kernel.x <= winograd::max_taps;
}

bool winograd_supports_alpha(vec3 kernel, int alpha)
{
    return alpha == 6 || (alpha == 8 && kernel.y == kernel.x);
}

winograd_tiling::winograd_tiling(vec3 src, vec3 k, vec3 s, int a) : alpha(a), source(src), kernel(k), sparsity(s)
{
    if (!winograd_supports(k, s))
        fail("kernel " + k.dims() + " with sparsity " + s.dims() + " (needs 2 to 15 taps in y and x)");
    if (!winograd_supports_alpha(k, a))
        fail("tiles of " + std::to_string(a) + " x " + std::to_string(a) + " for kernel " + k.dims() +
             " (6, or 8 for kernels square in y and x)");
    const vec3 out = conv_output_shape(src, k, s);
    // Only y and x must fit: the backward tiling reads output gradients that are not padded in z.
    if (out.y < 1 || out.x < 1 || src.z < 1) fail("kernel " + k.dims() + " does not fit maps of " + src.dims());
    // The fewest pieces of at most max_taps, as even as they go: 7 taps are 4 + 3 (the second padded to
    // 4), which leaves 5 outputs per 8 x 8 tile where 5 + 2 would leave 4.
    pieces_y = static_cast<int>((k.y + winograd::max_taps - 1) / winograd::max_taps);
    pieces_x = static_cast<int>((k.x + winograd::max_taps - 1) / winograd::max_taps);
    piece_y = static_cast<int>((k.y + pieces_y - 1) / pieces_y);
    piece_x = static_cast<int>((k.x + pieces_x - 1) / pieces_x);
    my = alpha + 1 - piece_y;
    mx = alpha + 1 - piece_x;
    out_y = out.y;
    out_x = out.x;
    phases = s.y * s.x;
    sub_height = (src.y + s.y - 1) / s.y;
    sub_width = (src.x + s.x - 1) / s.x;
    // A phased tiling tiles the de-interleaved plane (s.y·sub_height x s.x·sub_width): a dense filter
    // there gives the outputs of every phase, and garbage where a window straddles two phases.
    tiled_y = phased() ? s.y * sub_height - k.y + 1 : out_y;
    tiled_x = phased() ? s.x * sub_width - k.x + 1 : out_x;
    tiles_y = (tiled_y + my - 1) / my;
    tiles_x = (tiled_x + mx - 1) / mx;
    row_tiles = tiles_x + (alpha - 1) / mx;
    // The loops of a region run over whole vectors of 16 tiles from its first tile, which may end up to
    // 15 tiles past the last one. For 6 x 6 tiles an odd number of 16-value steps: with the odd row count
    // of winograd_maps, the rows of one map for the 36 components (written together by the transform,
    // read together by the products) then lie in different L1 sets instead of a few 4 KiB-aliased ones.
    // Not for 8 x 8 tiles, whose planes are few tiles: 3x3x3 on 48x48 planes, 72 tiles, would be stored
    // at 112 instead of 96 (transforming 48 maps 2.96-3.21 -> 2.57-2.72 ms without the step, their
    // products no slower: 12.5-13.1 -> 12.2-12.9 ms, one thread, AMD EPYC VM).
    stride = (tiles_y * row_tiles + 15 + 15) / 16 * 16;
    if (stride / 16 % 2 == 0 && alpha == 6) stride += 16;
}

winograd_tiling winograd_backward_tiling(vec3 input, vec3 kernel, vec3 sparsity, int alpha)
{
    const vec3 G = conv_output_shape(input, kernel, sparsity);
    const vec3 P = (kernel - 1) * sparsity;
    return winograd_tiling(vec3{G.z, G.y + 2 * P.y, G.x + 2 * P.x}, kernel, sparsity, alpha);
}

template <class T>
std::size_t winograd_maps<T>::storage_size(const winograd_tiling& tiling, std::size_t count)
{
    return static_cast<std::size_t>(tiling.source.z * tiling.components() * tiling.stride) *
           ((count * static_cast<std::size_t>(tiling.pieces())) | 1);
}

template <class T>
winograd_maps<T>::winograd_maps(const winograd_tiling& tiling, std::size_t count)
    : winograd_maps(tiling, count,
                    std::make_shared<volume<T>>(vec3{1, 1, static_cast<std::int64_t>(storage_size(tiling, count))}))
{
}

template <class T>
winograd_maps<T>::winograd_maps(const winograd_tiling& tiling, std::size_t count, std::shared_ptr<volume<T>> storage)
    : tiling_(tiling), count_(count), data_(std::move(storage))
{
    if (count == 0) fail("no maps to transform");
    if (!data_ || data_->size() < storage_size(tiling, count))
        fail("storage of " + std::to_string(data_ ? data_->size() : 0) + " values for " + std::to_string(count) +
             " maps that need " + std::to_string(storage_size(tiling, count)));
}

template <class T>
void winograd_maps<T>::transform(std::size_t index, const volume<T>& map)
{
    if (index >= count_) fail("map " + std::to_string(index) + " of " + std::to_string(count_));
    checks.require(map.shape(), tiling_.source, "source map");
    ZNN_DISPATCH(transform_source, tiling_, map.data(), data_->data(), index, rows())
}

// Fills the private fields of winograd_filters.
struct winograd_filters_access {
    template <class T>
    static winograd_filters<T> make(const winograd_tiling& tl, const std::vector<T>& u, std::size_t sources,
                                    std::size_t targets)
    {
        winograd_filters<T> f;
        f.sources_ = sources;
        f.targets_ = targets;
        f.kernel_ = tl.kernel;
        f.alpha_ = tl.alpha;
        ZNN_DISPATCH(pack_filters, u, tl.components(), sources * static_cast<std::size_t>(tl.pieces()), targets,
                     tl.kernel.z, f.packed_)
        switch (simd::best_isa()) {
#if ZNN_X86_DISPATCH
        case simd::isa::avx512: f.block_ = wino_avx512::filter_block<T>(); break;
        case simd::isa::avx2: f.block_ = wino_avx2::filter_block<T>(); break;
#endif
        default: f.block_ = wino_generic::filter_block<T>(); break;
        }
        return f;
    }
};

template <class T>
winograd_filters<T> winograd_filters<T>::forward(const winograd_tiling& tl, cptrs<T> kernels, std::size_t m,
                                                 std::size_t n)
{
    check_kernels(tl, m * n, kernels);
    const std::vector<T>& u = transform_filters<T>(
        tl, m, n, [&](std::size_t i, std::size_t j) -> const volume<T>& { return *kernels[i * n + j]; }, true);
    return winograd_filters_access::make<T>(tl, u, m, n);
}

template <class T>
winograd_filters<T> winograd_filters<T>::backward_input(const winograd_tiling& tl, cptrs<T> kernels, std::size_t m,
                                                        std::size_t n)
{
    check_kernels(tl, m * n, kernels);
    // Source j (an output gradient) reaches target i (an input gradient) through kernel(i, j), unflipped.
    const std::vector<T>& u = transform_filters<T>(
        tl, n, m, [&](std::size_t j, std::size_t i) -> const volume<T>& { return *kernels[i * n + j]; }, false);
    return winograd_filters_access::make<T>(tl, u, n, m);
}

template <class T>
void winograd_forward_maps(const winograd_maps<T>& in, const winograd_filters<T>& filters, ptrs<T> out,
                           const winograd_region& region, conv_write write, const winograd_elementwise<T>& elementwise)
{
    const winograd_tiling& tl = in.tiling();
    detail::check_winograd_filters(checks, tl, filters, in.count(), out.size());
    checks.require(checks.common_shape(out, "output maps"), conv_output_shape(tl.source, tl.kernel, tl.sparsity), "output");
    detail::check_elementwise(checks, elementwise, write);
    ZNN_DISPATCH(correlate, tl, in.data(), in.sources(), in.rows(), filters.data(), 0, out, region, write,
                 elementwise ? &elementwise : nullptr)
}

template <class T>
void winograd_forward_maps(const winograd_maps<T>& in, cptrs<T> kernels, ptrs<T> out)
{
    winograd_forward_maps<T>(in, winograd_filters<T>::forward(in.tiling(), kernels, in.count(), out.size()), out);
}

template <class T>
void winograd_backward_input_maps(const winograd_maps<T>& padded_grad_out, const winograd_filters<T>& filters,
                                  ptrs<T> grad_in, const winograd_region& region, conv_write write)
{
    const winograd_tiling& tl = padded_grad_out.tiling();
    detail::check_winograd_filters(checks, tl, filters, padded_grad_out.count(), grad_in.size());
    const vec3 I = checks.common_shape(grad_in, "input gradients");
    checks.require(tl.source, winograd_backward_tiling(I, tl.kernel, tl.sparsity).source, "padded output gradient");
    const std::int64_t z_offset = (tl.kernel.z - 1) * tl.sparsity.z;
    ZNN_DISPATCH(correlate, tl, padded_grad_out.data(), padded_grad_out.sources(), padded_grad_out.rows(),
                 filters.data(), z_offset, grad_in,
                 region, write)
}

template <class T>
void winograd_backward_input_maps(const winograd_maps<T>& padded_grad_out, cptrs<T> kernels, ptrs<T> grad_in)
{
    winograd_backward_input_maps<T>(
        padded_grad_out,
        winograd_filters<T>::backward_input(padded_grad_out.tiling(), kernels, grad_in.size(), padded_grad_out.count()),
        grad_in);
}

template <class T>
void conv_winograd_forward_maps(cptrs<T> in, cptrs<T> kernels, vec3 sparsity, ptrs<T> out, int alpha)
{
    if (kernels.empty()) fail("no kernels");
    winograd_maps<T> transformed(
        winograd_tiling(checks.common_shape(in, "input maps"), kernels[0]->shape(), sparsity, alpha), in.size());
    for (std::size_t i = 0; i < in.size(); ++i) transformed.transform(i, *in[i]);
    winograd_forward_maps<T>(transformed, kernels, out);
}

template <class T>
void conv_winograd_backward_input_maps(cptrs<T> grad_out, cptrs<T> kernels, vec3 sparsity, ptrs<T> grad_in,
                                       int alpha)
{
    if (kernels.empty()) fail("no kernels");
    const vec3 K = kernels[0]->shape();
    winograd_maps<T> transformed(
        winograd_backward_tiling(checks.common_shape(grad_in, "input gradients"), K, sparsity, alpha), grad_out.size());
    volume<T> padded;
    for (std::size_t j = 0; j < grad_out.size(); ++j) {
        pad_for_backward_input(*grad_out[j], K, sparsity, padded);
        transformed.transform(j, padded);
    }
    winograd_backward_input_maps<T>(transformed, kernels, grad_in);
}

#define ZNN_INSTANTIATE(T)                                                                                     \
    template class winograd_maps<T>;                                                                           \
    template class winograd_filters<T>;                                                                        \
    template void winograd_forward_maps<T>(const winograd_maps<T>&, const winograd_filters<T>&, ptrs<T>,       \
                                           const winograd_region&, conv_write,                                 \
                                           const winograd_elementwise<T>&);                                    \
    template void winograd_forward_maps<T>(const winograd_maps<T>&, cptrs<T>, ptrs<T>);                        \
    template void winograd_backward_input_maps<T>(const winograd_maps<T>&, const winograd_filters<T>&, ptrs<T>, \
                                                  const winograd_region&, conv_write);                         \
    template void winograd_backward_input_maps<T>(const winograd_maps<T>&, cptrs<T>, ptrs<T>);                 \
    template void conv_winograd_forward_maps<T>(cptrs<T>, cptrs<T>, vec3, ptrs<T>, int);                       \
    template void conv_winograd_backward_input_maps<T>(cptrs<T>, cptrs<T>, vec3, ptrs<T>, int);
ZNN_INSTANTIATE(float)
ZNN_INSTANTIATE(double)

}  // namespace znn
