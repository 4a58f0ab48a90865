// raw_stack: an image stack as it is stored in a file — a scalar type, a shape (channels, z, y, x) and
// the bytes, channel-major then z, y, x (x fastest), in native byte order. It is what the tif and h5
// readers return and the writers take, so that every type round-trips bit-exactly; to_volume/to_maps
// convert it to the arithmetic type the engine wants.
#pragma once

#include "znn/error.hpp"
#include "znn/vec3.hpp"
#include "znn/volume.hpp"

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string>
#include <type_traits>
#include <vector>

namespace znn {

enum class dtype { uint8, int8, uint16, int16, uint32, int32, uint64, int64, float32, float64 };

std::size_t dtype_size(dtype t) noexcept;
bool dtype_is_float(dtype t) noexcept;
bool dtype_is_signed(dtype t) noexcept;
// "uint8", ..., "float64" (numpy's names).
const char* dtype_name(dtype t) noexcept;
// The inverse of dtype_name; throws input_error for an unknown name.
dtype parse_dtype(const std::string& name);

template <class T>
constexpr dtype dtype_of()
{
    using U = std::remove_cv_t<T>;
    if constexpr (std::is_same_v<U, std::uint8_t>) return dtype::uint8;
    else if constexpr (std::is_same_v<U, std::int8_t>) return dtype::int8;
    else if constexpr (std::is_same_v<U, std::uint16_t>) return dtype::uint16;
    else if constexpr (std::is_same_v<U, std::int16_t>) return dtype::int16;
    else if constexpr (std::is_same_v<U, std::uint32_t>) return dtype::uint32;
    else if constexpr (std::is_same_v<U, std::int32_t>) return dtype::int32;
    else if constexpr (std::is_same_v<U, std::uint64_t>) return dtype::uint64;
    else if constexpr (std::is_same_v<U, std::int64_t>) return dtype::int64;
    else if constexpr (std::is_same_v<U, float>) return dtype::float32;
    else if constexpr (std::is_same_v<U, double>) return dtype::float64;
    else static_assert(sizeof(T) == 0, "dtype_of: not a stack element type");
}

// Calls f(T{}) with the C++ type of `t` (a value of that type, only its type matters).
template <class F>
decltype(auto) visit_dtype(dtype t, F&& f)
{
    switch (t) {
    case dtype::uint8: return f(std::uint8_t{});
    case dtype::int8: return f(std::int8_t{});
    case dtype::uint16: return f(std::uint16_t{});
    case dtype::int16: return f(std::int16_t{});
    case dtype::uint32: return f(std::uint32_t{});
    case dtype::int32: return f(std::int32_t{});
    case dtype::uint64: return f(std::uint64_t{});
    case dtype::int64: return f(std::int64_t{});
    case dtype::float32: return f(float{});
    case dtype::float64: break;
    }
    return f(double{});
}

struct raw_stack {
    dtype type = dtype::uint8;
    std::int64_t channels = 1;
    vec3 shape{0, 0, 0};          // z, y, x of one channel
    std::vector<std::byte> bytes;  // channels * shape.volume() * dtype_size(type)

    raw_stack() = default;
    raw_stack(dtype t, std::int64_t c, vec3 s)
        : type(t), channels(c), shape(s), bytes(static_cast<std::size_t>(c * s.volume()) * dtype_size(t))
    {
    }

    std::size_t voxels_per_channel() const noexcept { return static_cast<std::size_t>(shape.volume()); }
    std::size_t element_count() const noexcept { return static_cast<std::size_t>(channels) * voxels_per_channel(); }

    // Typed access; T must be the stack's own type (checked).
    template <class T>
    T* as()
    {
        check_type<T>();
        return reinterpret_cast<T*>(bytes.data());
    }
    template <class T>
    const T* as() const
    {
        check_type<T>();
        return reinterpret_cast<const T*>(bytes.data());
    }

private:
    template <class T>
    void check_type() const
    {
        if (dtype_of<T>() != type)
            throw runtime_failure(std::string("raw_stack holds ") + dtype_name(type) + ", not " + dtype_name(dtype_of<T>()));
    }
};

// Channel `channel` of the stack converted to T (static_cast per element).
template <class T>
volume<T> to_volume(const raw_stack& s, std::int64_t channel = 0)
{
    if (channel < 0 || channel >= s.channels)
        throw runtime_failure("to_volume: channel " + std::to_string(channel) + " of a stack with " +
                              std::to_string(s.channels));
    volume<T> out(s.shape);
    const std::size_t n = s.voxels_per_channel();
    visit_dtype(s.type, [&](auto tag) {
        using S = decltype(tag);
        const S* src = s.as<S>() + static_cast<std::size_t>(channel) * n;
        T* dst = out.data();
        for (std::size_t i = 0; i < n; ++i) dst[i] = static_cast<T>(src[i]);
    });
    return out;
}

template <class T>
maps<T> to_maps(const raw_stack& s)
{
    maps<T> out;
    out.reserve(static_cast<std::size_t>(s.channels));
    for (std::int64_t c = 0; c < s.channels; ++c) out.push_back(to_volume<T>(s, c));
    return out;
}

// A one-channel stack of the volume's own type (bit-exact).
template <class T>
raw_stack to_stack(const volume<T>& v)
{
    raw_stack s(dtype_of<T>(), 1, v.shape());
    if (!v.empty()) std::memcpy(s.bytes.data(), v.data(), v.size() * sizeof(T));
    return s;
}

// A stack with one channel per map; all maps must have the same shape.
template <class T>
raw_stack to_stack(const maps<T>& m)
{
    if (m.empty()) return raw_stack(dtype_of<T>(), 0, vec3{0, 0, 0});
    raw_stack s(dtype_of<T>(), static_cast<std::int64_t>(m.size()), m[0].shape());
    const std::size_t n = s.voxels_per_channel();
    for (std::size_t c = 0; c < m.size(); ++c) {
        if (m[c].shape() != m[0].shape())
            throw runtime_failure("to_stack: map " + std::to_string(c) + " is " + m[c].shape().dims() + ", map 0 is " +
                                  m[0].shape().dims());
        if (n) std::memcpy(s.bytes.data() + c * n * sizeof(T), m[c].data(), n * sizeof(T));
    }
    return s;
}

}  // namespace znn
