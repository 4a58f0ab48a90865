// Synthetic EM-like data for the examples and tests: a segmentation of Voronoi cells whose centres
// drift smoothly from slice to slice (so a 3D stack looks like serial sections through neurites),
// membranes where the nearest and second-nearest centres are almost equally far (label 0, cells
// 1..N), and an 8-bit image of it: textured mid-grey interiors with a few dark organelles, dark
// membranes, an in-plane Gaussian blur and additive noise. The same options give the same data.
#pragma once

#include "znn/volume.hpp"

#include <cstdint>

namespace znn {

struct synthetic_options {
    vec3 shape{8, 256, 256};
    std::uint64_t seed = 1;
    int cells = 0;                // 0: about one cell per 24x24 pixels of a slice
    double membrane_width = 2.5;  // pixels: membrane where d(second nearest) - d(nearest) < this
    double drift = 1.0;           // typical in-plane movement of a cell centre per slice (pixels)
    double blur_sigma = 1.0;      // in-plane Gaussian blur of the image (pixels; 0 = none)
    double noise_sigma = 6.0;     // additive Gaussian noise (grey levels)
};

struct synthetic_em {
    volume<std::uint8_t> image;
    volume<std::uint32_t> label;  // 0 = membrane, 1..cells = cell ids
    int cells = 0;                // the number of cell centres used
};

// Throws runtime_failure for a shape that is not all positive or a negative cell count.
synthetic_em make_synthetic_em(const synthetic_options& options);

}  // namespace znn
