// Max filtering and max pooling of one feature map (manual §2), with the argmax kept for the backward
// pass.
//
// max_filter (edge type max_filter, map i -> map i): a dense sliding maximum whose window is dilated by
// the sparsity s of the edge's input node. Per axis: out = in - (window - 1)·s and
//     out(v) = max_{t in window} in(v + t·s).
// The edge's `stride` does not appear here: it only multiplies the sparsity of the target node.
//
// max_pool (edge type max_pool): true non-overlapping pooling; `size` must divide the input.
// Per axis: out = in / size and out(v) = max_{t < size} in(v·size + t).
//
// argmax(v) is the flat index (into in.data()) of the chosen input voxel. Ties pick the lowest flat
// index. Both forwards OVERWRITE `out` and `argmax` (reallocated when their shape differs); the backward
// ACCUMULATES: grad_in[argmax(v)] += grad_out(v).
//
// The maximum is computed separably (x, then y, then z), which is exact for max and keeps every inner
// loop contiguous along x.
#pragma once

#include "znn/vec3.hpp"
#include "znn/volume.hpp"

#include <cstdint>

namespace znn {

// Flat input indices; a map may hold up to 2^32 - 1 voxels.
using argmax_index = std::uint32_t;
using argmax_volume = volume<argmax_index>;

// in - (window - 1)·sparsity per axis.
constexpr vec3 max_filter_output_shape(vec3 in, vec3 window, vec3 sparsity)
{
    return in - (window - 1) * sparsity;
}

template <class T>
void max_filter_forward(const volume<T>& in, vec3 window, vec3 sparsity, volume<T>& out, argmax_volume& argmax);
// The values only, for passes that never go backward (no argmax written: about half the memory traffic).
template <class T>
void max_filter_forward(const volume<T>& in, vec3 window, vec3 sparsity, volume<T>& out);

// Throws std::invalid_argument unless `size` divides in.shape() per axis.
template <class T>
void max_pool_forward(const volume<T>& in, vec3 size, volume<T>& out, argmax_volume& argmax);
template <class T>
void max_pool_forward(const volume<T>& in, vec3 size, volume<T>& out);

// grad_in[argmax(v)] += grad_out(v), for both max_filter and max_pool.
template <class T>
void max_backward(const volume<T>& grad_out, const argmax_volume& argmax, volume<T>& grad_in);

}  // namespace znn
