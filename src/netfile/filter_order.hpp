// The order of the values inside one conv filter: znn keeps x fastest (index (kz*sy + ky)*sx + kx);
// the original ZNN's files keep the first spec axis (z) fastest (index (kx*sy + ky)*sz + kz), although
// the dataset is declared [n_in, n_out, sz, sy, sx] (private to src/netfile).
#pragma once

#include "znn/vec3.hpp"

namespace znn::netfile_detail {

// `count` consecutive filters of `size` each, from znn order to file order and back.
void filters_to_file_order(const double* znn_order, double* file_order, vec3 size, std::int64_t count);
void filters_from_file_order(const double* file_order, double* znn_order, vec3 size, std::int64_t count);

}  // namespace znn::netfile_detail
