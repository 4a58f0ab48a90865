#include "znn/error.hpp"
#include "znn/fft.hpp"

#include "fftw_api.hpp"

#include <array>
#include <limits>
#include <map>
#include <mutex>
#include <stdexcept>

namespace znn {

template <class T>
struct fft_plan_cache<T>::impl {
    mutable std::mutex mutex;
    std::map<std::array<std::int64_t, 3>, detail::fft_plan_pair> plans;  // node-based: references stay valid
};

template <class T>
fft_plan_cache<T>::fft_plan_cache(fft_planning planning) : planning_(planning), impl_(std::make_unique<impl>())
{
}

template <class T>
fft_plan_cache<T>::~fft_plan_cache()
{
    using api = fftw::api<T>;
    std::lock_guard planner(fftw::planner_mutex<T>());
    for (auto& [shape, p] : impl_->plans) {
        api::destroy(static_cast<typename api::plan>(p.forward));
        api::destroy(static_cast<typename api::plan>(p.inverse));
    }
}

template <class T>
std::size_t fft_plan_cache<T>::size() const
{
    std::lock_guard lock(impl_->mutex);
    return impl_->plans.size();
}

template <class T>
const detail::fft_plan_pair& fft_plan_cache<T>::plans_for(vec3 n)
{
    using api = fftw::api<T>;
    constexpr std::int64_t max_axis = std::numeric_limits<int>::max();
    if (!n.all_positive() || n.z > max_axis || n.y > max_axis || n.x > max_axis)
        throw std::invalid_argument("fft_plan_cache: bad FFT shape " + n.dims());

    // Holding the cache's lock while planning makes other threads that want the same shape wait for it
    // instead of planning it twice.
    std::lock_guard lock(impl_->mutex);
    const std::array<std::int64_t, 3> key{n.z, n.y, n.x};
    if (auto it = impl_->plans.find(key); it != impl_->plans.end()) return it->second;

    // Plans are in place on a buffer laid out like spectrum<T>; FFTW_MEASURE overwrites it while timing.
    spectrum<T> scratch(n);
    T* real = reinterpret_cast<T*>(scratch.data());
    auto* cplx = reinterpret_cast<typename api::complex*>(scratch.data());
    const unsigned flags = planning_ == fft_planning::measure ? FFTW_MEASURE : FFTW_ESTIMATE;
    const int n0 = static_cast<int>(n.z), n1 = static_cast<int>(n.y), n2 = static_cast<int>(n.x);

    detail::fft_plan_pair pair;
    {
        std::lock_guard planner(fftw::planner_mutex<T>());
        auto forward = api::r2c(n0, n1, n2, real, cplx, flags);
        auto inverse = api::c2r(n0, n1, n2, cplx, real, flags);
        if (!forward || !inverse) {
            if (forward) api::destroy(forward);
            if (inverse) api::destroy(inverse);
            throw runtime_failure("FFTW could not plan a transform of shape " + n.dims());
        }
        pair.forward = forward;
        pair.inverse = inverse;
    }
    return impl_->plans.emplace(key, pair).first->second;
}

template <class T>
bool import_fft_wisdom(const std::string& path)
{
    std::lock_guard planner(fftw::planner_mutex<T>());
    return fftw::api<T>::import_wisdom(path.c_str()) != 0;
}

template <class T>
void export_fft_wisdom(const std::string& path)
{
    std::lock_guard planner(fftw::planner_mutex<T>());
    if (fftw::api<T>::export_wisdom(path.c_str()) == 0)
        throw runtime_failure("cannot write FFTW wisdom to " + path);
}

template class fft_plan_cache<float>;
template class fft_plan_cache<double>;
template bool import_fft_wisdom<float>(const std::string&);
template bool import_fft_wisdom<double>(const std::string&);
template void export_fft_wisdom<float>(const std::string&);
template void export_fft_wisdom<double>(const std::string&);

}  // namespace znn
