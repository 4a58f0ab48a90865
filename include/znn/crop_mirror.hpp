// Fitting image and label stacks together: is_auto_crop (center-crop the larger to the smaller, per
// axis) and is_bd_mirror (pad by symmetric reflection so the output covers the whole input);
// ../shared/znn-manual.md §3.
#pragma once

#include "znn/error.hpp"
#include "znn/volume.hpp"

#include <string>

namespace znn {

// The box of `shape` centred in `larger`: offset (larger - shape) / 2 per axis (rounded down).
inline vec3 center_offset(vec3 larger, vec3 shape) { return (larger - shape) / vec3{2, 2, 2}; }

// Crops `v` to `shape` (each axis no larger than v's), centred as center_offset says.
template <class T>
volume<T> center_crop(const volume<T>& v, vec3 shape)
{
    const vec3 s = v.shape();
    if (shape.z > s.z || shape.y > s.y || shape.x > s.x)
        throw runtime_failure("center_crop: " + shape.dims() + " does not fit in " + s.dims());
    if (shape == s) return v;
    return crop(v, center_offset(s, shape), shape);
}

// is_auto_crop: the shape both stacks are cut to — per axis, the smaller of the two.
inline vec3 auto_crop_shape(vec3 a, vec3 b) { return min(a, b); }

// is_bd_mirror padding for a field of view: (fov - 1) / 2 below, fov / 2 above, per axis.
inline vec3 mirror_pad_below(vec3 fov) { return (fov - 1) / vec3{2, 2, 2}; }
inline vec3 mirror_pad_above(vec3 fov) { return fov / vec3{2, 2, 2}; }

namespace detail {
// Symmetric reflection (the edge voxel repeats: ... c b a | a b c ... c | c b a ...), periodic with
// period 2n, so pads wider than the volume keep reflecting.
inline std::int64_t reflect_index(std::int64_t i, std::int64_t n)
{
    const std::int64_t period = 2 * n;
    std::int64_t m = i % period;
    if (m < 0) m += period;
    return m < n ? m : period - 1 - m;
}
}  // namespace detail

// Pads `v` by mirror_pad_below(fov) / mirror_pad_above(fov) with symmetric reflection; the result is
// v.shape() + fov - 1, so a valid convolution with that field of view gives back v.shape().
template <class T>
volume<T> mirror_pad(const volume<T>& v, vec3 fov)
{
    const vec3 s = v.shape();
    if (!s.all_positive() || !fov.all_positive())
        throw runtime_failure("mirror_pad: volume " + s.dims() + ", field of view " + fov.dims());
    const vec3 below = mirror_pad_below(fov);
    volume<T> out(s + fov - 1);
    const vec3 o = out.shape();
    for (std::int64_t z = 0; z < o.z; ++z) {
        const std::int64_t sz = detail::reflect_index(z - below.z, s.z);
        for (std::int64_t y = 0; y < o.y; ++y) {
            const std::int64_t sy = detail::reflect_index(y - below.y, s.y);
            T* row = &out(z, y, 0);
            for (std::int64_t x = 0; x < o.x; ++x) row[x] = v(sz, sy, detail::reflect_index(x - below.x, s.x));
        }
    }
    return out;
}

}  // namespace znn
