#include "image_source.hpp"

#include "znn/crop_mirror.hpp"
#include "znn/error.hpp"
#include "znn/image_io.hpp"

#include <algorithm>
#include <cmath>
#include <limits>

namespace znn {

namespace {

// Mean and sum of squared deviations of one slice, combinable across slices (Chan et al.).
struct moments {
    double n = 0, mean = 0, m2 = 0, lo = std::numeric_limits<double>::infinity(), hi = -std::numeric_limits<double>::infinity();

    template <class T>
    static moments of(const volume<T>& v)
    {
        moments m;
        m.n = static_cast<double>(v.size());
        if (v.empty()) return m;
        double sum = 0;
        for (T x : v) {
            sum += x;
            m.lo = std::min<double>(m.lo, x);
            m.hi = std::max<double>(m.hi, x);
        }
        m.mean = sum / m.n;
        for (T x : v) m.m2 += (x - m.mean) * (x - m.mean);
        return m;
    }
    void add(const moments& o)
    {
        if (o.n == 0) return;
        double total = n + o.n, delta = o.mean - mean;
        mean += delta * o.n / total;
        m2 += o.m2 + delta * delta * n * o.n / total;
        n = total;
        lo = std::min(lo, o.lo);
        hi = std::max(hi, o.hi);
    }
};

void affine_for(const moments& m, preprocess_type pp, double& shift, double& scale)
{
    shift = 0;
    scale = 1;
    if (pp == preprocess_type::none) return;
    if (!(m.lo < m.hi)) {  // constant data becomes zeros, as preprocess() does
        scale = 0;
        return;
    }
    if (pp == preprocess_type::symetric_rescale) {
        shift = (m.lo + m.hi) / 2;
        scale = 2 / (m.hi - m.lo);
    } else {
        shift = m.mean;
        scale = 1 / std::sqrt(m.m2 / m.n);
    }
}

}  // namespace

template <class T>
image_source<T>::image_source(const data_spec& spec, const image_spec& image)
{
    preprocess_type pp;
    try {
        pp = parse_preprocess(image.pp_types);
    } catch (const input_error& e) {
        throw input_error(spec.path, image.line, "[image" + std::to_string(image.id) + "] " + e.message());
    }
    for (const auto& f : image.fnames) {
        const int file = static_cast<int>(h5_.size());
        int count = 0;
        vec3 shape;
        if (parse_stack_path(f).format == stack_format::h5) {
            h5_.emplace_back(std::in_place, f);
            whole_.emplace_back();
            count = static_cast<int>(h5_.back()->channels());
            shape = h5_.back()->shape();
        } else {
            h5_.emplace_back();
            whole_.push_back(read_maps<T>(f));
            count = static_cast<int>(whole_.back().size());
            shape = whole_.back().at(0).shape();
        }
        if (file == 0) shape_ = shape;
        else if (shape != shape_)
            throw input_error(spec.path, image.line, "[image" + std::to_string(image.id) + "] " + f + " is " + shape.dims() +
                                                         " but the first file is " + shape_.dims());
        for (int c = 0; c < count; ++c) channels_.push_back({file, c, {}, {}});
    }
    gather_statistics(pp);
}

template <class T>
maps<T> image_source<T>::read_file_box(int file, vec3 offset, vec3 shape) const
{
    if (h5_[file]) return h5_[file]->template read_maps<T>(offset, shape);
    maps<T> out;
    for (const auto& m : whole_[file]) out.push_back(crop(m, offset, shape));
    return out;
}

template <class T>
void image_source<T>::gather_statistics(preprocess_type pp)
{
    const vec3 slice{1, shape_.y, shape_.x};
    std::vector<std::vector<moments>> per_slice(channels_.size(), std::vector<moments>(shape_.z));
    if (pp != preprocess_type::none) {
        for (std::int64_t z = 0; z < shape_.z; ++z) {
            for (int file = 0; file < static_cast<int>(h5_.size()); ++file) {
                maps<T> s = read_file_box(file, {z, 0, 0}, slice);
                for (std::size_t c = 0; c < channels_.size(); ++c)
                    if (channels_[c].file == file) per_slice[c][z] = moments::of(s[channels_[c].index]);
            }
        }
    }
    for (std::size_t c = 0; c < channels_.size(); ++c) {
        channel& ch = channels_[c];
        ch.shift.assign(shape_.z, 0);
        ch.scale.assign(shape_.z, 1);
        if (pp == preprocess_type::standard2D) {
            for (std::int64_t z = 0; z < shape_.z; ++z) affine_for(per_slice[c][z], pp, ch.shift[z], ch.scale[z]);
        } else if (pp != preprocess_type::none) {
            moments all;
            for (const auto& m : per_slice[c]) all.add(m);
            double shift, scale;
            affine_for(all, pp, shift, scale);
            ch.shift.assign(shape_.z, shift);
            ch.scale.assign(shape_.z, scale);
        }
    }
}

template <class T>
maps<T> image_source<T>::read(vec3 offset, vec3 shape) const
{
    // Reflected source index of every output coordinate, and the box of the volume they cover.
    std::vector<std::int64_t> index[3];
    vec3 lo, hi;
    for (int a = 0; a < 3; ++a) {
        index[a].resize(shape[a]);
        lo[a] = shape_[a];
        hi[a] = -1;
        for (std::int64_t i = 0; i < shape[a]; ++i) {
            index[a][i] = detail::reflect_index(offset[a] + i, shape_[a]);
            lo[a] = std::min(lo[a], index[a][i]);
            hi[a] = std::max(hi[a], index[a][i]);
        }
    }
    const vec3 cover = hi - lo + 1;
    std::vector<maps<T>> files(h5_.size());
    for (int f = 0; f < static_cast<int>(h5_.size()); ++f) files[f] = read_file_box(f, lo, cover);

    maps<T> out;
    for (const channel& ch : channels_) {
        const volume<T>& src = files[ch.file][ch.index];
        volume<T> v(shape);
        for (std::int64_t z = 0; z < shape.z; ++z) {
            const std::int64_t sz = index[0][z];
            const T shift = static_cast<T>(ch.shift[sz]), scale = static_cast<T>(ch.scale[sz]);
            for (std::int64_t y = 0; y < shape.y; ++y) {
                const T* row = &src(sz - lo.z, index[1][y] - lo.y, 0);
                T* dst = &v(z, y, 0);
                for (std::int64_t x = 0; x < shape.x; ++x) dst[x] = (row[index[2][x] - lo.x] - shift) * scale;
            }
        }
        out.push_back(std::move(v));
    }
    return out;
}

template class image_source<float>;
template class image_source<double>;

}  // namespace znn
