// fft_transformer<T>: in-place r2c / c2r transforms of one padded real shape (znn/fft.hpp).
#include "znn/fft.hpp"

#include "fftw_api.hpp"

#include <algorithm>
#include <stdexcept>

namespace znn {
namespace {

// Values per row of the real volume inside a spectrum's buffer (FFTW's in-place padding).
std::int64_t padded_row(vec3 real_shape)
{
    return 2 * (real_shape.x / 2 + 1);
}

void require_inside(vec3 offset, vec3 extent, vec3 shape, const char* what)
{
    const vec3 end = offset + extent;
    if (offset.z < 0 || offset.y < 0 || offset.x < 0 || !extent.all_positive() || end.z > shape.z ||
        end.y > shape.y || end.x > shape.x)
        throw std::invalid_argument(std::string("fft_transformer: ") + what + " (offset " + offset.str() + ", size " +
                                    extent.dims() + ") does not fit the FFT shape " + shape.dims());
}

}  // namespace

template <class T>
fft_transformer<T>::fft_transformer(fft_plan_cache<T>& cache, vec3 real_shape)
    : shape_(real_shape), plans_(&cache.plans_for(real_shape))
{
}

template <class T>
void fft_transformer<T>::check_spectrum(const spectrum<T>& s) const
{
    if (s.real_shape() != shape_)
        throw std::invalid_argument("fft_transformer: spectrum of real shape " + s.real_shape().dims() +
                                    " given to a transformer of shape " + shape_.dims());
}

template <class T>
void fft_transformer<T>::execute_forward(spectrum<T>& s) const
{
    using api = fftw::api<T>;
    api::execute_r2c(static_cast<typename api::plan>(plans_->forward), reinterpret_cast<T*>(s.data()),
                     reinterpret_cast<typename api::complex*>(s.data()));
}

template <class T>
void fft_transformer<T>::execute_inverse(spectrum<T>& s) const
{
    using api = fftw::api<T>;
    api::execute_c2r(static_cast<typename api::plan>(plans_->inverse),
                     reinterpret_cast<typename api::complex*>(s.data()), reinterpret_cast<T*>(s.data()));
}

// A zero spectrum of this shape in `out`, reusing its buffer when the shape already fits.
template <class T>
void fft_transformer<T>::reset(spectrum<T>& out) const
{
    if (out.real_shape() != shape_) out = spectrum<T>(shape_);
    else out.zero();
}

template <class T>
spectrum<T> fft_transformer<T>::forward(const volume<T>& image, vec3 offset) const
{
    spectrum<T> out;
    forward(image, offset, out);
    return out;
}

template <class T>
void fft_transformer<T>::forward(const volume<T>& image, vec3 offset, spectrum<T>& out) const
{
    const vec3 I = image.shape();
    require_inside(offset, I, shape_, "image");
    reset(out);
    T* real = reinterpret_cast<T*>(out.data());
    const std::int64_t row = padded_row(shape_);
    for (std::int64_t z = 0; z < I.z; ++z)
        for (std::int64_t y = 0; y < I.y; ++y)
            std::copy_n(&image(z, y, 0), I.x, real + ((z + offset.z) * shape_.y + y + offset.y) * row + offset.x);
    execute_forward(out);
}

template <class T>
spectrum<T> fft_transformer<T>::forward_dilated_kernel(const volume<T>& kernel, vec3 sparsity) const
{
    spectrum<T> out;
    forward_dilated_kernel(kernel, sparsity, out);
    return out;
}

template <class T>
void fft_transformer<T>::forward_dilated_kernel(const volume<T>& kernel, vec3 sparsity, spectrum<T>& out) const
{
    const vec3 K = kernel.shape();
    if (!sparsity.all_positive()) throw std::invalid_argument("fft_transformer: sparsity " + sparsity.dims());
    require_inside({0, 0, 0}, (K - 1) * sparsity + 1, shape_, "dilated kernel");
    reset(out);
    T* real = reinterpret_cast<T*>(out.data());
    const std::int64_t row = padded_row(shape_);
    for (std::int64_t z = 0; z < K.z; ++z)
        for (std::int64_t y = 0; y < K.y; ++y) {
            T* dst = real + (z * sparsity.z * shape_.y + y * sparsity.y) * row;
            for (std::int64_t x = 0; x < K.x; ++x) dst[x * sparsity.x] = kernel(z, y, x);
        }
    execute_forward(out);
}

template <class T>
volume<T> fft_transformer<T>::inverse(spectrum<T>& s) const
{
    volume<T> out(shape_);
    inverse_add(s, {0, 0, 0}, {1, 1, 1}, out);
    return out;
}

template <class T>
void fft_transformer<T>::inverse_add(spectrum<T>& s, vec3 offset, vec3 stride, volume<T>& out) const
{
    check_spectrum(s);
    const vec3 O = out.shape();
    if (!stride.all_positive()) throw std::invalid_argument("fft_transformer: stride " + stride.dims());
    require_inside(offset, (O - 1) * stride + 1, shape_, "sampled box");
    execute_inverse(s);

    const T scale = T(1) / static_cast<T>(shape_.volume());
    const T* real = reinterpret_cast<const T*>(s.data());
    const std::int64_t row = padded_row(shape_);
    for (std::int64_t z = 0; z < O.z; ++z)
        for (std::int64_t y = 0; y < O.y; ++y) {
            const T* src = real + ((offset.z + z * stride.z) * shape_.y + offset.y + y * stride.y) * row + offset.x;
            T* dst = &out(z, y, 0);
            if (stride.x == 1) {
                for (std::int64_t x = 0; x < O.x; ++x) dst[x] += scale * src[x];
            } else {
                for (std::int64_t x = 0; x < O.x; ++x) dst[x] += scale * src[x * stride.x];
            }
        }
}

template class fft_transformer<float>;
template class fft_transformer<double>;

}  // namespace znn
