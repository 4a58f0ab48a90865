// znn-winograd-fused: one Winograd layer by its stored transforms (winograd_maps, then
// winograd_forward_maps) and by the fused pass (winograd_forward_fused), timed apart through the library
// API on one thread, for the engine's owners (bench/RESULTS.md, note 28). Not a test: it prints figures
// and never fails on timing.
//
//   znn-winograd-fused [MAPS [PLANE [DEPTH [K [SPARSITY [ALPHA [WHICH]]]]]]]
//       defaults 80 134 16 7 2 8 3: 80->80 maps, input DEPTHxPLANExPLANE, a KxKxK filter of that
//       sparsity on every axis, ALPHA x ALPHA tiles; WHICH 1 stored, 2 fused, 3 both (n726's conv2)
//
// Prints, twice, the milliseconds of each form and per output plane.
#include "znn/conv.hpp"
#include "znn/conv_winograd.hpp"

#include "random_layer.hpp"

#include <chrono>
#include <cstdio>
#include <cstdlib>

using namespace znn;

int main(int argc, char** argv)
{
    const int maps = argc > 1 ? std::atoi(argv[1]) : 80;
    const int plane = argc > 2 ? std::atoi(argv[2]) : 134;
    const int depth = argc > 3 ? std::atoi(argv[3]) : 16;
    const int k = argc > 4 ? std::atoi(argv[4]) : 7;
    const int sp = argc > 5 ? std::atoi(argv[5]) : 2;
    const int alpha = argc > 6 ? std::atoi(argv[6]) : 8;
    const int what = argc > 7 ? std::atoi(argv[7]) : 3;
    if (maps < 1 || k < 2 || sp < 1 || depth < (k - 1) * sp + 1 || plane < (k - 1) * sp + 1 || what < 1 || what > 3 ||
        !winograd_supports_alpha({k, k, k}, alpha)) {
        std::fprintf(stderr, "usage: znn-winograd-fused [MAPS [PLANE [DEPTH [K >= 2 [SPARSITY [ALPHA 6|8 [WHICH 1|2|3]]]]]]]"
                             " (DEPTH and PLANE at least the dilated filter)\n");
        return 2;
    }
    const vec3 in_shape{depth, plane, plane}, kernel{k, k, k}, sparsity{sp, sp, sp};
    const vec3 out_shape = conv_output_shape(in_shape, kernel, sparsity);
    const bench::random_layer layer(maps, in_shape, kernel, sparsity);
    const winograd_tiling tiling(in_shape, kernel, sparsity, alpha);
    const auto filters = winograd_filters<float>::forward(tiling, layer.kernel_ptrs, maps, maps);
    using clock = std::chrono::steady_clock;
    auto ms = [](clock::time_point a, clock::time_point b) {
        return std::chrono::duration<double, std::milli>(b - a).count();
    };
    const double planes = static_cast<double>(out_shape.z);
    std::printf("maps %d->%d, input %s, kernel %s, sparsity %d, %d x %d tiles in %d pieces: output %s, %.1f MB of "
                "stored transforms, %.1f MB of fused scratch per call\n",
                maps, maps, in_shape.dims().c_str(), kernel.dims().c_str(), sp, alpha, alpha, tiling.pieces(),
                out_shape.dims().c_str(), winograd_maps<float>::storage_size(tiling, maps) * sizeof(float) / 1e6,
                winograd_fused_scratch_bytes(tiling, maps, sizeof(float)) / 1e6);
    for (int r = 0; r < 2; ++r) {
        if (what & 1) {
            winograd_maps<float> transformed(tiling, maps);
            const auto t0 = clock::now();
            for (int i = 0; i < maps; ++i) transformed.transform(i, layer.in[i]);
            const auto t1 = clock::now();
            winograd_forward_maps<float>(transformed, filters, layer.out_ptrs, {}, conv_write::overwrite);
            const auto t2 = clock::now();
            std::printf("stored: transform %.1f ms, correlate %.1f ms; %.1f ms per output plane\n", ms(t0, t1),
                        ms(t1, t2), ms(t0, t2) / planes);
        }
        if (what & 2) {
            const auto t0 = clock::now();
            winograd_forward_fused<float>(tiling, layer.in_ptrs, filters, layer.out_ptrs, {}, conv_write::overwrite);
            const auto t1 = clock::now();
            std::printf("fused: %.1f ms; %.1f ms per output plane\n", ms(t0, t1), ms(t0, t1) / planes);
        }
    }
    return 0;
}
