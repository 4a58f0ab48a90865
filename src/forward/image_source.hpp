// The input of `znn forward`: an [imageN] read box by box, preprocessed, with reflection beyond the
// edges (is_bd_mirror). h5 stacks are read through hyperslabs, so memory depends on the box, not on
// the volume; tif stacks are read whole (libtiff has no cheap box access).
//
// Preprocessing is a per-slice affine map x -> (x - shift[z]) * scale[z] whose statistics are gathered
// in one streaming pass over the slices; it matches preprocess() (preprocess.hpp) up to rounding:
//   standard2D: per slice mean / population std; standard3D: the same over the volume;
//   symetric_rescale: centre (min+max)/2, scale 2/(max-min); constant data maps to 0.
#pragma once

#include "znn/data_spec.hpp"
#include "znn/h5_box.hpp"
#include "znn/preprocess.hpp"
#include "znn/volume.hpp"

#include <memory>
#include <optional>
#include <vector>

namespace znn {

template <class T>
class image_source {
public:
    image_source(const data_spec& spec, const image_spec& image);

    vec3 shape() const { return shape_; }
    int channels() const { return static_cast<int>(channels_.size()); }
    // Every channel over [offset, offset + shape), preprocessed; coordinates outside the volume are
    // reflected (…c b a | a b c … c | c b a…).
    maps<T> read(vec3 offset, vec3 shape) const;

private:
    struct channel {
        int file = 0;                  // index into h5_ / whole_
        int index = 0;                 // channel within that file
        std::vector<double> shift, scale;  // per z slice
    };
    maps<T> read_file_box(int file, vec3 offset, vec3 shape) const;
    void gather_statistics(preprocess_type pp);

    vec3 shape_{0, 0, 0};
    std::vector<std::optional<h5_box_reader>> h5_;  // per file (h5 files)
    std::vector<maps<T>> whole_;                     // per file (tif files, read whole)
    std::vector<channel> channels_;
};

extern template class image_source<float>;
extern template class image_source<double>;

}  // namespace znn
