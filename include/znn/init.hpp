// Initialisers of filters and biases (manual §2, `init` / `init_args`):
//
//   zero                     0
//   constant   [c]           c                                   (default c = 0)
//   uniform    [lo, hi]      U(lo, hi)                           (default -0.1, 0.1; one arg r: ±r)
//   gaussian   [mean, std]   N(mean, std)                        (default 0, 0.01)
//   bernoulli  [p]           1 with probability p, else 0        (default 0.5)
//   xavier                   U(±√(6 / (fan_in + fan_out)))       (Glorot & Bengio 2010)
//   msra                     N(0, √(2 / fan_in))                 (He et al. 2015)
//
// fan_in = input maps × kernel volume, fan_out = output maps × kernel volume (see conv_fan).
//
// The values are drawn from the caller's std::mt19937_64 with fixed transforms (53-bit uniforms,
// Box–Muller normals) rather than the <random> distributions, whose algorithms differ between standard
// libraries: the same seed gives the same weights on every platform.
#pragma once

#include "znn/vec3.hpp"

#include <random>
#include <span>
#include <string>
#include <vector>

namespace znn {

enum class init_kind { zero, constant, uniform, gaussian, bernoulli, xavier, msra };

struct initializer {
    init_kind kind = init_kind::zero;
    double p0 = 0, p1 = 0;  // constant: c; uniform: lo, hi; gaussian: mean, std; bernoulli: p
};

// name: zero | constant | uniform | gaussian | bernoulli | xavier | msra. Missing args take the defaults
// above. Bad names or argument counts, hi < lo, std < 0 or p outside [0, 1] throw std::invalid_argument.
initializer make_initializer(const std::string& name, const std::vector<double>& args = {});
std::string init_name(init_kind kind);

// maps × kernel volume.
inline double conv_fan(std::int64_t maps, vec3 kernel)
{
    return static_cast<double>(maps) * static_cast<double>(kernel.volume());
}

// Fills `values`. xavier needs fan_in + fan_out > 0 and msra fan_in > 0 (std::invalid_argument
// otherwise); the other kinds ignore the fans.
template <class T>
void initialize(const initializer& init, std::span<T> values, std::mt19937_64& rng, double fan_in = 0,
                double fan_out = 0);

}  // namespace znn
