#include "simd.hpp"

#include <cstdio>
#include <cstdlib>
#include <cstring>

namespace znn::simd {

namespace {

// The cap that ZNN_ISA puts on the choice (generic, avx2 or avx512), or avx512 (none) when unset or
// not one of those (then with a warning on stderr): the tests run the engine's other instruction sets
// with it on a CPU that has AVX-512, and a user can rule out a wide unit that slows the clock on some
// CPUs.
isa requested_cap()
{
    const char* v = std::getenv("ZNN_ISA");
    if (v && std::strcmp(v, "generic") == 0) return isa::generic;
    if (v && std::strcmp(v, "avx2") == 0) return isa::avx2;
    if (v && *v && std::strcmp(v, "avx512") != 0)
        std::fprintf(stderr, "znn: warning: ZNN_ISA=%s is not avx512, avx2 or generic; ignored\n", v);
    return isa::avx512;
}

}  // namespace

isa best_isa() noexcept
{
#if ZNN_X86_DISPATCH
    // Computed once; __builtin_cpu_supports reads what libgcc detected at start-up.
    static const isa best = [] {
        __builtin_cpu_init();
        const isa cap = requested_cap();
        if (cap == isa::avx512 && __builtin_cpu_supports("avx512f")) return isa::avx512;
        if (cap != isa::generic && __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma")) return isa::avx2;
        return isa::generic;
    }();
    return best;
#else
    return isa::generic;
#endif
}

}  // namespace znn::simd
