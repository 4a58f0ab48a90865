// Image preprocessing, the [imageN] pp_types of the .spec file (../shared/znn-manual.md §3).
//   none              values as they are
//   standard2D        per z slice: (x - mean) / std, population std; a constant slice becomes zeros
//   standard3D        the same over the whole volume
//   symetric_rescale  (x - min) / (max - min) * 2 - 1 over the volume; a constant volume becomes zeros
// (the original's spelling "symetric_rescale"; "symmetric_rescale" is accepted too).
#pragma once

#include "znn/volume.hpp"

#include <string>

namespace znn {

enum class preprocess_type { none, standard2D, standard3D, symetric_rescale };

// Throws input_error naming the accepted values.
preprocess_type parse_preprocess(const std::string& name);
const char* preprocess_name(preprocess_type t) noexcept;

// In place; T is float or double (sums are taken in double).
template <class T>
void preprocess(volume<T>& v, preprocess_type t);

extern template void preprocess<float>(volume<float>&, preprocess_type);
extern template void preprocess<double>(volume<double>&, preprocess_type);

}  // namespace znn
