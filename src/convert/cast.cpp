// cast_stack: value casts between stack types that refuse, rather than bend, values the target lacks.
#include "znn/convert.hpp"

#include "znn/error.hpp"

#include <charconv>
#include <cmath>
#include <cstring>
#include <limits>
#include <type_traits>
#include <utility>

namespace znn {

namespace {

template <class S>
std::string value_text(S v)
{
    if constexpr (std::is_floating_point_v<S>) {
        if (std::isnan(v)) return "nan";
        if (std::isinf(v)) return v > 0 ? "inf" : "-inf";
        char text[64];
        const auto r = std::to_chars(text, text + sizeof text, v);
        return std::string(text, r.ptr);
    } else {
        return std::to_string(v);
    }
}

template <class T>
std::string range_text()
{
    if constexpr (std::is_floating_point_v<T>)
        return value_text(-std::numeric_limits<T>::max()) + " to " + value_text(std::numeric_limits<T>::max());
    else
        return std::to_string(std::numeric_limits<T>::min()) + " to " + std::to_string(std::numeric_limits<T>::max());
}

// nullptr when v converts to T without loss of range (see convert.hpp), else why not.
template <class T, class S>
const char* misfit(S v)
{
    if constexpr (std::is_integral_v<T> && std::is_integral_v<S>) {
        return std::in_range<T>(v) ? nullptr : "is out of range";
    } else if constexpr (std::is_integral_v<T>) {  // float to integer
        if (std::isnan(v)) return "is NaN";
        if (std::isinf(v)) return "is infinite";
        if (v != std::trunc(v)) return "is not a whole number";
        // [-2^digits, 2^digits) for signed, [0, 2^digits) for unsigned: exact in double.
        const double limit = std::ldexp(1.0, std::numeric_limits<T>::digits);
        const double low = std::is_signed_v<T> ? -limit : 0.0;
        const double x = static_cast<double>(v);
        return (x >= low && x < limit) ? nullptr : "is out of range";
    } else if constexpr (std::is_floating_point_v<S>) {  // float to float
        return (std::isfinite(v) && std::isinf(static_cast<T>(v))) ? "is out of range" : nullptr;
    } else {  // integer to float: always representable in range
        return nullptr;
    }
}

}  // namespace

raw_stack cast_stack(const raw_stack& s, dtype to, const std::string& source)
{
    if (s.type == to) return s;
    raw_stack out(to, s.channels, s.shape);
    visit_dtype(s.type, [&](auto source_tag) {
        using S = decltype(source_tag);
        visit_dtype(to, [&](auto target_tag) {
            using T = decltype(target_tag);
            const S* src = s.as<S>();
            T* dst = out.as<T>();
            const std::size_t n = s.element_count();
            for (std::size_t i = 0; i < n; ++i) {
                const char* why = misfit<T>(src[i]);
                if (why) {
                    const std::size_t per_channel = s.voxels_per_channel();
                    const auto c = i / per_channel, r = i % per_channel;
                    const auto plane = static_cast<std::size_t>(s.shape.y * s.shape.x);
                    const auto z = r / plane, y = r % plane / static_cast<std::size_t>(s.shape.x),
                               x = r % static_cast<std::size_t>(s.shape.x);
                    throw input_error(source, 0,
                                      "value " + value_text(src[i]) + " at channel " + std::to_string(c) + ", z " +
                                          std::to_string(z) + ", y " + std::to_string(y) + ", x " + std::to_string(x) +
                                          " " + std::string(why) + " for " + dtype_name(to) + " (" + range_text<T>() +
                                          (std::is_integral_v<T> ? ", whole numbers" : "") +
                                          "); --dtype does not round or saturate");
                }
                dst[i] = static_cast<T>(src[i]);
            }
        });
    });
    return out;
}

}  // namespace znn
