#include "znn/transfer.hpp"

#include "simd.hpp"

#include <cmath>
#include <stdexcept>

namespace znn {

transfer_function make_transfer_function(const std::string& name, const std::vector<double>& args)
{
    transfer_function f;
    std::size_t max_args = 0;
    if (name == "linear") {
        f = {transfer_kind::linear, 1, 0};
        max_args = 2;
    } else if (name == "tanh") {
        f = {transfer_kind::tanh, 1, 1};
        max_args = 2;
    } else if (name == "rectify_linear") {
        f.kind = transfer_kind::rectify_linear;
    } else if (name == "soft_sign") {
        f.kind = transfer_kind::soft_sign;
    } else if (name == "logistics") {
        f.kind = transfer_kind::logistics;
    } else if (name == "forward_logistics" || name == "forward_logistic") {
        f.kind = transfer_kind::forward_logistics;
    } else {
        throw std::invalid_argument("unknown transfer function '" + name + "'");
    }
    if (args.size() > max_args)
        throw std::invalid_argument("transfer function " + name + " takes at most " + std::to_string(max_args) +
                                    " arguments, got " + std::to_string(args.size()));
    if (args.size() > 0) f.a = args[0];
    if (args.size() > 1) f.b = args[1];
    return f;
}

std::string transfer_name(transfer_kind kind)
{
    switch (kind) {
    case transfer_kind::linear: return "linear";
    case transfer_kind::tanh: return "tanh";
    case transfer_kind::rectify_linear: return "rectify_linear";
    case transfer_kind::soft_sign: return "soft_sign";
    case transfer_kind::logistics: return "logistics";
    case transfer_kind::forward_logistics: return "forward_logistics";
    }
    return "?";
}

namespace {

template <class T, class F>
ZNN_ALWAYS_INLINE void apply_loop(T* values, std::size_t n, T bias, F f)
{
    for (std::size_t i = 0; i < n; ++i) values[i] = f(values[i] + bias);
}

#if ZNN_X86_DISPATCH
// The same loop compiled for the wide vectors: the forward pass applies the transfer function to every
// output value right after the convolution, where a baseline (SSE2) loop took a third as long as a
// light (1 -> 48 maps, 1x4x4) layer's multiply-adds. Functions the vectoriser cannot widen (tanh, exp)
// run as before.
template <class T, class F>
ZNN_TARGET_AVX512 void apply_avx512(T* values, std::size_t n, T bias, F f)
{
    apply_loop(values, n, bias, f);
}
template <class T, class F>
ZNN_TARGET_AVX2 void apply_avx2(T* values, std::size_t n, T bias, F f)
{
    apply_loop(values, n, bias, f);
}
#endif

template <class T, class F>
void apply(std::span<T> values, T bias, F f)
{
#if ZNN_X86_DISPATCH
    switch (simd::best_isa()) {
    case simd::isa::avx512: apply_avx512(values.data(), values.size(), bias, f); return;
    case simd::isa::avx2: apply_avx2(values.data(), values.size(), bias, f); return;
    default: break;
    }
#endif
    apply_loop(values.data(), values.size(), bias, f);
}

template <class T>
T logistic(T x)
{
    return T(1) / (T(1) + std::exp(-x));
}

// grad[i] *= d(y[i]); returns Σ grad[i] after the product, summed in double as 16 running sums (one per
// position mod 16) added up in a fixed order at the end: the loop vectorises, and every instruction set
// gives the same sum (each lane's additions happen in the same order).
template <class T, class D>
ZNN_ALWAYS_INLINE double chain_loop(const T* y, T* grad, std::size_t n, D d)
{
    constexpr std::size_t lanes = 16;
    double sums[lanes] = {};
    std::size_t i = 0;
    for (; i + lanes <= n; i += lanes)
        for (std::size_t k = 0; k < lanes; ++k) {
            grad[i + k] *= d(y[i + k]);
            sums[k] += static_cast<double>(grad[i + k]);
        }
    for (std::size_t k = 0; i < n; ++i, ++k) {
        grad[i] *= d(y[i]);
        sums[k] += static_cast<double>(grad[i]);
    }
    double total = 0;
    for (double part : sums) total += part;
    return total;
}

#if ZNN_X86_DISPATCH
template <class T, class D>
ZNN_TARGET_AVX512 double chain_avx512(const T* y, T* grad, std::size_t n, D d)
{
    return chain_loop(y, grad, n, d);
}
template <class T, class D>
ZNN_TARGET_AVX2 double chain_avx2(const T* y, T* grad, std::size_t n, D d)
{
    return chain_loop(y, grad, n, d);
}
#endif

template <class T, class D>
T chain(std::span<const T> y, std::span<T> grad, D d)
{
#if ZNN_X86_DISPATCH
    switch (simd::best_isa()) {
    case simd::isa::avx512: return static_cast<T>(chain_avx512(y.data(), grad.data(), grad.size(), d));
    case simd::isa::avx2: return static_cast<T>(chain_avx2(y.data(), grad.data(), grad.size(), d));
    default: break;
    }
#endif
    return static_cast<T>(chain_loop(y.data(), grad.data(), grad.size(), d));
}

}  // namespace

template <class T>
void transfer_forward(const transfer_function& f, T bias, std::span<T> values)
{
    const T a = static_cast<T>(f.a), b = static_cast<T>(f.b);
    switch (f.kind) {
    case transfer_kind::linear: apply(values, bias, [=](T x) { return a * x + b; }); break;
    case transfer_kind::tanh: apply(values, bias, [=](T x) { return a * std::tanh(b * x); }); break;
    case transfer_kind::rectify_linear: apply(values, bias, [](T x) { return x > T(0) ? x : T(0); }); break;
    case transfer_kind::soft_sign: apply(values, bias, [](T x) { return x / (T(1) + std::abs(x)); }); break;
    case transfer_kind::logistics:
    case transfer_kind::forward_logistics: apply(values, bias, [](T x) { return logistic(x); }); break;
    }
}

template <class T>
T transfer_backward(const transfer_function& f, std::span<const T> output, std::span<T> grad)
{
    if (output.size() != grad.size())
        throw std::invalid_argument("transfer_backward: output and gradient sizes differ");
    const T a = static_cast<T>(f.a), b = static_cast<T>(f.b);
    switch (f.kind) {
    case transfer_kind::linear: return chain(output, grad, [=](T) { return a; });
    case transfer_kind::tanh:
        if (a == T(0)) return chain(output, grad, [](T) { return T(0); });
        return chain(output, grad, [=](T y) {
            const T t = y / a;
            return a * b * (T(1) - t * t);
        });
    case transfer_kind::rectify_linear: return chain(output, grad, [](T y) { return y > T(0) ? T(1) : T(0); });
    case transfer_kind::soft_sign:
        return chain(output, grad, [](T y) {
            const T r = T(1) - std::abs(y);
            return r * r;
        });
    case transfer_kind::logistics: return chain(output, grad, [](T y) { return y * (T(1) - y); });
    case transfer_kind::forward_logistics: return chain(output, grad, [](T) { return T(1); });
    }
    return T(0);
}

template void transfer_forward<float>(const transfer_function&, float, std::span<float>);
template void transfer_forward<double>(const transfer_function&, double, std::span<double>);
template float transfer_backward<float>(const transfer_function&, std::span<const float>, std::span<float>);
template double transfer_backward<double>(const transfer_function&, std::span<const double>, std::span<double>);

}  // namespace znn
