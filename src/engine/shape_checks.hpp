// Internal to src/engine: the argument checks shared by the layer forms of direct and Winograd
// convolution. Errors are std::invalid_argument("<operation>: <what>").
#pragma once

#include "znn/vec3.hpp"
#include "znn/volume.hpp"

#include <span>
#include <stdexcept>
#include <string>

namespace znn::detail {

struct shape_checks {
    const char* operation;

    [[noreturn]] void fail(const std::string& what) const
    {
        throw std::invalid_argument(std::string(operation) + ": " + what);
    }

    // The one shape of every volume in `vs` (`what` names them in errors).
    template <class T>
    vec3 common_shape(std::span<const volume<T>* const> vs, const char* what) const
    {
        if (vs.empty()) fail(std::string("no ") + what);
        const vec3 shape = vs[0]->shape();
        for (const auto* v : vs)
            if (v->shape() != shape)
                fail(std::string(what) + " of different shapes " + shape.dims() + " and " + v->shape().dims());
        return shape;
    }
    template <class T>
    vec3 common_shape(std::span<volume<T>* const> vs, const char* what) const
    {
        return common_shape(std::span<const volume<T>* const>(vs.data(), vs.size()), what);
    }

    void require(vec3 actual, vec3 expected, const char* what) const
    {
        if (!expected.all_positive() || actual != expected)
            fail(std::string(what) + " has shape " + actual.dims() + ", expected " + expected.dims());
    }
};

}  // namespace znn::detail
