// Test helpers for the engine suite: random volumes, error measures, and naive reference
// implementations written straight from the definitions in znn/conv.hpp (six nested loops, no tricks).
#pragma once

#include "znn/vec3.hpp"
#include "znn/volume.hpp"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <random>

namespace znn::test {

template <class T>
volume<T> random_volume(vec3 shape, std::mt19937_64& rng, double lo = -1, double hi = 1)
{
    std::uniform_real_distribution<double> u(lo, hi);
    volume<T> v(shape);
    for (auto& x : v) x = static_cast<T>(u(rng));
    return v;
}

template <class T>
volume<double> to_double(const volume<T>& v)
{
    volume<double> d(v.shape());
    for (std::size_t i = 0; i < v.size(); ++i) d[i] = static_cast<double>(v[i]);
    return d;
}

// max |a - b| / max |ref| (ref = b); 0 when both are zero.
template <class A, class B>
double relative_error(const volume<A>& a, const volume<B>& ref)
{
    double num = 0, den = 0;
    for (std::size_t i = 0; i < ref.size(); ++i) {
        num = std::max(num, std::abs(static_cast<double>(a[i]) - static_cast<double>(ref[i])));
        den = std::max(den, std::abs(static_cast<double>(ref[i])));
    }
    return den > 0 ? num / den : num;
}

// Forward, valid mode, K' = (K-1)s+1: out(v) = Σ_t in(v + (K-1-t)s) k(t), in double.
inline volume<double> naive_conv_forward(const volume<double>& in, const volume<double>& k, vec3 s)
{
    const vec3 K = k.shape();
    const vec3 O = in.shape() - (K - 1) * s;
    volume<double> out(O);
    for (std::int64_t z = 0; z < O.z; ++z)
        for (std::int64_t y = 0; y < O.y; ++y)
            for (std::int64_t x = 0; x < O.x; ++x) {
                double acc = 0;
                for (std::int64_t a = 0; a < K.z; ++a)
                    for (std::int64_t b = 0; b < K.y; ++b)
                        for (std::int64_t c = 0; c < K.x; ++c)
                            acc += in(z + (K.z - 1 - a) * s.z, y + (K.y - 1 - b) * s.y, x + (K.x - 1 - c) * s.x) *
                                   k(a, b, c);
                out(z, y, x) = acc;
            }
    return out;
}

// dE/din by scattering every output gradient back through the forward formula.
inline volume<double> naive_conv_backward_input(const volume<double>& g, const volume<double>& k, vec3 s, vec3 in_shape)
{
    const vec3 K = k.shape();
    const vec3 O = g.shape();
    volume<double> gi(in_shape);
    for (std::int64_t z = 0; z < O.z; ++z)
        for (std::int64_t y = 0; y < O.y; ++y)
            for (std::int64_t x = 0; x < O.x; ++x)
                for (std::int64_t a = 0; a < K.z; ++a)
                    for (std::int64_t b = 0; b < K.y; ++b)
                        for (std::int64_t c = 0; c < K.x; ++c)
                            gi(z + (K.z - 1 - a) * s.z, y + (K.y - 1 - b) * s.y, x + (K.x - 1 - c) * s.x) +=
                                g(z, y, x) * k(a, b, c);
    return gi;
}

// dE/dk(t) = Σ_v g(v) in(v + (K-1-t)s).
inline volume<double> naive_conv_backward_kernel(const volume<double>& in, const volume<double>& g, vec3 s, vec3 k_shape)
{
    const vec3 K = k_shape;
    const vec3 O = g.shape();
    volume<double> gk(K);
    for (std::int64_t a = 0; a < K.z; ++a)
        for (std::int64_t b = 0; b < K.y; ++b)
            for (std::int64_t c = 0; c < K.x; ++c) {
                double acc = 0;
                for (std::int64_t z = 0; z < O.z; ++z)
                    for (std::int64_t y = 0; y < O.y; ++y)
                        for (std::int64_t x = 0; x < O.x; ++x)
                            acc += g(z, y, x) *
                                   in(z + (K.z - 1 - a) * s.z, y + (K.y - 1 - b) * s.y, x + (K.x - 1 - c) * s.x);
                gk(a, b, c) = acc;
            }
    return gk;
}

}  // namespace znn::test
