// Max filtering and max pooling (znn/pooling.hpp), done separably: one pass per axis whose window is
// larger than 1, each carrying the flat input index of the running maximum. Strict ">" keeps the
// earliest candidate along each axis, and the passes run x, then y, then z, so ties resolve to the
// lowest flat index overall.
#include "znn/pooling.hpp"

#include <limits>
#include <numeric>
#include <stdexcept>
#include <string>
#include <vector>

namespace znn {
namespace {

// One pass along `axis`: dst(i) = max_{t < window} src(i·step + t·dilation), index carried along.
// FromInput: src is the input itself, so the index of a voxel is its position.
struct pass {
    int axis;
    std::int64_t window, dilation, step;
};

template <class T, bool FromInput>
void max_pass(const T* src, const argmax_index* src_index, vec3 src_shape, const pass& p, T* dst,
              argmax_index* dst_index, vec3 dst_shape)
{
    auto index_at = [&](std::size_t i) { return FromInput ? static_cast<argmax_index>(i) : src_index[i]; };
    const std::int64_t sy = src_shape.x, sz = src_shape.y * src_shape.x;
    for (std::int64_t z = 0; z < dst_shape.z; ++z)
        for (std::int64_t y = 0; y < dst_shape.y; ++y) {
            T* d = dst + (z * dst_shape.y + y) * dst_shape.x;
            argmax_index* di = dst_index + (z * dst_shape.y + y) * dst_shape.x;
            if (p.axis == 2) {
                // Along x within one row.
                const std::size_t base = static_cast<std::size_t>(z * sz + y * sy);
                for (std::int64_t x = 0; x < dst_shape.x; ++x) {
                    std::size_t at = base + x * p.step;
                    T best = src[at];
                    argmax_index best_i = index_at(at);
                    for (std::int64_t t = 1; t < p.window; ++t) {
                        at += p.dilation;
                        if (src[at] > best) {
                            best = src[at];
                            best_i = index_at(at);
                        }
                    }
                    d[x] = best;
                    di[x] = best_i;
                }
            } else {
                // Along y or z: whole rows against whole rows, contiguous in x.
                const std::int64_t stride = p.axis == 1 ? sy : sz;
                const std::int64_t first = p.axis == 1 ? z * sz + y * p.step * sy : z * p.step * sz + y * sy;
                const T* s = src + first;
                for (std::int64_t x = 0; x < dst_shape.x; ++x) {
                    d[x] = s[x];
                    di[x] = index_at(static_cast<std::size_t>(first + x));
                }
                for (std::int64_t t = 1; t < p.window; ++t) {
                    const std::int64_t off = first + t * p.dilation * stride;
                    const T* c = src + off;
                    for (std::int64_t x = 0; x < dst_shape.x; ++x) {
                        const bool better = c[x] > d[x];
                        d[x] = better ? c[x] : d[x];
                        di[x] = better ? index_at(static_cast<std::size_t>(off + x)) : di[x];
                    }
                }
            }
        }
}

template <class T>
void separable_max(const volume<T>& in, vec3 window, vec3 dilation, vec3 step, vec3 out_shape, volume<T>& out,
                   argmax_volume& argmax)
{
    if (in.size() > std::numeric_limits<argmax_index>::max())
        throw std::invalid_argument("max filtering: a map of " + in.shape().dims() + " voxels is too large");
    if (out.shape() != out_shape) out = volume<T>(out_shape);
    if (argmax.shape() != out_shape) argmax = argmax_volume(out_shape);

    std::vector<pass> passes;
    for (int axis : {2, 1, 0})
        if (window[axis] > 1 || step[axis] > 1) passes.push_back({axis, window[axis], dilation[axis], step[axis]});
    if (passes.empty()) {
        std::copy(in.begin(), in.end(), out.begin());
        std::iota(argmax.begin(), argmax.end(), argmax_index(0));
        return;
    }

    // Intermediate results of the passes before the last, in per-thread buffers that only grow: fresh
    // buffers per call cost page faults and zeroing of megabytes per map (a quarter of a 3D forward).
    thread_local std::vector<T> values[2];
    thread_local std::vector<argmax_index> indices[2];
    const T* src = in.data();
    const argmax_index* src_index = nullptr;
    vec3 shape = in.shape();
    for (std::size_t k = 0; k < passes.size(); ++k) {
        const pass& p = passes[k];
        vec3 next = shape;
        next[p.axis] = out_shape[p.axis];
        T* dst;
        argmax_index* dst_index;
        if (k + 1 == passes.size()) {
            dst = out.data();
            dst_index = argmax.data();
        } else {
            const auto needed = static_cast<std::size_t>(next.volume());
            if (values[k % 2].size() < needed) values[k % 2].resize(needed);
            if (indices[k % 2].size() < needed) indices[k % 2].resize(needed);
            dst = values[k % 2].data();
            dst_index = indices[k % 2].data();
        }
        if (k == 0)
            max_pass<T, true>(src, nullptr, shape, p, dst, dst_index, next);
        else
            max_pass<T, false>(src, src_index, shape, p, dst, dst_index, next);
        src = dst;
        src_index = dst_index;
        shape = next;
    }
}

}  // namespace

template <class T>
void max_filter_forward(const volume<T>& in, vec3 window, vec3 sparsity, volume<T>& out, argmax_volume& argmax)
{
    const vec3 out_shape = max_filter_output_shape(in.shape(), window, sparsity);
    if (!window.all_positive() || !sparsity.all_positive() || !out_shape.all_positive())
        throw std::invalid_argument("max_filter: window " + window.dims() + " with sparsity " + sparsity.dims() +
                                    " does not fit the input " + in.shape().dims());
    separable_max(in, window, sparsity, {1, 1, 1}, out_shape, out, argmax);
}

template <class T>
void max_pool_forward(const volume<T>& in, vec3 size, volume<T>& out, argmax_volume& argmax)
{
    if (!size.all_positive() || !in.shape().all_positive() || in.shape() % size != vec3{0, 0, 0})
        throw std::invalid_argument("max_pool: size " + size.dims() + " does not divide the input " +
                                    in.shape().dims());
    separable_max(in, size, {1, 1, 1}, size, in.shape() / size, out, argmax);
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
    template void max_pool_forward<T>(const volume<T>&, vec3, volume<T>&, argmax_volume&);          \
    template void max_backward<T>(const volume<T>&, const argmax_volume&, volume<T>&);
ZNN_INSTANTIATE(float)
ZNN_INSTANTIATE(double)

}  // namespace znn
