// Small volumes written out by hand, shared by the io tests.
#pragma once

#include "znn/volume.hpp"

#include <catch2/catch.hpp>

#include <initializer_list>

namespace znn::testing {

// A volume of `shape` holding `values` in z, y, x order (x fastest); all voxels must be given.
template <class T>
volume<T> filled(vec3 shape, std::initializer_list<double> values)
{
    volume<T> v(shape);
    std::size_t i = 0;
    for (double x : values) v[i++] = static_cast<T>(x);
    REQUIRE(i == v.size());
    return v;
}

}  // namespace znn::testing
