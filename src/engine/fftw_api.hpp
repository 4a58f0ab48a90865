// Internal to src/engine: FFTW's float and double interfaces behind one template, and the process-wide
// lock that serialises FFTW's (global, non-thread-safe) planner.
#pragma once

#include <fftw3.h>

#include <mutex>

namespace znn::fftw {

template <class T>
struct api;

template <>
struct api<float> {
    using plan = fftwf_plan;
    using complex = fftwf_complex;
    static plan r2c(int n0, int n1, int n2, float* in, complex* out, unsigned flags)
    {
        return fftwf_plan_dft_r2c_3d(n0, n1, n2, in, out, flags);
    }
    static plan c2r(int n0, int n1, int n2, complex* in, float* out, unsigned flags)
    {
        return fftwf_plan_dft_c2r_3d(n0, n1, n2, in, out, flags);
    }
    static void execute_r2c(plan p, float* in, complex* out) { fftwf_execute_dft_r2c(p, in, out); }
    static void execute_c2r(plan p, complex* in, float* out) { fftwf_execute_dft_c2r(p, in, out); }
    static void destroy(plan p) { fftwf_destroy_plan(p); }
    static int import_wisdom(const char* path) { return fftwf_import_wisdom_from_filename(path); }
    static int export_wisdom(const char* path) { return fftwf_export_wisdom_to_filename(path); }
};

template <>
struct api<double> {
    using plan = fftw_plan;
    using complex = fftw_complex;
    static plan r2c(int n0, int n1, int n2, double* in, complex* out, unsigned flags)
    {
        return fftw_plan_dft_r2c_3d(n0, n1, n2, in, out, flags);
    }
    static plan c2r(int n0, int n1, int n2, complex* in, double* out, unsigned flags)
    {
        return fftw_plan_dft_c2r_3d(n0, n1, n2, in, out, flags);
    }
    static void execute_r2c(plan p, double* in, complex* out) { fftw_execute_dft_r2c(p, in, out); }
    static void execute_c2r(plan p, complex* in, double* out) { fftw_execute_dft_c2r(p, in, out); }
    static void destroy(plan p) { fftw_destroy_plan(p); }
    static int import_wisdom(const char* path) { return fftw_import_wisdom_from_filename(path); }
    static int export_wisdom(const char* path) { return fftw_export_wisdom_to_filename(path); }
};

// FFTW keeps its planner state in globals shared by every plan of a precision, so a per-cache mutex
// is not enough: two caches planning at once from two threads would race. This lock (one per
// precision, as fftw and fftwf are separate libraries) guards every planner call in znn.
template <class T>
std::mutex& planner_mutex()
{
    static std::mutex m;
    return m;
}

}  // namespace znn::fftw
