// znn-memory-bandwidth: how this machine's memory bandwidth grows from one thread to THREADS, for
// buffers that stay in the caches and for buffers that go to memory. Where the engine's phases that
// stream maps and transforms (pooling, Winograd transforms, the first and last layers) scale from 1
// to 2 threads less than its multiply-adds do, these figures say how much of it the machine allows
// (RESULTS.md, engine note 29). Not a test: it prints figures and never fails on timing.
//
//   znn-memory-bandwidth [THREADS [MIB ...]]   (defaults: every core; 2, 8 and 256 MiB per thread)
//
// Per buffer size, in GB/s summed over the threads (best of 5 rounds, each round several sweeps):
//   read     a sum over the buffer
//   write    plain stores (each line is read into the cache before it is written: 2x the traffic)
//   stream   non-temporal stores, around the caches (x86 only), as the Winograd transforms are stored
#include <algorithm>
#include <barrier>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <thread>
#include <vector>

#if defined(__x86_64__)
#include <immintrin.h>
#define ZNN_BW_STREAM 1
#else
#define ZNN_BW_STREAM 0
#endif

namespace {

enum class kind { read, write, stream };

std::uint64_t sweep(kind k, std::uint64_t* p, std::size_t n)
{
    switch (k) {
    case kind::read: {
        std::uint64_t a = 0, b = 0, c = 0, d = 0;  // four chains: the sum is not the bottleneck
        for (std::size_t i = 0; i + 4 <= n; i += 4) {
            a += p[i];
            b += p[i + 1];
            c += p[i + 2];
            d += p[i + 3];
        }
        return a ^ b ^ c ^ d;
    }
    case kind::write: std::fill_n(p, n, std::uint64_t{1}); return 0;
    case kind::stream:
#if ZNN_BW_STREAM
        for (std::size_t i = 0; i + 2 <= n; i += 2)
            _mm_stream_si128(reinterpret_cast<__m128i*>(p + i), _mm_set1_epi64x(1));
        _mm_sfence();
#endif
        return 0;
    }
    return 0;
}

// GB/s of `threads` threads each sweeping its own buffer of `bytes`, `sweeps` times per round.
double bandwidth(kind k, int threads, std::size_t bytes, int sweeps, std::vector<std::uint64_t*>& buffers)
{
    const std::size_t n = bytes / sizeof(std::uint64_t);
    double best = 0;
    std::vector<std::uint64_t> sinks(static_cast<std::size_t>(threads));
    for (int round = 0; round < 5; ++round) {
        std::barrier start(threads + 1), done(threads + 1);
        std::vector<std::thread> pool;
        for (int t = 0; t < threads; ++t)
            pool.emplace_back([&, t] {
                start.arrive_and_wait();
                std::uint64_t s = 0;
                for (int i = 0; i < sweeps; ++i) s ^= sweep(k, buffers[static_cast<std::size_t>(t)], n);
                sinks[static_cast<std::size_t>(t)] = s;
                done.arrive_and_wait();
            });
        start.arrive_and_wait();
        const auto t0 = std::chrono::steady_clock::now();
        done.arrive_and_wait();
        const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
        for (auto& th : pool) th.join();
        best = std::max(best, static_cast<double>(bytes) * sweeps * threads / seconds / 1e9);
    }
    std::uint64_t all = 0;
    for (auto s : sinks) all ^= s;
    if (all == 42) std::puts("");  // keeps the reads
    return best;
}

}  // namespace

int main(int argc, char** argv)
{
    const int threads = argc > 1 ? std::atoi(argv[1]) : static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
    std::vector<std::size_t> mib;
    for (int i = 2; i < argc; ++i) mib.push_back(static_cast<std::size_t>(std::atol(argv[i])));
    if (mib.empty()) mib = {2, 8, 256};
    if (threads < 1 || std::any_of(mib.begin(), mib.end(), [](std::size_t m) { return m < 1; })) {
        std::fprintf(stderr, "usage: znn-memory-bandwidth [THREADS >= 1 [MIB >= 1 ...]]\n");
        return 2;
    }
    const char* names[] = {"read", "write", "stream"};
    const int kinds = ZNN_BW_STREAM ? 3 : 2;
    for (std::size_t m : mib) {
        const std::size_t bytes = m << 20;
        std::vector<std::unique_ptr<std::uint64_t[]>> owned;
        std::vector<std::uint64_t*> buffers;
        for (int t = 0; t < threads; ++t) {
            owned.emplace_back(new std::uint64_t[bytes / sizeof(std::uint64_t)]);
            std::fill_n(owned.back().get(), bytes / sizeof(std::uint64_t), std::uint64_t{0});  // touched once
            buffers.push_back(owned.back().get());
        }
        // About 1 GB per thread and round, at least one sweep.
        const int sweeps = static_cast<int>(std::max<std::size_t>(1, (std::size_t{1} << 30) / bytes));
        std::printf("memory bandwidth, %zu MiB per thread:", m);
        for (int k = 0; k < kinds; ++k) {
            const double one = bandwidth(static_cast<kind>(k), 1, bytes, sweeps, buffers);
            const double all = threads > 1 ? bandwidth(static_cast<kind>(k), threads, bytes, sweeps, buffers) : one;
            std::printf("  %s %.1f -> %.1f GB/s (%.2fx)", names[k], one, all, all / one);
        }
        std::printf("  [1 -> %d threads]\n", threads);
    }
    return 0;
}
