#include "znn/fft.hpp"

#include <stdexcept>

namespace znn {

std::int64_t fft_friendly_size(std::int64_t n)
{
    if (n < 1) throw std::invalid_argument("fft_friendly_size: size " + std::to_string(n) + " is not positive");
    for (std::int64_t m = n;; ++m) {
        std::int64_t r = m;
        for (std::int64_t p : {2, 3, 5, 7})
            while (r % p == 0) r /= p;
        if (r == 1) return m;
    }
}

vec3 fft_size(vec3 n)
{
    return {fft_friendly_size(n.z), fft_friendly_size(n.y), fft_friendly_size(n.x)};
}

}  // namespace znn
