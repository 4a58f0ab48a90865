// FFT building blocks for convolution in the frequency domain (FFTW: fftwf_* for float, fftw_* for
// double), shaped for the executor described in the manual §6: transform each node's image once,
// multiply by each filter's transform, sum per target node in the frequency domain, one inverse per
// target; keep the image transforms for the backward pass and the weight gradient.
//
// Pieces:
//   fft_size(n)            per axis the smallest size 2^a·3^b·5^c·7^d >= n.
//   spectrum<T>            the r2c half spectrum of a real volume of shape N (complex, shape z, y, x/2+1),
//                          64-byte aligned.
//   fft_plan_cache<T>      FFTW plans, made once per real shape; owned by the caller (one per network or
//                          per process), thread-safe.
//   fft_transformer<T>     forward / inverse transforms for one real shape N; cheap to create, const and
//                          thread-safe to use (it only reads the cache's plans).
//   multiply_accumulate..  acc += a·b and acc += a·conj(b) (and in-place products).
//
// Conventions: forward transforms are unnormalised; every inverse is scaled by 1/N (N = number of
// real voxels of the padded shape), so inverse(forward(x)) == x. Nobody else needs to scale.
//
// The convolution maths (per axis: K' = (K-1)·s+1, out = in - K' + 1; all edges between two nodes use
// the same N = fft_size(input node's image shape); images and kernels are zero padded to N):
//
//   X  = forward(in)                         image at offset 0
//   K  = forward_dilated_kernel(k, s)        k(t) placed at t·s
//   G  = forward(grad_out, K' - 1)           the output gradient placed at offset K' - 1
//
//   forward:      acc += X·K       (summed over the target's incoming edges of this source node)
//                 inverse_add(acc, K' - 1, {1,1,1}, out)        out(v)   += IFFT(acc)[v + K' - 1]
//   grad input:   acc += G·conj(K) (summed over the source's outgoing edges)
//                 inverse_add(acc, {0,0,0}, {1,1,1}, grad_in)   grad_in(u) += IFFT(acc)[u]
//   grad kernel:  acc = G·conj(X)
//                 inverse_add(acc, {0,0,0}, s, grad_k)          grad_k(t) += IFFT(acc)[t·s]
//
// No wrap-around reaches the kept samples as long as N >= in per axis (the circular indices that
// alias land where the padded kernel, image or gradient is zero); test/engine checks all three.
//
// Threading: FFTW's planner is not thread-safe and is global to the library, so every planner call
// (plan creation/destruction, wisdom) is serialised by one process-wide mutex per precision inside
// src/engine/fft_plan_cache.cpp; executing plans on new arrays is thread-safe.
#pragma once

#include "znn/vec3.hpp"
#include "znn/volume.hpp"

#include <complex>
#include <cstddef>
#include <memory>
#include <string>

namespace znn {

// Smallest 2^a·3^b·5^c·7^d >= n (n >= 1).
std::int64_t fft_friendly_size(std::int64_t n);
// fft_friendly_size per axis.
vec3 fft_size(vec3 n);

// The r2c half spectrum of a real volume of shape `real_shape`: complex values indexed (z, y, x) with
// x in [0, real_shape.x/2 + 1). The buffer is also large enough to hold the real volume with rows
// padded to 2·(x/2+1) values, which is how FFTW's in-place transforms use it.
template <class T>
class spectrum {
public:
    using complex = std::complex<T>;

    spectrum() = default;
    explicit spectrum(vec3 real_shape);  // zero-filled
    spectrum(const spectrum& o);
    spectrum& operator=(const spectrum& o);
    spectrum(spectrum&&) noexcept = default;
    spectrum& operator=(spectrum&&) noexcept = default;

    vec3 real_shape() const noexcept { return real_shape_; }
    // (z, y, x/2 + 1)
    vec3 shape() const noexcept { return {real_shape_.z, real_shape_.y, real_shape_.x / 2 + 1}; }
    std::size_t size() const noexcept { return size_; }  // number of complex values
    bool empty() const noexcept { return size_ == 0; }

    complex* data() noexcept { return data_.get(); }
    const complex* data() const noexcept { return data_.get(); }
    complex& operator()(std::int64_t z, std::int64_t y, std::int64_t x) noexcept
    {
        return data_.get()[(z * real_shape_.y + y) * (real_shape_.x / 2 + 1) + x];
    }
    const complex& operator()(std::int64_t z, std::int64_t y, std::int64_t x) const noexcept
    {
        return data_.get()[(z * real_shape_.y + y) * (real_shape_.x / 2 + 1) + x];
    }

    void zero() noexcept;

private:
    vec3 real_shape_{0, 0, 0};
    std::size_t size_ = 0;
    std::unique_ptr<complex[], detail::aligned_free> data_;
};

// acc += a·b, element-wise. All three must have the same real_shape.
template <class T>
void multiply_accumulate(spectrum<T>& acc, const spectrum<T>& a, const spectrum<T>& b);
// acc += a·conj(b), element-wise.
template <class T>
void multiply_accumulate_conj(spectrum<T>& acc, const spectrum<T>& a, const spectrum<T>& b);
// a = a·b (for a single edge, saves zeroing an accumulator).
template <class T>
void multiply_in_place(spectrum<T>& a, const spectrum<T>& b);
// a = a·conj(b).
template <class T>
void multiply_conj_in_place(spectrum<T>& a, const spectrum<T>& b);

enum class fft_planning {
    estimate,  // instant heuristic plans (tests, short jobs)
    measure,   // FFTW_MEASURE: times candidate algorithms once per shape (long runs)
};

namespace detail {
// The two FFTW plans of one real shape (opaque fftw(f)_plan handles), both in-place.
struct fft_plan_pair {
    void* forward = nullptr;  // r2c
    void* inverse = nullptr;  // c2r
};
}  // namespace detail

// FFTW plans, created on first use per real shape and kept until the cache dies. Thread-safe: plans_for
// may be called from many threads. Share one cache per network or process (e.g. through a
// std::shared_ptr); every fft_transformer made from it must not outlive it.
template <class T>
class fft_plan_cache {
public:
    explicit fft_plan_cache(fft_planning planning = fft_planning::estimate);
    ~fft_plan_cache();
    fft_plan_cache(const fft_plan_cache&) = delete;
    fft_plan_cache& operator=(const fft_plan_cache&) = delete;

    fft_planning planning() const noexcept { return planning_; }
    std::size_t size() const;  // number of shapes planned so far

    // The plans for `real_shape` (all positive, each axis < 2^31), created on first call. The reference
    // stays valid for the lifetime of the cache.
    const detail::fft_plan_pair& plans_for(vec3 real_shape);

private:
    struct impl;
    fft_planning planning_;
    std::unique_ptr<impl> impl_;
};

// Accumulated FFTW wisdom makes FFTW_MEASURE planning instant in later runs. Wisdom is per precision
// and global to FFTW. import returns false when the file is missing or unreadable; export throws
// znn::runtime_failure when it cannot write the file.
template <class T>
bool import_fft_wisdom(const std::string& path);
template <class T>
void export_fft_wisdom(const std::string& path);

// Transforms of one real (padded) shape N. Copyable, cheap; all members are const and thread-safe.
template <class T>
class fft_transformer {
public:
    fft_transformer(fft_plan_cache<T>& cache, vec3 real_shape);

    vec3 real_shape() const noexcept { return shape_; }
    vec3 spectrum_shape() const noexcept { return {shape_.z, shape_.y, shape_.x / 2 + 1}; }

    // The transform of `image` placed at `offset` in a zero volume of real_shape (the box must fit).
    spectrum<T> forward(const volume<T>& image, vec3 offset = {0, 0, 0}) const;
    // Same, into `out` (reallocated only when its real_shape differs).
    void forward(const volume<T>& image, vec3 offset, spectrum<T>& out) const;

    // The transform of the kernel dilated by `sparsity`: k(t) placed at t·sparsity, zeros elsewhere.
    spectrum<T> forward_dilated_kernel(const volume<T>& kernel, vec3 sparsity) const;
    void forward_dilated_kernel(const volume<T>& kernel, vec3 sparsity, spectrum<T>& out) const;

    // The whole inverse transform (scaled by 1/N), a volume of real_shape. DESTROYS `s` (FFTW's c2r
    // works in place); pass a copy to keep it.
    volume<T> inverse(spectrum<T>& s) const;

    // out(v) += r[offset + v·stride] for every v in out's box, where r = IFFT(s) scaled by 1/N.
    // The sampled box must lie inside real_shape. DESTROYS `s`.
    void inverse_add(spectrum<T>& s, vec3 offset, vec3 stride, volume<T>& out) const;

private:
    void check_spectrum(const spectrum<T>& s) const;
    void reset(spectrum<T>& out) const;
    void execute_forward(spectrum<T>& s) const;
    void execute_inverse(spectrum<T>& s) const;

    vec3 shape_;
    const detail::fft_plan_pair* plans_;
};

}  // namespace znn
