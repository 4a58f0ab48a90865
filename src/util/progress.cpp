#include "znn/progress.hpp"

#include <cmath>
#include <cstdio>

namespace znn {

std::string format_duration(double seconds)
{
    char buf[32];
    if (!std::isfinite(seconds) || seconds < 0) return "?";
    if (seconds < 10) {
        std::snprintf(buf, sizeof buf, "%.1fs", seconds);
    } else if (seconds < 3600) {
        long s = std::lround(seconds);
        if (s < 60) std::snprintf(buf, sizeof buf, "%lds", s);
        else std::snprintf(buf, sizeof buf, "%ldm%02lds", s / 60, s % 60);
    } else {
        long m = std::lround(seconds / 60);
        std::snprintf(buf, sizeof buf, "%ldh%02ldm", m / 60, m % 60);
    }
    return buf;
}

std::string format_count(double n)
{
    char buf[32];
    if (n >= 1e9) std::snprintf(buf, sizeof buf, "%.2fG", n / 1e9);
    else if (n >= 1e6) std::snprintf(buf, sizeof buf, "%.2fM", n / 1e6);
    else if (n >= 1e3) std::snprintf(buf, sizeof buf, "%.1fk", n / 1e3);
    else std::snprintf(buf, sizeof buf, "%.0f", n);
    return buf;
}

}  // namespace znn
