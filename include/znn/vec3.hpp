// A 3D integer vector in z, y, x order (z slowest), used for sizes, strides and sparsities.
#pragma once

#include <algorithm>
#include <array>
#include <cstdint>
#include <ostream>
#include <string>

namespace znn {

struct vec3 {
    std::int64_t z = 0, y = 0, x = 0;

    constexpr vec3() = default;
    constexpr vec3(std::int64_t z_, std::int64_t y_, std::int64_t x_) : z(z_), y(y_), x(x_) {}
    static constexpr vec3 one() { return {1, 1, 1}; }

    constexpr std::int64_t operator[](int i) const { return i == 0 ? z : (i == 1 ? y : x); }
    constexpr std::int64_t& operator[](int i) { return i == 0 ? z : (i == 1 ? y : x); }

    constexpr std::int64_t volume() const { return z * y * x; }
    constexpr bool all_positive() const { return z > 0 && y > 0 && x > 0; }

    friend constexpr vec3 operator+(vec3 a, vec3 b) { return {a.z + b.z, a.y + b.y, a.x + b.x}; }
    friend constexpr vec3 operator-(vec3 a, vec3 b) { return {a.z - b.z, a.y - b.y, a.x - b.x}; }
    friend constexpr vec3 operator*(vec3 a, vec3 b) { return {a.z * b.z, a.y * b.y, a.x * b.x}; }
    friend constexpr vec3 operator/(vec3 a, vec3 b) { return {a.z / b.z, a.y / b.y, a.x / b.x}; }
    friend constexpr vec3 operator%(vec3 a, vec3 b) { return {a.z % b.z, a.y % b.y, a.x % b.x}; }
    friend constexpr vec3 operator+(vec3 a, std::int64_t s) { return {a.z + s, a.y + s, a.x + s}; }
    friend constexpr vec3 operator-(vec3 a, std::int64_t s) { return {a.z - s, a.y - s, a.x - s}; }
    friend constexpr vec3 operator*(vec3 a, std::int64_t s) { return {a.z * s, a.y * s, a.x * s}; }
    friend constexpr bool operator==(vec3 a, vec3 b) = default;

    friend constexpr vec3 max(vec3 a, vec3 b) { return {std::max(a.z, b.z), std::max(a.y, b.y), std::max(a.x, b.x)}; }
    friend constexpr vec3 min(vec3 a, vec3 b) { return {std::min(a.z, b.z), std::min(a.y, b.y), std::min(a.x, b.x)}; }

    // "z,y,x"
    std::string str() const { return std::to_string(z) + "," + std::to_string(y) + "," + std::to_string(x); }
    // "zxyxx", the way sizes are shown to people (e.g. "1x95x95").
    std::string dims() const { return std::to_string(z) + "x" + std::to_string(y) + "x" + std::to_string(x); }
    friend std::ostream& operator<<(std::ostream& os, vec3 v) { return os << v.dims(); }
};

}  // namespace znn
