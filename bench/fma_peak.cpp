// znn-fma-peak: this machine's single-precision multiply-add peak right now, per core, at one thread and
// at THREADS threads together. On a shared VM the peak moves between minutes (2.6-4.3 G vector
// multiply-adds per second per core on the Intel VM of bench/RESULTS.md, note 18), so tools/bench prints
// it beside each case: a ratio against torch, or a kernel's share of the peak, is read against the
// minute it was taken in. Not a test: it prints figures and never fails on timing.
//
//   znn-fma-peak [THREADS]      (default: every core)
//
// Each thread runs 16 independent chains of vector multiply-adds on registers (enough to cover the
// latency of two FMA pipes), with the widest vectors the CPU has: AVX-512, AVX2 with FMA, or the
// build's baseline vectors (multiply and add, counted as one).
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <thread>
#include <vector>

#if defined(__x86_64__) || defined(__i386__)
#include <immintrin.h>
#define ZNN_PEAK_X86 1
#else
#define ZNN_PEAK_X86 0
#endif

namespace {

constexpr int chains = 16;

#if ZNN_PEAK_X86
__attribute__((target("avx512f"))) float run_avx512(long iterations)
{
    __m512 a[chains];
    for (int i = 0; i < chains; ++i) a[i] = _mm512_set1_ps(0.001f * static_cast<float>(i));
    const __m512 b = _mm512_set1_ps(0.9999f), c = _mm512_set1_ps(1e-4f);
    for (long k = 0; k < iterations; ++k) {
#pragma GCC unroll 16
        for (int i = 0; i < chains; ++i) a[i] = _mm512_fmadd_ps(a[i], b, c);
    }
    alignas(64) float lanes[16];
    float sum = 0;
    for (int i = 0; i < chains; ++i) {
        _mm512_store_ps(lanes, a[i]);
        for (float v : lanes) sum += v;
    }
    return sum;
}

__attribute__((target("avx2,fma"))) float run_avx2(long iterations)
{
    __m256 a[chains];
    for (int i = 0; i < chains; ++i) a[i] = _mm256_set1_ps(0.001f * static_cast<float>(i));
    const __m256 b = _mm256_set1_ps(0.9999f), c = _mm256_set1_ps(1e-4f);
    for (long k = 0; k < iterations; ++k) {
#pragma GCC unroll 16
        for (int i = 0; i < chains; ++i) a[i] = _mm256_fmadd_ps(a[i], b, c);
    }
    alignas(32) float lanes[8];
    float sum = 0;
    for (int i = 0; i < chains; ++i) {
        _mm256_store_ps(lanes, a[i]);
        for (float v : lanes) sum += v;
    }
    return sum;
}
#endif

float run_baseline(long iterations)
{
    typedef float vec __attribute__((vector_size(16)));
    vec a[chains];
    for (int i = 0; i < chains; ++i) a[i] = vec{} + 0.001f * static_cast<float>(i);
    const vec b = vec{} + 0.9999f, c = vec{} + 1e-4f;
    for (long k = 0; k < iterations; ++k) {
#pragma GCC unroll 16
        for (int i = 0; i < chains; ++i) a[i] = a[i] * b + c;
    }
    float sum = 0;
    for (int i = 0; i < chains; ++i)
        for (int l = 0; l < 4; ++l) sum += a[i][l];
    return sum;
}

struct kernel {
    const char* name;
    float (*run)(long);
};

kernel widest()
{
#if ZNN_PEAK_X86
    __builtin_cpu_init();
    if (__builtin_cpu_supports("avx512f")) return {"512-bit", run_avx512};
    if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma")) return {"256-bit", run_avx2};
#endif
    return {"128-bit (no FMA)", run_baseline};
}

// Vector multiply-adds per second per core, `threads` threads running at once: the best of 3 runs.
double per_core_rate(const kernel& k, int threads, long iterations)
{
    double best = 0;
    for (int rep = 0; rep < 3; ++rep) {
        std::vector<float> sink(static_cast<std::size_t>(threads));
        const auto start = std::chrono::steady_clock::now();
        std::vector<std::thread> pool;
        for (int t = 0; t < threads; ++t) pool.emplace_back([&, t] { sink[static_cast<std::size_t>(t)] = k.run(iterations); });
        for (std::thread& t : pool) t.join();
        const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
        // The sums are printed nowhere but kept, so the chains cannot be optimised away.
        volatile float keep = sink[0];
        (void)keep;
        best = std::max(best, static_cast<double>(iterations) * chains / seconds);
    }
    return best;
}

}  // namespace

int main(int argc, char** argv)
{
    const std::string usage = "usage: znn-fma-peak [THREADS]   (THREADS: 1 or more; default: every core)\n";
    int threads = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
    if (argc > 2 || (argc == 2 && (std::string(argv[1]) == "-h" || std::string(argv[1]) == "--help"))) {
        std::fputs(usage.c_str(), argc == 2 ? stdout : stderr);
        return argc == 2 ? 0 : 2;
    }
    if (argc == 2) {
        char* end = nullptr;
        const long n = std::strtol(argv[1], &end, 10);
        if (*end != '\0' || n < 1 || n > 4096) {
            std::fprintf(stderr, "znn-fma-peak: THREADS must be a number from 1 to 4096, got '%s'\n%s", argv[1],
                         usage.c_str());
            return 2;
        }
        threads = static_cast<int>(n);
    }
    const kernel k = widest();
    // About 0.1-0.3 s per run at 2-5 G multiply-adds per second.
    constexpr long iterations = 30'000'000;
    const double one = per_core_rate(k, 1, iterations);
    std::printf("fma peak: %s vectors, 1 thread %.2f G/s", k.name, one / 1e9);
    if (threads > 1) std::printf(", %d threads %.2f G/s per core", threads, per_core_rate(k, threads, iterations) / 1e9);
    std::printf(" (vector multiply-adds per second, best of 3)\n");
    return 0;
}
