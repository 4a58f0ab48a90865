// Transfer functions of `transfer` nodes (manual §2), applied per map after the incoming edges are
// summed: y = f(x + bias).
//
//   linear             a·x + b                 args [a, b], default [1, 0]     f' = a
//   tanh               a·tanh(b·x)             args [a, b], default [1, 1]     f' = a·b·(1 - (y/a)²)
//   rectify_linear     max(0, x)                                               f' = (y > 0)
//   soft_sign          x / (1 + |x|)                                           f' = (1 - |y|)²
//   logistics          1 / (1 + e^-x)                                          f' = y·(1 - y)
//   forward_logistics  1 / (1 + e^-x) forward; the gradient passes unchanged   f' = 1
//                      (pairs with binomial cross entropy, whose gradient p - y is already dE/dx)
//
// Every derivative is written through the stored output y, so the backward pass needs only the node's
// output, not its input.
#pragma once

#include "znn/volume.hpp"

#include <span>
#include <string>
#include <vector>

namespace znn {

enum class transfer_kind { linear, tanh, rectify_linear, soft_sign, logistics, forward_logistics };

struct transfer_function {
    transfer_kind kind = transfer_kind::linear;
    double a = 1;  // linear: slope;     tanh: amplitude
    double b = 0;  // linear: intercept; tanh: frequency
};

// name: linear | tanh | rectify_linear | soft_sign | logistics | forward_logistics (| forward_logistic).
// Missing args take the defaults above; too many args or an unknown name throw std::invalid_argument.
transfer_function make_transfer_function(const std::string& name, const std::vector<double>& args = {});
std::string transfer_name(transfer_kind kind);

// In place: values[i] = f(values[i] + bias).
template <class T>
void transfer_forward(const transfer_function& f, T bias, std::span<T> values);

// In place: grad[i] (dE/dy on entry) becomes dE/dx = f'(x)·dE/dy, computed from output[i] = y.
// Returns Σ dE/dx, the gradient of the map's bias (summed in double).
template <class T>
T transfer_backward(const transfer_function& f, std::span<const T> output, std::span<T> grad);

template <class T>
void transfer_forward(const transfer_function& f, T bias, volume<T>& map)
{
    transfer_forward(f, bias, map.span());
}
template <class T>
T transfer_backward(const transfer_function& f, const volume<T>& output, volume<T>& grad)
{
    return transfer_backward(f, output.span(), grad.span());
}

}  // namespace znn
