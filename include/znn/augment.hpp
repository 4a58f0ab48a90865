// Data augmentation (is_data_aug): independent flips of z, y and x and a y<->x transpose, 16 variants.
// augment() flips first, then transposes; unaugment() undoes it (transposes, then flips), so
// unaugment(augment(v, f), f) == v. See labels.hpp for the order relative to label transforms.
#pragma once

#include "znn/volume.hpp"

namespace znn {

struct augment_flags {
    bool flip_z = false;
    bool flip_y = false;
    bool flip_x = false;
    bool transpose_yx = false;
    friend constexpr bool operator==(const augment_flags&, const augment_flags&) = default;
};

// Bits 0..3 of `code` = flip_z, flip_y, flip_x, transpose_yx; a random code in [0, 16) picks a
// uniformly random variant.
constexpr augment_flags augment_from_code(unsigned code)
{
    return {(code & 1u) != 0, (code & 2u) != 0, (code & 4u) != 0, (code & 8u) != 0};
}
constexpr unsigned augment_code(const augment_flags& f)
{
    return (f.flip_z ? 1u : 0u) | (f.flip_y ? 2u : 0u) | (f.flip_x ? 4u : 0u) | (f.transpose_yx ? 8u : 0u);
}

// The shape after augment(): y and x swap when transposing.
inline vec3 augmented_shape(vec3 s, const augment_flags& f) { return f.transpose_yx ? vec3{s.z, s.x, s.y} : s; }

namespace detail {
template <class T>
volume<T> flipped(const volume<T>& v, const augment_flags& f)
{
    const vec3 s = v.shape();
    volume<T> out(s);
    for (std::int64_t z = 0; z < s.z; ++z)
        for (std::int64_t y = 0; y < s.y; ++y) {
            const T* src = &v(f.flip_z ? s.z - 1 - z : z, f.flip_y ? s.y - 1 - y : y, 0);
            T* dst = &out(z, y, 0);
            for (std::int64_t x = 0; x < s.x; ++x) dst[x] = src[f.flip_x ? s.x - 1 - x : x];
        }
    return out;
}

template <class T>
volume<T> transposed_yx(const volume<T>& v)
{
    const vec3 s = v.shape();
    volume<T> out(vec3{s.z, s.x, s.y});
    for (std::int64_t z = 0; z < s.z; ++z)
        for (std::int64_t y = 0; y < s.y; ++y)
            for (std::int64_t x = 0; x < s.x; ++x) out(z, x, y) = v(z, y, x);
    return out;
}
}  // namespace detail

template <class T>
volume<T> augment(const volume<T>& v, const augment_flags& f)
{
    if (v.empty()) return v;
    volume<T> out = detail::flipped(v, f);
    return f.transpose_yx ? detail::transposed_yx(out) : out;
}

template <class T>
volume<T> unaugment(const volume<T>& v, const augment_flags& f)
{
    if (v.empty()) return v;
    return detail::flipped(f.transpose_yx ? detail::transposed_yx(v) : v, f);
}

template <class T>
maps<T> augment(const maps<T>& m, const augment_flags& f)
{
    maps<T> out;
    out.reserve(m.size());
    for (const auto& v : m) out.push_back(augment(v, f));
    return out;
}

template <class T>
maps<T> unaugment(const maps<T>& m, const augment_flags& f)
{
    maps<T> out;
    out.reserve(m.size());
    for (const auto& v : m) out.push_back(unaugment(v, f));
    return out;
}

}  // namespace znn
