// znn-winograd-phases: the phases of one Winograd layer timed apart through the library API, for the
// engine's owners (bench/RESULTS.md, note 14). Not a test: it prints figures and never fails on timing.
//
//   znn-winograd-phases [MAPS [PLANE [REPS [KERNEL [DEPTH [ALPHA]]]]]]
//       defaults 48 48 5 3,3,3 24 6: 48->48 maps, input DEPTHxPLANExPLANE, kernel 3x3x3, 6 x 6 tiles
//
// Per repetition, in ms (one thread):
//   transform all   every map transformed into its own rows (the whole buffer, as a layer does)
//   same rows       every map transformed into the rows of map 0 (a destination that stays in cache)
//   correlate       all output maps from the transforms, the whole layer
//   one plane xZ    output plane 0 computed out.z times (its three source planes reread each time)
//   grad transform  the filter gradients' transforms of the maps' output gradients (conv_winograd_kernel.hpp)
//   filter sums     the filter gradients' products, all the components
//   direct          the same filter gradients by direct convolution (conv_backward_kernel_maps)
//   fused           the whole layer by winograd_forward_fused (to set beside transform all + correlate)
// and the rates of the products in G vector multiply-adds per second (the tiles a call computes,
// counted in 16-tile vectors), to set beside the core's peak.
#include "znn/conv.hpp"
#include "znn/conv_winograd.hpp"
#include "znn/conv_winograd_kernel.hpp"

#include "random_layer.hpp"

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <vector>

using namespace znn;

int main(int argc, char** argv)
{
    const int maps = argc > 1 ? std::atoi(argv[1]) : 48;
    const int plane = argc > 2 ? std::atoi(argv[2]) : 48;
    const int reps = argc > 3 ? std::atoi(argv[3]) : 5;
    long long kz = 3, ky = 3, kx = 3;
    const bool kernel_ok = argc <= 4 || std::sscanf(argv[4], "%lld,%lld,%lld", &kz, &ky, &kx) == 3;
    const int depth = argc > 5 ? std::atoi(argv[5]) : 24;
    const int alpha = argc > 6 ? std::atoi(argv[6]) : 6;
    if (maps < 1 || plane < 4 || reps < 1 || !kernel_ok || !winograd_supports({kz, ky, kx}, {1, 1, 1}) || depth < kz ||
        plane < ky || plane < kx || !winograd_supports_alpha({kz, ky, kx}, alpha)) {
        std::fprintf(stderr, "usage: znn-winograd-phases [MAPS >= 1 [PLANE >= 4 [REPS >= 1 [KZ,KY,KX [DEPTH >= KZ "
                             "[ALPHA 6, or 8 for KY = KX]]]]]]\n");
        return 2;
    }
    const vec3 in_shape{depth, plane, plane}, kernel{kz, ky, kx}, sparsity{1, 1, 1};
    const vec3 out_shape = conv_output_shape(in_shape, kernel, sparsity);
    bench::random_layer layer(maps, in_shape, kernel, sparsity);
    const auto& in = layer.in;
    const auto& out = layer.out;
    const auto& in_ptrs = layer.in_ptrs;
    const auto& kernel_ptrs = layer.kernel_ptrs;
    const auto& out_ptrs = layer.out_ptrs;

    const winograd_tiling tiling(in_shape, kernel, sparsity, alpha);
    winograd_maps<float> transformed(tiling, static_cast<std::size_t>(maps));
    const auto filters = winograd_filters<float>::forward(tiling, kernel_ptrs, maps, maps);
    // The products compute whole 16-tile vectors of each chunk of 128 tiles (winograd_impl.inc).
    const std::int64_t tiles = tiling.tiles_y * tiling.row_tiles;
    const std::int64_t vectors = tiles / 128 * 8 + (tiles % 128 + 15) / 16;
    const double fma = tiling.components() * static_cast<double>(out_shape.z) * maps * maps * kernel.z * static_cast<double>(vectors);

    using clock = std::chrono::steady_clock;
    auto ms = [](clock::time_point a, clock::time_point b) { return std::chrono::duration<double, std::milli>(b - a).count(); };
    std::printf("maps %d->%d, input %s, kernel %s, %d x %d tiles: %lld tiles per plane, %.1f MB of transforms\n", maps,
                maps, in_shape.dims().c_str(), kernel.dims().c_str(), alpha, alpha, static_cast<long long>(tiles),
                winograd_maps<float>::storage_size(tiling, maps) * sizeof(float) / 1e6);
    // The filter gradients' products run over every tile of a plane, rounded up to 16.
    const double filter_fma = tiling.components() * static_cast<double>(out_shape.z) * maps * maps * kernel.z * static_cast<double>((tiles + 15) / 16);
    winograd_gradients<float> gradients(tiling, static_cast<std::size_t>(maps));
    std::vector<const volume<float>*> out_const_ptrs;
    for (const auto& v : out) out_const_ptrs.push_back(&v);
    std::vector<volume<float>> kernel_grads(static_cast<std::size_t>(maps) * maps, volume<float>(kernel));
    std::vector<volume<float>*> kernel_grad_ptrs;
    for (auto& k : kernel_grads) kernel_grad_ptrs.push_back(&k);
    winograd_kernel_sums<float> sums(tiling, static_cast<std::size_t>(maps), static_cast<std::size_t>(maps));
    for (int r = 0; r < reps; ++r) {
        const auto t0 = clock::now();
        for (int i = 0; i < maps; ++i) transformed.transform(i, in[i]);
        const auto t1 = clock::now();
        for (int i = 0; i < maps; ++i) transformed.transform(0, in[i]);
        const auto t2 = clock::now();
        for (int i = 0; i < maps; ++i) transformed.transform(i, in[i]);
        const auto t3 = clock::now();
        winograd_forward_maps<float>(transformed, filters, out_ptrs, {}, conv_write::overwrite);
        const auto t4 = clock::now();
        for (std::int64_t z = 0; z < out_shape.z; ++z)
            winograd_forward_maps<float>(transformed, filters, out_ptrs, winograd_region{0, 1}, conv_write::overwrite);
        const auto t5 = clock::now();
        for (int j = 0; j < maps; ++j) gradients.transform(static_cast<std::size_t>(j), out[j]);
        const auto t6 = clock::now();
        for (int c = 0; c < sums.components(); ++c) sums.compute(c, transformed, gradients);
        const auto t7 = clock::now();
        conv_backward_kernel_maps<float>(in_ptrs, out_const_ptrs, sparsity, kernel_grad_ptrs);
        const auto t8 = clock::now();
        winograd_forward_fused<float>(tiling, in_ptrs, filters, out_ptrs, {}, conv_write::overwrite);
        const auto t9 = clock::now();
        std::printf("transform all %.2f  same rows %.2f  correlate %.2f (%.2f G vector FMA/s)  one plane x%lld %.2f ms\n"
                    "  grad transform %.2f  filter sums %.2f ms (%.2f G vector FMA/s)  direct %.2f ms\n"
                    "  fused %.2f ms (transform all + correlate %.2f ms)\n",
                    ms(t0, t1), ms(t1, t2), ms(t3, t4), fma / ms(t3, t4) / 1e6, static_cast<long long>(out_shape.z),
                    ms(t4, t5), ms(t5, t6), ms(t6, t7), filter_fma / ms(t6, t7) / 1e6, ms(t7, t8), ms(t8, t9),
                    ms(t0, t1) + ms(t3, t4));
    }
    return 0;
}
