// The maps of one conv layer filled with uniform random values in [-1, 1), for the programs that time a
// layer's phases through the library API (znn-winograd-phases, znn-winograd-fused): m input maps, m x m
// filters and m output maps, with the pointer lists the calls take. Not for tests: the values are seeded
// the same in every program.
#pragma once

#include "znn/conv.hpp"
#include "znn/volume.hpp"

#include <random>
#include <span>
#include <vector>

namespace znn::bench {

struct random_layer {
    std::vector<volume<float>> in, kernels, out;
    std::vector<const volume<float>*> in_ptrs, kernel_ptrs;
    std::vector<volume<float>*> out_ptrs;

    random_layer(int maps, vec3 in_shape, vec3 kernel, vec3 sparsity)
    {
        std::mt19937 rng(1);
        std::uniform_real_distribution<float> value(-1, 1);
        auto random_volume = [&](vec3 shape) {
            volume<float> v(shape);
            for (float& x : std::span(v.data(), v.size())) x = value(rng);
            return v;
        };
        for (int i = 0; i < maps; ++i) in.push_back(random_volume(in_shape));
        for (int i = 0; i < maps * maps; ++i) kernels.push_back(random_volume(kernel));
        for (int j = 0; j < maps; ++j) out.emplace_back(conv_output_shape(in_shape, kernel, sparsity));
        for (const auto& v : in) in_ptrs.push_back(&v);
        for (const auto& v : kernels) kernel_ptrs.push_back(&v);
        for (auto& v : out) out_ptrs.push_back(&v);
    }
};

}  // namespace znn::bench
