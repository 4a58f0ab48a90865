#include "simd.hpp"

namespace znn::simd {

isa best_isa() noexcept
{
#if ZNN_X86_DISPATCH
    // Computed once; __builtin_cpu_supports reads what libgcc detected at start-up.
    static const isa best = [] {
        __builtin_cpu_init();
        if (__builtin_cpu_supports("avx512f")) return isa::avx512;
        if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma")) return isa::avx2;
        return isa::generic;
    }();
    return best;
#else
    return isa::generic;
#endif
}

}  // namespace znn::simd
