// The slabs of the fused Winograd pass for a filter deeper than one plane (winograd_fused_impl.inc):
// how many tiles and output planes each holds, from which the scratch a call takes follows
// (winograd_fused_scratch_bytes). Private to src/engine.
#pragma once

#include "znn/conv_winograd.hpp"

#include <algorithm>
#include <cstddef>
#include <cstdint>

namespace znn::detail {

// Most bytes of one call's slab: n726's 7x7x7 80->80 layer (320 transformed rows of 64 components per
// tile) holds 24 planes of 128 tiles in 283 MiB.
constexpr std::int64_t fused_slab_bytes = std::int64_t(512) << 20;

// A block of `tiles` consecutive tiles of `planes` source planes, the sources of `depth` consecutive
// output planes: each source row holds `pitch` values (an odd multiple of 16 >= tiles, like
// winograd_tiling::stride), rows per component = sources.
struct fused_slab {
    std::int64_t tiles = 0, pitch = 0, depth = 0, planes = 0;
    std::int64_t values(const winograd_tiling& tl, std::size_t sources) const
    {
        return planes * tl.components() * static_cast<std::int64_t>(sources) * pitch;
    }
};

// The slab for a call over `out_planes` output planes and `tiles` tiles of each: blocks of up to 128
// tiles (the products' chunk) and as many output planes as the kernel's depth spans in source planes
// ((kernel.z - 1)·sparsity.z more: each source plane transformed at most twice on average), fewer tiles
// and then fewer planes while it takes more than fused_slab_bytes.
inline fused_slab fused_slab_shape(const winograd_tiling& tl, std::size_t sources, std::int64_t out_planes,
                                   std::int64_t tiles, std::size_t value_bytes)
{
    const std::int64_t extra = (tl.kernel.z - 1) * tl.sparsity.z;
    fused_slab s;
    s.tiles = std::min<std::int64_t>(128, (std::max<std::int64_t>(tiles, 1) + 15) / 16 * 16);
    s.depth = std::clamp<std::int64_t>(extra, 1, std::max<std::int64_t>(out_planes, 1));
    auto fit = [&] {
        s.pitch = s.tiles / 16 % 2 ? s.tiles : s.tiles + 16;
        s.planes = s.depth + extra;
        return s.values(tl, sources) * static_cast<std::int64_t>(value_bytes) <= fused_slab_bytes;
    };
    while (!fit() && s.tiles > 32) s.tiles -= 16;
    while (!fit() && s.depth > 1) s.depth = (s.depth + 1) / 2;
    return s;
}

}  // namespace znn::detail
