// Single-edge FFT convolution (znn/conv_fft.hpp), following the recipe documented in znn/fft.hpp.
#include "znn/conv_fft.hpp"

#include "znn/conv.hpp"

#include <stdexcept>
#include <string>

namespace znn {
namespace {

void require_shape(vec3 actual, vec3 expected, const char* what)
{
    if (!expected.all_positive() || actual != expected)
        throw std::invalid_argument(std::string("FFT convolution: ") + what + " has shape " + actual.dims() +
                                    ", expected " + expected.dims());
}

void require_valid(vec3 kernel, vec3 sparsity)
{
    if (!kernel.all_positive() || !sparsity.all_positive())
        throw std::invalid_argument("FFT convolution: kernel " + kernel.dims() + " and sparsity " + sparsity.dims() +
                                    " must be positive");
}

}  // namespace

template <class T>
void conv_fft_forward(const volume<T>& in, const volume<T>& kernel, vec3 sparsity, volume<T>& out,
                      fft_plan_cache<T>& cache)
{
    require_valid(kernel.shape(), sparsity);
    require_shape(out.shape(), conv_output_shape(in.shape(), kernel.shape(), sparsity), "output");
    const fft_transformer<T> fft(cache, fft_size(in.shape()));
    auto x = fft.forward(in);
    multiply_in_place(x, fft.forward_dilated_kernel(kernel, sparsity));
    fft.inverse_add(x, dilated_size(kernel.shape(), sparsity) - 1, {1, 1, 1}, out);
}

template <class T>
void conv_fft_backward_input(const volume<T>& grad_out, const volume<T>& kernel, vec3 sparsity, volume<T>& grad_in,
                             fft_plan_cache<T>& cache)
{
    require_valid(kernel.shape(), sparsity);
    require_shape(grad_out.shape(), conv_output_shape(grad_in.shape(), kernel.shape(), sparsity), "output gradient");
    const fft_transformer<T> fft(cache, fft_size(grad_in.shape()));
    auto g = fft.forward(grad_out, dilated_size(kernel.shape(), sparsity) - 1);
    multiply_conj_in_place(g, fft.forward_dilated_kernel(kernel, sparsity));
    fft.inverse_add(g, {0, 0, 0}, {1, 1, 1}, grad_in);
}

template <class T>
void conv_fft_backward_kernel(const volume<T>& in, const volume<T>& grad_out, vec3 sparsity, volume<T>& grad_kernel,
                              fft_plan_cache<T>& cache)
{
    require_valid(grad_kernel.shape(), sparsity);
    require_shape(grad_out.shape(), conv_output_shape(in.shape(), grad_kernel.shape(), sparsity), "output gradient");
    const fft_transformer<T> fft(cache, fft_size(in.shape()));
    auto g = fft.forward(grad_out, dilated_size(grad_kernel.shape(), sparsity) - 1);
    multiply_conj_in_place(g, fft.forward(in));
    fft.inverse_add(g, {0, 0, 0}, sparsity, grad_kernel);
}

template <class T>
void conv_fft_forward(const volume<T>& in, const volume<T>& kernel, vec3 sparsity, volume<T>& out)
{
    fft_plan_cache<T> cache;
    conv_fft_forward(in, kernel, sparsity, out, cache);
}

template <class T>
void conv_fft_backward_input(const volume<T>& grad_out, const volume<T>& kernel, vec3 sparsity, volume<T>& grad_in)
{
    fft_plan_cache<T> cache;
    conv_fft_backward_input(grad_out, kernel, sparsity, grad_in, cache);
}

template <class T>
void conv_fft_backward_kernel(const volume<T>& in, const volume<T>& grad_out, vec3 sparsity, volume<T>& grad_kernel)
{
    fft_plan_cache<T> cache;
    conv_fft_backward_kernel(in, grad_out, sparsity, grad_kernel, cache);
}

#define ZNN_INSTANTIATE(T)                                                                                         \
    template void conv_fft_forward<T>(const volume<T>&, const volume<T>&, vec3, volume<T>&, fft_plan_cache<T>&);  \
    template void conv_fft_backward_input<T>(const volume<T>&, const volume<T>&, vec3, volume<T>&,                \
                                             fft_plan_cache<T>&);                                                  \
    template void conv_fft_backward_kernel<T>(const volume<T>&, const volume<T>&, vec3, volume<T>&,               \
                                              fft_plan_cache<T>&);                                                 \
    template void conv_fft_forward<T>(const volume<T>&, const volume<T>&, vec3, volume<T>&);                       \
    template void conv_fft_backward_input<T>(const volume<T>&, const volume<T>&, vec3, volume<T>&);                \
    template void conv_fft_backward_kernel<T>(const volume<T>&, const volume<T>&, vec3, volume<T>&);
ZNN_INSTANTIATE(float)
ZNN_INSTANTIATE(double)

}  // namespace znn
