// volume<T>: a dense, 64-byte aligned 3D array indexed (z, y, x), x fastest.
// A stack of feature maps (a 4D array) is a std::vector<volume<T>> — see `maps<T>`.
// T is float or double; the engine is templated so that dtype is chosen at run time.
#pragma once

#include "znn/vec3.hpp"

#include <algorithm>
#include <cassert>
#include <cstddef>
#include <cstdlib>
#include <memory>
#include <new>
#include <span>
#include <vector>

namespace znn {

inline constexpr std::size_t simd_alignment = 64;

namespace detail {
// simd_alignment-aligned memory (src/core/aligned_memory.cpp). Blocks of several MiB are mapped on
// their own and left out of forked children (MADV_DONTFORK): znn reads untrusted HDF5 files in a
// child process, and a child sharing GBs of maps copy-on-write would make the parent copy every page
// it writes afterwards. Such blocks must never be touched by a forked child.
void* allocate_aligned(std::size_t bytes);
void release_aligned(void* p) noexcept;

struct aligned_free {
    bool owned = true;  // false: a view of memory owned elsewhere (volume::view)
    void operator()(void* p) const noexcept
    {
        if (owned) release_aligned(p);
    }
};

template <class T>
T* aligned_new(std::size_t n)
{
    return static_cast<T*>(allocate_aligned(std::max<std::size_t>(n, 1) * sizeof(T)));
}

// For std::vector scratch that vector code reads and writes: malloc aligns only to 16 bytes (a block
// of 128 KiB or more lands 16 bytes past a page), so every 64-byte store would straddle two lines.
template <class T>
struct aligned_allocator {
    using value_type = T;
    aligned_allocator() = default;
    template <class U>
    aligned_allocator(const aligned_allocator<U>&) noexcept
    {
    }
    T* allocate(std::size_t n) { return aligned_new<T>(n); }
    void deallocate(T* p, std::size_t) noexcept { release_aligned(p); }
    template <class U>
    bool operator==(const aligned_allocator<U>&) const noexcept
    {
        return true;
    }
};

template <class T>
using aligned_vector = std::vector<T, aligned_allocator<T>>;
}  // namespace detail

template <class T>
class volume {
public:
    using value_type = T;

    volume() = default;
    explicit volume(vec3 shape, T fill_value = T(0)) : shape_(shape), data_(detail::aligned_new<T>(count(shape)))
    {
        std::fill_n(data_.get(), count(shape), fill_value);
    }
    volume(const volume& o) : shape_(o.shape_), data_(o.data_ ? detail::aligned_new<T>(o.size()) : nullptr)
    {
        if (data_) std::copy_n(o.data_.get(), o.size(), data_.get());
    }
    // Copies into the existing memory when the shapes match: a network's input maps are assigned every
    // pass, and fresh memory would cost a page fault per 4 KiB.
    volume& operator=(const volume& o)
    {
        if (this == &o) return *this;
        if (o.shape_ == shape_ && data_) {
            std::copy_n(o.data_.get(), o.size(), data_.get());
            return *this;
        }
        volume tmp(o);
        *this = std::move(tmp);
        return *this;
    }
    volume(volume&&) noexcept = default;
    volume& operator=(volume&&) noexcept = default;

    // A volume of `shape` over memory it does not own (a network's shared maps, znn/activation_plan.hpp),
    // which must outlive it. Copies of it own their memory; assigning a volume of another shape to it
    // gives it memory of its own.
    static volume view(T* data, vec3 shape)
    {
        volume v;
        v.shape_ = shape;
        v.data_ = std::unique_ptr<T[], detail::aligned_free>(data, detail::aligned_free{false});
        return v;
    }

    vec3 shape() const noexcept { return shape_; }
    std::size_t size() const noexcept { return count(shape_); }
    bool empty() const noexcept { return size() == 0; }

    T* data() noexcept { return data_.get(); }
    const T* data() const noexcept { return data_.get(); }
    T* begin() noexcept { return data(); }
    T* end() noexcept { return data() + size(); }
    const T* begin() const noexcept { return data(); }
    const T* end() const noexcept { return data() + size(); }
    std::span<T> span() noexcept { return {data(), size()}; }
    std::span<const T> span() const noexcept { return {data(), size()}; }

    std::size_t index(std::int64_t z, std::int64_t y, std::int64_t x) const noexcept
    {
        assert(z >= 0 && y >= 0 && x >= 0 && z < shape_.z && y < shape_.y && x < shape_.x);
        return static_cast<std::size_t>((z * shape_.y + y) * shape_.x + x);
    }
    T& operator()(std::int64_t z, std::int64_t y, std::int64_t x) noexcept { return data_.get()[index(z, y, x)]; }
    const T& operator()(std::int64_t z, std::int64_t y, std::int64_t x) const noexcept { return data_.get()[index(z, y, x)]; }
    T& operator[](std::size_t i) noexcept { return data_.get()[i]; }
    const T& operator[](std::size_t i) const noexcept { return data_.get()[i]; }

    void fill(T v) noexcept { std::fill_n(data(), size(), v); }

private:
    static std::size_t count(vec3 s) { return s.all_positive() ? static_cast<std::size_t>(s.volume()) : 0; }

    vec3 shape_{0, 0, 0};
    std::unique_ptr<T[], detail::aligned_free> data_;
};

// The feature maps of one node: maps[i] is map i.
template <class T>
using maps = std::vector<volume<T>>;

// Copies the box [offset, offset + shape) of `src` into a new volume.
template <class T>
volume<T> crop(const volume<T>& src, vec3 offset, vec3 shape)
{
    volume<T> out(shape);
    for (std::int64_t z = 0; z < shape.z; ++z)
        for (std::int64_t y = 0; y < shape.y; ++y) {
            const T* s = &src(z + offset.z, y + offset.y, offset.x);
            std::copy_n(s, shape.x, &out(z, y, 0));
        }
    return out;
}

}  // namespace znn
