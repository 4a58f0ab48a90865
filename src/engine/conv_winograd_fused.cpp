// The fused forward pass of Winograd convolution (winograd_forward_fused in znn/conv_winograd.hpp):
// argument checks and the choice of instruction set. The chunked transforms live in
// winograd_fused_impl.inc, compiled here once per instruction set after winograd_impl.inc, whose tile
// transforms, products and inverse they share (nothing of it is instantiated here but what they use).
// A translation unit of its own: with conv_winograd.cpp it would take twice as long to build, in one
// compiler process.
#include "znn/conv_winograd.hpp"

#include "znn/conv.hpp"

#include "shape_checks.hpp"
#include "simd.hpp"
#include "winograd_filter_checks.hpp"
#include "winograd_matrices.hpp"
#include "winograd_slab.hpp"

#include <algorithm>
#include <type_traits>
#include <cstdint>
#include <span>
#include <vector>

#if defined(__SSE2__)
#include <immintrin.h>  // winograd_impl.inc's intrinsics (its inverse's AVX-512 scatter serves the fused pass too)
#endif

namespace znn::wino_fused_generic {
#define ZNN_SIMD_BYTES 16
#include "simd_pack.inc"
#include "conv_row_kernels.inc"
#include "conv_direct_impl.inc"
#include "winograd_gather.inc"
#include "winograd_split.inc"
#include "winograd_impl.inc"
#include "winograd_fused_impl.inc"
#undef ZNN_SIMD_BYTES
}  // namespace znn::wino_fused_generic

#if ZNN_X86_DISPATCH
#pragma GCC push_options
#pragma GCC target("avx2,fma")
namespace znn::wino_fused_avx2 {
#define ZNN_SIMD_BYTES 32
#include "simd_pack.inc"
#include "conv_row_kernels.inc"
#include "conv_direct_impl.inc"
#include "winograd_gather.inc"
#include "winograd_split.inc"
#include "winograd_impl.inc"
#include "winograd_fused_impl.inc"
#undef ZNN_SIMD_BYTES
}  // namespace znn::wino_fused_avx2
#pragma GCC pop_options

#pragma GCC push_options
#pragma GCC target("avx512f,avx2,fma")
namespace znn::wino_fused_avx512 {
#define ZNN_SIMD_BYTES 64
#include "simd_pack.inc"
#include "conv_row_kernels.inc"
#include "conv_direct_impl.inc"
#include "winograd_gather.inc"
#include "winograd_split.inc"
#include "winograd_impl.inc"
#include "winograd_fused_impl.inc"
#undef ZNN_SIMD_BYTES
}  // namespace znn::wino_fused_avx512
#pragma GCC pop_options
#endif

namespace znn {

namespace {

template <class T>
using cptrs = std::span<const volume<T>* const>;
template <class T>
using ptrs = std::span<volume<T>* const>;

const detail::shape_checks checks{"winograd convolution"};

}  // namespace

std::int64_t winograd_fused_scratch_bytes(const winograd_tiling& tiling, std::size_t maps, std::size_t value_bytes)
{
    if (tiling.kernel.z <= 1) return 0;
    const std::size_t sources = maps * static_cast<std::size_t>(tiling.pieces());
    const std::int64_t out_planes = tiling.source.z - (tiling.kernel.z - 1) * tiling.sparsity.z;
    const detail::fused_slab slab =
        detail::fused_slab_shape(tiling, sources, out_planes, tiling.tiles_y * tiling.row_tiles, value_bytes);
    return slab.values(tiling, sources) * static_cast<std::int64_t>(value_bytes);
}

template <class T>
void winograd_forward_fused(const winograd_tiling& tl, cptrs<T> in, const winograd_filters<T>& filters, ptrs<T> out,
                            const winograd_region& region, conv_write write, const winograd_elementwise<T>& elementwise)
{
    detail::check_winograd_filters(checks, tl, filters, in.size(), out.size());
    if (!winograd_fused_supports(tl.kernel)) checks.fail("kernel " + tl.kernel.dims() + ": the fused form takes filters of 2 to 15 taps in y and x");
    checks.require(checks.common_shape(in, "input maps"), tl.source, "input");
    checks.require(checks.common_shape(out, "output maps"), conv_output_shape(tl.source, tl.kernel, tl.sparsity), "output");
    detail::check_elementwise(checks, elementwise, write);
    std::vector<const T*> sources(in.size());
    for (std::size_t i = 0; i < in.size(); ++i) sources[i] = in[i]->data();
    ZNN_DISPATCH_ISA(simd::best_isa(), wino_fused, correlate_fused, tl, sources.data(), in.size(), filters.data(), out,
                     region, write, elementwise ? &elementwise : nullptr)
}

template void winograd_forward_fused<float>(const winograd_tiling&, cptrs<float>, const winograd_filters<float>&,
                                            ptrs<float>, const winograd_region&, conv_write,
                                            const winograd_elementwise<float>&);
template void winograd_forward_fused<double>(const winograd_tiling&, cptrs<double>, const winograd_filters<double>&,
                                             ptrs<double>, const winograd_region&, conv_write,
                                             const winograd_elementwise<double>&);

}  // namespace znn
