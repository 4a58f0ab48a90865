// detail::allocate_aligned / release_aligned (znn/volume.hpp): every block carries a header of one
// alignment unit just before the pointer handed out, saying how it was obtained, so that release needs
// no size from the caller.
#include "znn/volume.hpp"

#include <cstdint>
#include <cstdlib>
#include <new>

#include <sys/mman.h>
#include <unistd.h>

namespace znn::detail {

namespace {

// Blocks from this size on are mapped on their own and kept out of forked children.
constexpr std::size_t own_mapping_bytes = std::size_t(4) << 20;

struct header {
    std::size_t mapped_bytes;  // 0: from the heap (base = header); else the length of the mapping
};
static_assert(sizeof(header) <= simd_alignment);

}  // namespace

void* allocate_aligned(std::size_t bytes)
{
    const std::size_t total = bytes + simd_alignment;
    if (bytes >= own_mapping_bytes) {
        const std::size_t page = static_cast<std::size_t>(sysconf(_SC_PAGESIZE));
        const std::size_t length = (total + page - 1) / page * page;
        void* base = mmap(nullptr, length, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
        if (base == MAP_FAILED) throw std::bad_alloc();
        madvise(base, length, MADV_DONTFORK);  // best effort: without it a fork only costs more
        static_cast<header*>(base)->mapped_bytes = length;
        return static_cast<char*>(base) + simd_alignment;
    }
    void* base = std::aligned_alloc(simd_alignment, (total + simd_alignment - 1) / simd_alignment * simd_alignment);
    if (!base) throw std::bad_alloc();
    static_cast<header*>(base)->mapped_bytes = 0;
    return static_cast<char*>(base) + simd_alignment;
}

void release_aligned(void* p) noexcept
{
    if (!p) return;
    void* base = static_cast<char*>(p) - simd_alignment;
    const std::size_t mapped = static_cast<header*>(base)->mapped_bytes;
    if (mapped)
        munmap(base, mapped);
    else
        std::free(base);
}

}  // namespace znn::detail
