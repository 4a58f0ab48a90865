// Running min / max / NaN count over typed buffers, for stack_info (internal to src/io).
#pragma once

#include "znn/image_io.hpp"

#include <cmath>
#include <cstddef>
#include <limits>

namespace znn::io_detail {

class value_range {
public:
    void add(dtype type, const std::byte* data, std::size_t count)
    {
        visit_dtype(type, [&](auto tag) {
            using T = decltype(tag);
            const T* v = reinterpret_cast<const T*>(data);
            for (std::size_t i = 0; i < count; ++i) {
                const double d = static_cast<double>(v[i]);
                if (std::isnan(d)) {
                    ++nan_count_;
                    continue;
                }
                min_ = d < min_ ? d : min_;
                max_ = d > max_ ? d : max_;
                any_ = true;
            }
        });
    }

    void store_into(stack_summary& s) const
    {
        s.min = any_ ? min_ : 0;
        s.max = any_ ? max_ : 0;
        s.nan_count = nan_count_;
    }

private:
    double min_ = std::numeric_limits<double>::infinity();
    double max_ = -std::numeric_limits<double>::infinity();
    std::int64_t nan_count_ = 0;
    bool any_ = false;
};

}  // namespace znn::io_detail
