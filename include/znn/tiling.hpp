// How `znn forward` cuts a volume: output tiles of forward_outsz starting at 0, p, 2p, … with the last
// one aligned to the end (../shared/znn-manual.md §5), and --block K/N slabs for cluster job arrays.
#pragma once

#include "znn/vec3.hpp"

#include <cstdint>
#include <vector>

namespace znn {

struct box {
    vec3 offset{0, 0, 0};
    vec3 shape{0, 0, 0};
    friend bool operator==(const box&, const box&) = default;
};

// Starts along one axis: 0, tile, 2·tile, … and length − tile last (tile <= length).
std::vector<std::int64_t> tile_starts(std::int64_t length, std::int64_t tile);

// The tiles covering `region` with tiles of min(tile, region.shape), z-major order.
std::vector<box> tiles_of(const box& region, vec3 tile);

// Splits an output volume into `n` blocks: slabs of whole tile rows along the first axis (z, y, x)
// that has at least n rows of tiles. Block k's tiles (tiles_of(block k, tile)) are exactly the tiles
// of a whole-volume run that fall in it. Throws input_error when no axis has n rows.
std::vector<box> split_blocks(vec3 shape, vec3 tile, int n);

}  // namespace znn
