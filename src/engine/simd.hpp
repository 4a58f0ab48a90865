// Internal to src/engine: run-time choice of instruction set, so that one portable binary uses AVX-512
// or AVX2+FMA where the CPU has them.
//
// Pattern (conv_direct.cpp): the hot code is written once, on GCC/Clang vector extensions
// (simd_pack.inc), in .inc files that are included once per instruction set inside a namespace of its
// own, between `#pragma GCC push_options` / `#pragma GCC target(...)` / `pop_options`; best_isa()
// picks the namespace to call. Simple loops left to the auto-vectoriser can instead be wrapped in
// functions carrying ZNN_TARGET_AVX2 / ZNN_TARGET_AVX512 (spectrum_ops.cpp).
#pragma once

#define ZNN_ALWAYS_INLINE inline __attribute__((always_inline))

// The wide vector types only ever live inside code compiled for their target, so GCC's note that
// passing them by value "changes the ABI" does not apply.
#pragma GCC diagnostic ignored "-Wpsabi"

#if defined(__GNUC__) && (defined(__x86_64__) || defined(__i386__))
#define ZNN_X86_DISPATCH 1
#define ZNN_TARGET_AVX2 __attribute__((target("avx2,fma")))
#define ZNN_TARGET_AVX512 __attribute__((target("avx512f,avx2,fma")))
#else
#define ZNN_X86_DISPATCH 0
#endif

// PREFIX_avx512::NAME<T>(...), PREFIX_avx2:: or PREFIX_generic:: for the instruction set `ISA`: the
// call into the namespaces of a file compiled once per instruction set.
#if ZNN_X86_DISPATCH
#define ZNN_DISPATCH_ISA(ISA, PREFIX, NAME, ...)                                    \
    switch (ISA) {                                                                  \
    case ::znn::simd::isa::avx512: PREFIX##_avx512::NAME<T>(__VA_ARGS__); break;    \
    case ::znn::simd::isa::avx2: PREFIX##_avx2::NAME<T>(__VA_ARGS__); break;        \
    default: PREFIX##_generic::NAME<T>(__VA_ARGS__); break;                         \
    }
#else
#define ZNN_DISPATCH_ISA(ISA, PREFIX, NAME, ...) PREFIX##_generic::NAME<T>(__VA_ARGS__);
#endif

namespace znn::simd {

enum class isa { generic, avx2, avx512 };

// The widest instruction set this CPU supports among those compiled in, at most the one the environment
// variable ZNN_ISA names (generic, avx2 or avx512; read once).
isa best_isa() noexcept;

}  // namespace znn::simd
