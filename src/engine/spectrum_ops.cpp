// spectrum<T> storage and the element-wise complex products of znn/fft.hpp.
#include "znn/fft.hpp"

#include "simd.hpp"

#include <algorithm>
#include <stdexcept>

namespace znn {
namespace {

std::size_t spectrum_size(vec3 real_shape)
{
    if (!real_shape.all_positive()) throw std::invalid_argument("spectrum: bad real shape " + real_shape.dims());
    return static_cast<std::size_t>(real_shape.z * real_shape.y * (real_shape.x / 2 + 1));
}

template <class T>
void require_same(const spectrum<T>& a, const spectrum<T>& b)
{
    if (a.real_shape() != b.real_shape())
        throw std::invalid_argument("spectrum product: real shapes " + a.real_shape().dims() + " and " +
                                    b.real_shape().dims() + " differ");
}

// out = (Accumulate ? acc : 0) + a · (Conj ? conj(b) : b) over n interleaved complex values. Plain
// arithmetic (std::complex's operator* checks for infinities and does not vectorise).
template <class T, bool Conj, bool Accumulate>
ZNN_ALWAYS_INLINE void complex_products(T* out, const T* a, const T* b, std::size_t n)
{
    for (std::size_t i = 0; i < n; ++i) {
        const T ar = a[2 * i], ai = a[2 * i + 1];
        const T br = b[2 * i], bi = Conj ? -b[2 * i + 1] : b[2 * i + 1];
        const T re = ar * br - ai * bi;
        const T im = ar * bi + ai * br;
        if constexpr (Accumulate) {
            out[2 * i] += re;
            out[2 * i + 1] += im;
        } else {
            out[2 * i] = re;
            out[2 * i + 1] = im;
        }
    }
}

template <class T, bool Conj, bool Accumulate>
void products_generic(T* out, const T* a, const T* b, std::size_t n)
{
    complex_products<T, Conj, Accumulate>(out, a, b, n);
}

#if ZNN_X86_DISPATCH
template <class T, bool Conj, bool Accumulate>
ZNN_TARGET_AVX2 void products_avx2(T* out, const T* a, const T* b, std::size_t n)
{
    complex_products<T, Conj, Accumulate>(out, a, b, n);
}
template <class T, bool Conj, bool Accumulate>
ZNN_TARGET_AVX512 void products_avx512(T* out, const T* a, const T* b, std::size_t n)
{
    complex_products<T, Conj, Accumulate>(out, a, b, n);
}
#endif

template <class T, bool Conj, bool Accumulate>
void products(T* out, const T* a, const T* b, std::size_t n)
{
#if ZNN_X86_DISPATCH
    switch (simd::best_isa()) {
    case simd::isa::avx512: products_avx512<T, Conj, Accumulate>(out, a, b, n); return;
    case simd::isa::avx2: products_avx2<T, Conj, Accumulate>(out, a, b, n); return;
    default: break;
    }
#endif
    products_generic<T, Conj, Accumulate>(out, a, b, n);
}

template <class T>
const T* values(const spectrum<T>& s)
{
    return reinterpret_cast<const T*>(s.data());
}
template <class T>
T* values(spectrum<T>& s)
{
    return reinterpret_cast<T*>(s.data());
}

}  // namespace

template <class T>
spectrum<T>::spectrum(vec3 real_shape)
    : real_shape_(real_shape), size_(spectrum_size(real_shape)), data_(detail::aligned_new<complex>(size_))
{
    zero();
}

template <class T>
spectrum<T>::spectrum(const spectrum& o)
    : real_shape_(o.real_shape_), size_(o.size_), data_(o.data_ ? detail::aligned_new<complex>(o.size_) : nullptr)
{
    if (data_) std::copy_n(o.data(), size_, data());
}

template <class T>
spectrum<T>& spectrum<T>::operator=(const spectrum& o)
{
    if (this != &o) {
        spectrum tmp(o);
        *this = std::move(tmp);
    }
    return *this;
}

template <class T>
void spectrum<T>::zero() noexcept
{
    std::fill_n(reinterpret_cast<T*>(data_.get()), 2 * size_, T(0));
}

template <class T>
void multiply_accumulate(spectrum<T>& acc, const spectrum<T>& a, const spectrum<T>& b)
{
    require_same(acc, a);
    require_same(a, b);
    products<T, false, true>(values(acc), values(a), values(b), a.size());
}

template <class T>
void multiply_accumulate_conj(spectrum<T>& acc, const spectrum<T>& a, const spectrum<T>& b)
{
    require_same(acc, a);
    require_same(a, b);
    products<T, true, true>(values(acc), values(a), values(b), a.size());
}

template <class T>
void multiply_in_place(spectrum<T>& a, const spectrum<T>& b)
{
    require_same(a, b);
    products<T, false, false>(values(a), values(a), values(b), a.size());
}

template <class T>
void multiply_conj_in_place(spectrum<T>& a, const spectrum<T>& b)
{
    require_same(a, b);
    products<T, true, false>(values(a), values(a), values(b), a.size());
}

#define ZNN_INSTANTIATE(T)                                                                        \
    template class spectrum<T>;                                                                   \
    template void multiply_accumulate<T>(spectrum<T>&, const spectrum<T>&, const spectrum<T>&);   \
    template void multiply_accumulate_conj<T>(spectrum<T>&, const spectrum<T>&, const spectrum<T>&); \
    template void multiply_in_place<T>(spectrum<T>&, const spectrum<T>&);                         \
    template void multiply_conj_in_place<T>(spectrum<T>&, const spectrum<T>&);
ZNN_INSTANTIATE(float)
ZNN_INSTANTIATE(double)

}  // namespace znn
