// Max filtering and max pooling (znn/pooling.hpp), done separably: one pass per axis whose window is
// larger than 1, each carrying the flat input index of the running maximum (unless the caller wants
// the values only). Strict ">" keeps the earliest candidate along each axis, and the passes run x,
// then y, then z, so ties resolve to the lowest flat index overall.
#include "znn/pooling.hpp"

#include "simd.hpp"

#include <limits>
#include <numeric>
#include <stdexcept>
#include <string>
#include <vector>

namespace znn {
namespace {

// One pass along `axis`: dst(i) = max_{t < window} src(i·step + t·dilation), index carried along.
struct pass {
    int axis;
    std::int64_t window, dilation, step;
};

// What a pass does with the argmax: nothing (forward-only networks), start it (the first pass reads the
// input itself, so the index of a voxel is its position), or carry it from the previous pass.
enum class indices { none, from_input, carried };

// One output row of n values whose window taps start at src + first and lie `tap` apart: the same loop
// for every axis (a row of x against its shifted copies, or whole rows of y or z), contiguous in x so
// that it runs on full vectors.
template <class T, indices I>
ZNN_ALWAYS_INLINE void max_row(const T* src, const argmax_index* src_index, std::int64_t first, std::int64_t n,
                               std::int64_t window, std::int64_t tap, T* d, argmax_index* di)
{
    const T* s = src + first;
    for (std::int64_t x = 0; x < n; ++x) d[x] = s[x];
    if constexpr (I == indices::from_input) {
        const auto base = static_cast<argmax_index>(first);
        for (std::int64_t x = 0; x < n; ++x) di[x] = base + static_cast<argmax_index>(x);
    } else if constexpr (I == indices::carried) {
        for (std::int64_t x = 0; x < n; ++x) di[x] = src_index[first + x];
    }
    for (std::int64_t t = 1; t < window; ++t) {
        const std::int64_t off = first + t * tap;
        const T* c = src + off;
        if constexpr (I == indices::none) {
            for (std::int64_t x = 0; x < n; ++x) d[x] = c[x] > d[x] ? c[x] : d[x];
        } else if constexpr (I == indices::from_input) {
            const auto base = static_cast<argmax_index>(off);
            for (std::int64_t x = 0; x < n; ++x) {
                const bool better = c[x] > d[x];
                d[x] = better ? c[x] : d[x];
                di[x] = better ? base + static_cast<argmax_index>(x) : di[x];
            }
        } else {
            const argmax_index* ci = src_index + off;
            for (std::int64_t x = 0; x < n; ++x) {
                const bool better = c[x] > d[x];
                d[x] = better ? c[x] : d[x];
                di[x] = better ? ci[x] : di[x];
            }
        }
    }
}

// Strict ">" keeps the earliest tap on ties, whichever loop runs.
template <class T, indices I>
ZNN_ALWAYS_INLINE void max_pass_loop(const T* src, const argmax_index* src_index, vec3 src_shape, const pass& p,
                                     T* dst, argmax_index* dst_index, vec3 dst_shape)
{
    const std::int64_t sy = src_shape.x, sz = src_shape.y * src_shape.x;
    const bool strided_x = p.axis == 2 && p.step > 1;  // max_pool along x: taps of one output not in a row
    const std::int64_t tap = p.dilation * (p.axis == 2 ? 1 : p.axis == 1 ? sy : sz);
    for (std::int64_t z = 0; z < dst_shape.z; ++z)
        for (std::int64_t y = 0; y < dst_shape.y; ++y) {
            const std::int64_t row = (z * dst_shape.y + y) * dst_shape.x;
            T* d = dst + row;
            argmax_index* di = I == indices::none ? nullptr : dst_index + row;
            if (!strided_x) {
                const std::int64_t first = p.axis == 0   ? z * p.step * sz + y * sy
                                           : p.axis == 1 ? z * sz + y * p.step * sy
                                                         : z * sz + y * sy;
                max_row<T, I>(src, src_index, first, dst_shape.x, p.window, tap, d, di);
                continue;
            }
            const std::int64_t base = z * sz + y * sy;
            for (std::int64_t x = 0; x < dst_shape.x; ++x) {
                std::int64_t at = base + x * p.step;
                T best = src[at];
                std::int64_t best_at = at;
                for (std::int64_t t = 1; t < p.window; ++t) {
                    at += p.dilation;
                    if (src[at] > best) {
                        best = src[at];
                        best_at = at;
                    }
                }
                d[x] = best;
                if constexpr (I == indices::from_input) di[x] = static_cast<argmax_index>(best_at);
                else if constexpr (I == indices::carried) di[x] = src_index[best_at];
            }
        }
}

#if ZNN_X86_DISPATCH
// The loops compiled for the wide vectors (max filtering was a fifth of N4's forward pass as SSE2 and
// scalar code).
template <class T, indices I>
ZNN_TARGET_AVX512 void max_pass_avx512(const T* src, const argmax_index* src_index, vec3 src_shape, const pass& p,
                                       T* dst, argmax_index* dst_index, vec3 dst_shape)
{
    max_pass_loop<T, I>(src, src_index, src_shape, p, dst, dst_index, dst_shape);
}
template <class T, indices I>
ZNN_TARGET_AVX2 void max_pass_avx2(const T* src, const argmax_index* src_index, vec3 src_shape, const pass& p,
                                   T* dst, argmax_index* dst_index, vec3 dst_shape)
{
    max_pass_loop<T, I>(src, src_index, src_shape, p, dst, dst_index, dst_shape);
}
#endif

template <class T, indices I>
void max_pass(const T* src, const argmax_index* src_index, vec3 src_shape, const pass& p, T* dst,
              argmax_index* dst_index, vec3 dst_shape)
{
#if ZNN_X86_DISPATCH
    switch (simd::best_isa()) {
    case simd::isa::avx512: max_pass_avx512<T, I>(src, src_index, src_shape, p, dst, dst_index, dst_shape); return;
    case simd::isa::avx2: max_pass_avx2<T, I>(src, src_index, src_shape, p, dst, dst_index, dst_shape); return;
    default: break;
    }
#endif
    max_pass_loop<T, I>(src, src_index, src_shape, p, dst, dst_index, dst_shape);
}

// argmax == nullptr: the values only (a network built for forward passes never runs a backward).
template <class T>
void separable_max(const volume<T>& in, vec3 window, vec3 dilation, vec3 step, vec3 out_shape, volume<T>& out,
                   argmax_volume* argmax)
{
    if (in.size() > std::numeric_limits<argmax_index>::max())
        throw std::invalid_argument("max filtering: a map of " + in.shape().dims() + " voxels is too large");
    if (out.shape() != out_shape) out = volume<T>(out_shape);
    if (argmax && argmax->shape() != out_shape) *argmax = argmax_volume(out_shape);

    std::vector<pass> passes;
    for (int axis : {2, 1, 0})
        if (window[axis] > 1 || step[axis] > 1) passes.push_back({axis, window[axis], dilation[axis], step[axis]});
    if (passes.empty()) {
        std::copy(in.begin(), in.end(), out.begin());
        if (argmax) std::iota(argmax->begin(), argmax->end(), argmax_index(0));
        return;
    }

    // Intermediate results of the passes before the last, in per-thread buffers that only grow: fresh
    // buffers per call cost page faults and zeroing of megabytes per map (a quarter of a 3D forward).
    thread_local std::vector<T> values[2];
    thread_local std::vector<argmax_index> index_buffers[2];
    const T* src = in.data();
    const argmax_index* src_index = nullptr;
    vec3 shape = in.shape();
    for (std::size_t k = 0; k < passes.size(); ++k) {
        const pass& p = passes[k];
        vec3 next = shape;
        next[p.axis] = out_shape[p.axis];
        T* dst;
        argmax_index* dst_index = nullptr;
        if (k + 1 == passes.size()) {
            dst = out.data();
            if (argmax) dst_index = argmax->data();
        } else {
            const auto needed = static_cast<std::size_t>(next.volume());
            if (values[k % 2].size() < needed) values[k % 2].resize(needed);
            dst = values[k % 2].data();
            if (argmax) {
                if (index_buffers[k % 2].size() < needed) index_buffers[k % 2].resize(needed);
                dst_index = index_buffers[k % 2].data();
            }
        }
        if (!argmax) max_pass<T, indices::none>(src, nullptr, shape, p, dst, nullptr, next);
        else if (k == 0) max_pass<T, indices::from_input>(src, nullptr, shape, p, dst, dst_index, next);
        else max_pass<T, indices::carried>(src, src_index, shape, p, dst, dst_index, next);
        src = dst;
        src_index = dst_index;
        shape = next;
    }
}

template <class T>
void max_filter(const volume<T>& in, vec3 window, vec3 sparsity, volume<T>& out, argmax_volume* argmax)
{
    const vec3 out_shape = max_filter_output_shape(in.shape(), window, sparsity);
    if (!window.all_positive() || !sparsity.all_positive() || !out_shape.all_positive())
        throw std::invalid_argument("max_filter: window " + window.dims() + " with sparsity " + sparsity.dims() +
                                    " does not fit the input " + in.shape().dims());
    separable_max(in, window, sparsity, {1, 1, 1}, out_shape, out, argmax);
}

template <class T>
void max_pool(const volume<T>& in, vec3 size, volume<T>& out, argmax_volume* argmax)
{
    if (!size.all_positive() || !in.shape().all_positive() || in.shape() % size != vec3{0, 0, 0})
        throw std::invalid_argument("max_pool: size " + size.dims() + " does not divide the input " +
                                    in.shape().dims());
    separable_max(in, size, {1, 1, 1}, size, in.shape() / size, out, argmax);
}

}  // namespace

template <class T>
void max_filter_forward(const volume<T>& in, vec3 window, vec3 sparsity, volume<T>& out, argmax_volume& argmax)
{
    max_filter(in, window, sparsity, out, &argmax);
}

template <class T>
void max_filter_forward(const volume<T>& in, vec3 window, vec3 sparsity, volume<T>& out)
{
    max_filter<T>(in, window, sparsity, out, nullptr);
}

template <class T>
void max_pool_forward(const volume<T>& in, vec3 size, volume<T>& out, argmax_volume& argmax)
{
    max_pool(in, size, out, &argmax);
}

template <class T>
void max_pool_forward(const volume<T>& in, vec3 size, volume<T>& out)
{
    max_pool<T>(in, size, out, nullptr);
}

template <class T>
void max_backward(const volume<T>& grad_out, const argmax_volume& argmax, volume<T>& grad_in)
{
    if (argmax.shape() != grad_out.shape())
        throw std::invalid_argument("max backward: argmax " + argmax.shape().dims() + " and gradient " +
                                    grad_out.shape().dims() + " differ");
    T* g = grad_in.data();
    const std::size_t n = grad_in.size();
    for (std::size_t i = 0; i < grad_out.size(); ++i) {
        if (argmax[i] >= n) throw std::invalid_argument("max backward: argmax outside the input gradient");
        g[argmax[i]] += grad_out[i];
    }
}

#define ZNN_INSTANTIATE(T)                                                                          \
    template void max_filter_forward<T>(const volume<T>&, vec3, vec3, volume<T>&, argmax_volume&); \
    template void max_filter_forward<T>(const volume<T>&, vec3, vec3, volume<T>&);                 \
    template void max_pool_forward<T>(const volume<T>&, vec3, volume<T>&, argmax_volume&);          \
    template void max_pool_forward<T>(const volume<T>&, vec3, volume<T>&);                         \
    template void max_backward<T>(const volume<T>&, const argmax_volume&, volume<T>&);
ZNN_INSTANTIATE(float)
ZNN_INSTANTIATE(double)

}  // namespace znn
