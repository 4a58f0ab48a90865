#include "znn/tiling.hpp"

#include "znn/error.hpp"

#include <algorithm>

namespace znn {

std::vector<std::int64_t> tile_starts(std::int64_t length, std::int64_t tile)
{
    std::vector<std::int64_t> starts;
    tile = std::min(tile, length);
    if (length <= 0 || tile <= 0) return starts;
    for (std::int64_t s = 0; s + tile < length; s += tile) starts.push_back(s);
    starts.push_back(length - tile);
    return starts;
}

std::vector<box> tiles_of(const box& region, vec3 tile)
{
    const vec3 t = min(tile, region.shape);
    std::vector<box> out;
    for (auto z : tile_starts(region.shape.z, t.z))
        for (auto y : tile_starts(region.shape.y, t.y))
            for (auto x : tile_starts(region.shape.x, t.x)) out.push_back({region.offset + vec3{z, y, x}, t});
    return out;
}

std::vector<box> split_blocks(vec3 shape, vec3 tile, int n)
{
    if (n < 1) throw input_error("the number of blocks must be at least 1");
    const vec3 t = min(tile, shape);
    for (int axis = 0; axis < 3; ++axis) {
        std::vector<std::int64_t> starts = tile_starts(shape[axis], t[axis]);
        const auto rows = static_cast<std::int64_t>(starts.size());
        if (rows < n) continue;
        std::vector<box> blocks;
        for (int k = 0; k < n; ++k) {
            std::int64_t first = rows * k / n, last = rows * (k + 1) / n - 1;
            box b{{0, 0, 0}, shape};
            b.offset[axis] = starts[first];
            b.shape[axis] = starts[last] + t[axis] - starts[first];
            blocks.push_back(b);
        }
        return blocks;
    }
    throw input_error("cannot split an output of " + shape.dims() + " in tiles of " + t.dims() + " into " +
                      std::to_string(n) + " blocks: no axis has that many rows of tiles (use fewer blocks or a smaller forward_outsz)");
}

}  // namespace znn
