// Internal to src/engine: that transformed filters (winograd_filters) belong to a call's maps and
// tiling, and that an elementwise function comes with a call that overwrites its outputs, for the
// stored (conv_winograd.cpp) and fused (conv_winograd_fused.cpp) forms.
#pragma once

#include "shape_checks.hpp"

#include "znn/conv_winograd.hpp"

#include <cstddef>
#include <string>

namespace znn::detail {

template <class T>
void check_winograd_filters(const shape_checks& checks, const winograd_tiling& tl, const winograd_filters<T>& filters,
                            std::size_t sources, std::size_t targets)
{
    if (filters.sources() != sources || filters.targets() != targets || filters.kernel() != tl.kernel ||
        filters.alpha() != tl.alpha)
        checks.fail("filters for " + std::to_string(filters.sources()) + " x " + std::to_string(filters.targets()) +
                    " maps of kernel " + filters.kernel().dims() + " in tiles of " + std::to_string(filters.alpha()) +
                    ", called with " + std::to_string(sources) + " x " + std::to_string(targets) + " maps of kernel " +
                    tl.kernel.dims() + " in tiles of " + std::to_string(tl.alpha));
}

// A function of the sums cannot be applied to values added to what the outputs hold.
template <class T>
void check_elementwise(const shape_checks& checks, const winograd_elementwise<T>& elementwise, conv_write write)
{
    if (elementwise && write != conv_write::overwrite)
        checks.fail("an elementwise function needs a call that overwrites its outputs (conv_write::overwrite)");
}

}  // namespace znn::detail
