#include "znn/preprocess.hpp"

#include "znn/error.hpp"

#include <algorithm>
#include <cmath>
#include <type_traits>

namespace znn {

preprocess_type parse_preprocess(const std::string& name)
{
    if (name == "none") return preprocess_type::none;
    if (name == "standard2D") return preprocess_type::standard2D;
    if (name == "standard3D") return preprocess_type::standard3D;
    if (name == "symetric_rescale" || name == "symmetric_rescale") return preprocess_type::symetric_rescale;
    throw input_error("unknown pp_types '" + name + "' for an image (none, standard2D, standard3D or symetric_rescale)");
}

const char* preprocess_name(preprocess_type t) noexcept
{
    switch (t) {
    case preprocess_type::none: return "none";
    case preprocess_type::standard2D: return "standard2D";
    case preprocess_type::standard3D: return "standard3D";
    case preprocess_type::symetric_rescale: return "symetric_rescale";
    }
    return "?";
}

namespace {

// (x - mean) / std over [first, first + n). Constant data (min == max) gives zeros: computing the
// std of it in floating point may leave a tiny non-zero value that would blow rounding noise up to ±1.
template <class T>
void standardize(T* first, std::size_t n)
{
    if (n == 0) return;
    const auto [lo, hi] = std::minmax_element(first, first + n);
    if (!(*lo < *hi)) {
        std::fill_n(first, n, T(0));
        return;
    }
    double sum = 0;
    for (std::size_t i = 0; i < n; ++i) sum += first[i];
    const double mean = sum / static_cast<double>(n);
    double squares = 0;
    for (std::size_t i = 0; i < n; ++i) squares += (first[i] - mean) * (first[i] - mean);
    const double std_dev = std::sqrt(squares / static_cast<double>(n));
    for (std::size_t i = 0; i < n; ++i) first[i] = static_cast<T>((first[i] - mean) / std_dev);
}

template <class T>
void rescale_symmetric(T* first, std::size_t n)
{
    if (n == 0) return;
    const auto [lo_it, hi_it] = std::minmax_element(first, first + n);
    const double lo = *lo_it, hi = *hi_it;
    if (!(lo < hi)) {
        std::fill_n(first, n, T(0));
        return;
    }
    for (std::size_t i = 0; i < n; ++i) first[i] = static_cast<T>((first[i] - lo) / (hi - lo) * 2.0 - 1.0);
}

}  // namespace

template <class T>
void preprocess(volume<T>& v, preprocess_type t)
{
    static_assert(std::is_floating_point_v<T>, "preprocess works on float or double volumes");
    const vec3 s = v.shape();
    switch (t) {
    case preprocess_type::none: return;
    case preprocess_type::standard2D: {
        const std::size_t slice = static_cast<std::size_t>(s.y * s.x);
        for (std::int64_t z = 0; z < s.z; ++z) standardize(v.data() + z * slice, slice);
        return;
    }
    case preprocess_type::standard3D: standardize(v.data(), v.size()); return;
    case preprocess_type::symetric_rescale: rescale_symmetric(v.data(), v.size()); return;
    }
}

template void preprocess<float>(volume<float>&, preprocess_type);
template void preprocess<double>(volume<double>&, preprocess_type);

}  // namespace znn
