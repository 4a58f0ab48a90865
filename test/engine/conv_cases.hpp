// Shapes shared by the direct and FFT convolution tests: 2D (z = 1) and 3D, odd sizes, sparsities
// 1, 2, 3 mixed per axis, kernels from 1×1×1 to the whole input, rows long enough for full SIMD blocks.
#pragma once

#include "znn/vec3.hpp"

#include <vector>

namespace znn::test {

struct conv_case {
    vec3 in, kernel, sparsity;
};

inline const std::vector<conv_case>& conv_cases()
{
    static const std::vector<conv_case> cases = {
        {{1, 13, 17}, {1, 3, 3}, {1, 1, 1}},   {{1, 20, 37}, {1, 4, 4}, {1, 2, 3}},
        {{1, 40, 70}, {1, 5, 5}, {1, 1, 1}},   {{1, 7, 7}, {1, 4, 4}, {1, 2, 2}},
        {{1, 9, 200}, {1, 2, 2}, {1, 8, 8}},   {{5, 9, 11}, {2, 3, 3}, {1, 1, 1}},
        {{7, 12, 41}, {3, 2, 5}, {2, 3, 1}},   {{4, 9, 130}, {2, 2, 2}, {3, 1, 2}},
        {{3, 5, 7}, {1, 1, 1}, {1, 1, 1}},     {{3, 4, 5}, {3, 4, 5}, {1, 1, 1}},
        {{2, 6, 50}, {1, 2, 9}, {1, 1, 2}},    {{9, 8, 19}, {3, 3, 3}, {3, 2, 1}},   {{2, 3, 300}, {1, 1, 3}, {1, 1, 1}},
    };
    return cases;
}

}  // namespace znn::test
