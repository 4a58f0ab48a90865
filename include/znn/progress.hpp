// Progress reporting for long jobs: elapsed time, rates and ETA formatted for one-line reports on stderr.
#pragma once

#include <chrono>
#include <string>

namespace znn {

// "3h07m", "12m05s", "42s", "0.8s".
std::string format_duration(double seconds);
// "1.23M", "456k", "789".
std::string format_count(double n);

class stopwatch {
public:
    stopwatch() : start_(std::chrono::steady_clock::now()) {}
    double seconds() const { return std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count(); }
    void restart() { start_ = std::chrono::steady_clock::now(); }

private:
    std::chrono::steady_clock::time_point start_;
};

}  // namespace znn
