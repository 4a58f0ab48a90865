#include "filter_order.hpp"

namespace znn::netfile_detail {

namespace {
// Visits every (kz, ky, kx) of one filter with its znn and file offsets.
template <class Visit>
void for_each_tap(vec3 size, Visit visit)
{
    for (std::int64_t kz = 0; kz < size.z; ++kz)
        for (std::int64_t ky = 0; ky < size.y; ++ky)
            for (std::int64_t kx = 0; kx < size.x; ++kx)
                visit((kz * size.y + ky) * size.x + kx, (kx * size.y + ky) * size.z + kz);
}
}  // namespace

void filters_to_file_order(const double* znn_order, double* file_order, vec3 size, std::int64_t count)
{
    const std::int64_t volume = size.volume();
    for (std::int64_t f = 0; f < count; ++f) {
        const double* in = znn_order + f * volume;
        double* out = file_order + f * volume;
        for_each_tap(size, [&](std::int64_t znn, std::int64_t file) { out[file] = in[znn]; });
    }
}

void filters_from_file_order(const double* file_order, double* znn_order, vec3 size, std::int64_t count)
{
    const std::int64_t volume = size.volume();
    for (std::int64_t f = 0; f < count; ++f) {
        const double* in = file_order + f * volume;
        double* out = znn_order + f * volume;
        for_each_tap(size, [&](std::int64_t znn, std::int64_t file) { out[znn] = in[file]; });
    }
}

}  // namespace znn::netfile_detail
