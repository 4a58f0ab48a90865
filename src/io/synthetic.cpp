#include "znn/synthetic.hpp"

#include "znn/error.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <numbers>
#include <vector>

namespace znn {

namespace {

// splitmix64 with its own uniform and normal draws: the standard library's distributions differ between
// implementations, and the data must be the same everywhere for a seed.
class random_source {
public:
    explicit random_source(std::uint64_t seed) : state_(seed) {}
    std::uint64_t next()
    {
        std::uint64_t z = (state_ += 0x9E3779B97F4A7C15ULL);
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
        return z ^ (z >> 31);
    }
    double uniform() { return static_cast<double>(next() >> 11) * 0x1.0p-53; }  // [0, 1)
    double uniform(double lo, double hi) { return lo + (hi - lo) * uniform(); }
    double normal()  // Box-Muller
    {
        const double u1 = 1.0 - uniform();  // (0, 1]
        const double u2 = uniform();
        return std::sqrt(-2.0 * std::log(u1)) * std::cos(2.0 * std::numbers::pi * u2);
    }

private:
    std::uint64_t state_;
};

// A cell centre's in-plane path through the stack: linear drift plus a slow wobble.
struct cell_path {
    double y0, x0, vy, vx, ay, ax, omega, phase_y, phase_x;
    double y(double z) const { return y0 + vy * z + ay * std::sin(omega * z + phase_y); }
    double x(double z) const { return x0 + vx * z + ax * std::sin(omega * z + phase_x); }
};

struct point {
    double y, x;
};

// Nearest and second-nearest centres of every pixel of one slice, by a bucket grid searched in
// growing square rings (a ring r + 1 bucket is at least r * bucket pixels away from the pixel).
class nearest_two {
public:
    nearest_two(const std::vector<point>& centres, std::int64_t height, std::int64_t width, double bucket)
        : centres_(centres), bucket_(bucket),
          rows_(std::max<std::int64_t>(1, static_cast<std::int64_t>(std::ceil(height / bucket)))),
          cols_(std::max<std::int64_t>(1, static_cast<std::int64_t>(std::ceil(width / bucket)))),
          buckets_(static_cast<std::size_t>(rows_ * cols_))
    {
        for (std::size_t i = 0; i < centres.size(); ++i)
            buckets_[static_cast<std::size_t>(row_of(centres[i].y) * cols_ + col_of(centres[i].x))].push_back(
                static_cast<int>(i));
    }

    struct result {
        int nearest = -1, second = -1;
        double d1_squared = std::numeric_limits<double>::infinity();
        double d2_squared = std::numeric_limits<double>::infinity();
    };

    result at(double y, double x) const
    {
        double best1 = std::numeric_limits<double>::infinity(), best2 = best1;  // squared
        int nearest = -1, second = -1;
        const std::int64_t br = row_of(y), bc = col_of(x);
        const std::int64_t max_ring = std::max(rows_, cols_);
        for (std::int64_t r = 0; r <= max_ring; ++r) {
            for (std::int64_t i = br - r; i <= br + r; ++i) {
                if (i < 0 || i >= rows_) continue;
                const bool edge_row = i == br - r || i == br + r;
                for (std::int64_t j = bc - r; j <= bc + r; j += (edge_row || r == 0) ? 1 : 2 * r) {
                    if (j < 0 || j >= cols_) continue;
                    for (int k : buckets_[static_cast<std::size_t>(i * cols_ + j)]) {
                        const double dy = centres_[static_cast<std::size_t>(k)].y - y;
                        const double dx = centres_[static_cast<std::size_t>(k)].x - x;
                        const double d = dy * dy + dx * dx;
                        if (d < best1) {
                            best2 = best1;
                            second = nearest;
                            best1 = d;
                            nearest = k;
                        } else if (d < best2) {
                            best2 = d;
                            second = k;
                        }
                    }
                }
            }
            const double reach = static_cast<double>(r) * bucket_;
            if (best2 <= reach * reach) break;
        }
        return {nearest, second, best1, best2};
    }

private:
    std::int64_t row_of(double y) const
    {
        return std::clamp<std::int64_t>(static_cast<std::int64_t>(std::floor(y / bucket_)), 0, rows_ - 1);
    }
    std::int64_t col_of(double x) const
    {
        return std::clamp<std::int64_t>(static_cast<std::int64_t>(std::floor(x / bucket_)), 0, cols_ - 1);
    }

    const std::vector<point>& centres_;
    double bucket_;
    std::int64_t rows_, cols_;
    std::vector<std::vector<int>> buckets_;
};

// Smooth texture: random values on a coarse grid, bilinearly interpolated.
std::vector<double> value_noise(random_source& rng, std::int64_t height, std::int64_t width, double spacing,
                                double amplitude)
{
    const std::int64_t gh = static_cast<std::int64_t>(height / spacing) + 2;
    const std::int64_t gw = static_cast<std::int64_t>(width / spacing) + 2;
    std::vector<double> grid(static_cast<std::size_t>(gh * gw));
    for (double& g : grid) g = rng.uniform(-amplitude, amplitude);
    std::vector<double> out(static_cast<std::size_t>(height * width));
    for (std::int64_t y = 0; y < height; ++y) {
        const double gy = y / spacing;
        const auto iy = static_cast<std::int64_t>(gy);
        const double fy = gy - static_cast<double>(iy);
        for (std::int64_t x = 0; x < width; ++x) {
            const double gx = x / spacing;
            const auto ix = static_cast<std::int64_t>(gx);
            const double fx = gx - static_cast<double>(ix);
            auto g = [&](std::int64_t a, std::int64_t b) { return grid[static_cast<std::size_t>(a * gw + b)]; };
            const double top = g(iy, ix) * (1 - fx) + g(iy, ix + 1) * fx;
            const double bottom = g(iy + 1, ix) * (1 - fx) + g(iy + 1, ix + 1) * fx;
            out[static_cast<std::size_t>(y * width + x)] = top * (1 - fy) + bottom * fy;
        }
    }
    return out;
}

// Separable in-plane Gaussian blur of one slice; borders reflect.
void gaussian_blur(std::vector<double>& plane, std::int64_t height, std::int64_t width, double sigma)
{
    if (sigma <= 0) return;
    const auto radius = static_cast<std::int64_t>(std::ceil(3 * sigma));
    std::vector<double> kernel(static_cast<std::size_t>(2 * radius + 1));
    double sum = 0;
    for (std::int64_t i = -radius; i <= radius; ++i)
        sum += kernel[static_cast<std::size_t>(i + radius)] = std::exp(-0.5 * double(i * i) / (sigma * sigma));
    for (double& k : kernel) k /= sum;
    auto reflect = [](std::int64_t i, std::int64_t n) {
        if (n == 1) return std::int64_t{0};
        while (i < 0 || i >= n) i = i < 0 ? -i - 1 : 2 * n - 1 - i;
        return i;
    };
    std::vector<double> tmp(plane.size());
    for (std::int64_t y = 0; y < height; ++y)
        for (std::int64_t x = 0; x < width; ++x) {
            double acc = 0;
            for (std::int64_t i = -radius; i <= radius; ++i)
                acc += kernel[static_cast<std::size_t>(i + radius)] *
                       plane[static_cast<std::size_t>(y * width + reflect(x + i, width))];
            tmp[static_cast<std::size_t>(y * width + x)] = acc;
        }
    for (std::int64_t y = 0; y < height; ++y)
        for (std::int64_t x = 0; x < width; ++x) {
            double acc = 0;
            for (std::int64_t i = -radius; i <= radius; ++i)
                acc += kernel[static_cast<std::size_t>(i + radius)] *
                       tmp[static_cast<std::size_t>(reflect(y + i, height) * width + x)];
            plane[static_cast<std::size_t>(y * width + x)] = acc;
        }
}

// Starting centres thrown at random, each kept at least `spacing` from the others when 30 throws can
// manage it: without that, near-coincident centres make slivers of cells.
class start_points {
public:
    start_points(double height, double width, double spacing)
        : height_(height), width_(width), spacing_(std::max(spacing, 1.0)),
          cols_(static_cast<std::int64_t>(width / spacing_) + 1),
          grid_(static_cast<std::size_t>((static_cast<std::int64_t>(height / spacing_) + 1) * cols_))
    {
    }

    point place(random_source& rng)
    {
        point p{};
        for (int attempt = 0; attempt < 30; ++attempt) {
            p = {rng.uniform(0, height_), rng.uniform(0, width_)};
            if (far_enough(p)) break;
        }
        grid_[cell_of(p)].push_back(p);
        return p;
    }

private:
    std::size_t cell_of(point p) const
    {
        return static_cast<std::size_t>(static_cast<std::int64_t>(p.y / spacing_) * cols_ +
                                        static_cast<std::int64_t>(p.x / spacing_));
    }
    bool far_enough(point p) const
    {
        const auto row = static_cast<std::int64_t>(p.y / spacing_), col = static_cast<std::int64_t>(p.x / spacing_);
        const auto rows = static_cast<std::int64_t>(grid_.size()) / cols_;
        for (std::int64_t i = std::max<std::int64_t>(0, row - 1); i <= std::min(rows - 1, row + 1); ++i)
            for (std::int64_t j = std::max<std::int64_t>(0, col - 1); j <= std::min(cols_ - 1, col + 1); ++j)
                for (const point& q : grid_[static_cast<std::size_t>(i * cols_ + j)])
                    if (std::hypot(p.y - q.y, p.x - q.x) < spacing_) return false;
        return true;
    }

    double height_, width_, spacing_;
    std::int64_t cols_;
    std::vector<std::vector<point>> grid_;
};

// Within width/2 of the bisector of the nearest two centres: (d2² - d1²) / (2 |c1 - c2|) is the exact
// distance to that bisector, so membranes keep their width even between centres that come close.
bool on_membrane(const nearest_two::result& near, const std::vector<point>& centres, double width)
{
    if (near.second < 0) return false;
    const point a = centres[static_cast<std::size_t>(near.nearest)], b = centres[static_cast<std::size_t>(near.second)];
    const double gap = std::hypot(a.y - b.y, a.x - b.x);
    return near.d2_squared - near.d1_squared < width * gap;
}

constexpr double membrane_grey = 45;
constexpr double interior_grey_lo = 150, interior_grey_hi = 195;
constexpr double organelle_darkening = 55;

}  // namespace

synthetic_em make_synthetic_em(const synthetic_options& o)
{
    const vec3 s = o.shape;
    if (!s.all_positive()) throw runtime_failure("synthetic data: shape " + s.dims() + " is not all positive");
    if (o.cells < 0) throw runtime_failure("synthetic data: negative cell count");
    const double area = static_cast<double>(s.y * s.x);
    const int cells = o.cells > 0 ? o.cells : std::max(2, static_cast<int>(std::lround(area / (24.0 * 24.0))));

    random_source rng(o.seed);
    start_points starts(double(s.y), double(s.x), 0.5 * std::sqrt(area / cells));
    std::vector<cell_path> paths(static_cast<std::size_t>(cells));
    std::vector<double> grey(static_cast<std::size_t>(cells));
    for (int i = 0; i < cells; ++i) {
        cell_path& p = paths[static_cast<std::size_t>(i)];
        const point start = starts.place(rng);
        p.y0 = start.y;
        p.x0 = start.x;
        p.vy = rng.uniform(-0.5, 0.5) * o.drift;
        p.vx = rng.uniform(-0.5, 0.5) * o.drift;
        p.ay = rng.uniform(0.5, 2.0) * o.drift;
        p.ax = rng.uniform(0.5, 2.0) * o.drift;
        p.omega = rng.uniform(0.15, 0.5);
        p.phase_y = rng.uniform(0, 2 * std::numbers::pi);
        p.phase_x = rng.uniform(0, 2 * std::numbers::pi);
        grey[static_cast<std::size_t>(i)] = rng.uniform(interior_grey_lo, interior_grey_hi);
    }

    synthetic_em out{volume<std::uint8_t>(s), volume<std::uint32_t>(s), cells};
    const double bucket = std::max(4.0, std::sqrt(area / cells));
    const std::size_t plane_size = static_cast<std::size_t>(s.y * s.x);
    std::vector<point> centres(static_cast<std::size_t>(cells));
    std::vector<double> plane(plane_size);
    for (std::int64_t z = 0; z < s.z; ++z) {
        for (int i = 0; i < cells; ++i) {
            const cell_path& p = paths[static_cast<std::size_t>(i)];
            centres[static_cast<std::size_t>(i)] = {p.y(double(z)), p.x(double(z))};
        }
        const nearest_two search(centres, s.y, s.x, bucket);
        std::vector<double> texture = value_noise(rng, s.y, s.x, 6.0, 12.0);

        // A few dark round organelles per slice, drawn only inside cells.
        struct blob {
            double y, x, r;
        };
        std::vector<blob> blobs(static_cast<std::size_t>(std::max(1, cells / 3)));
        for (blob& b : blobs)
            b = {rng.uniform(0, double(s.y)), rng.uniform(0, double(s.x)), rng.uniform(1.5, 4.0)};
        for (const blob& b : blobs) {
            const auto y_lo = std::max<std::int64_t>(0, std::int64_t(b.y - b.r)), y_hi = std::min<std::int64_t>(s.y - 1, std::int64_t(b.y + b.r) + 1);
            const auto x_lo = std::max<std::int64_t>(0, std::int64_t(b.x - b.r)), x_hi = std::min<std::int64_t>(s.x - 1, std::int64_t(b.x + b.r) + 1);
            for (std::int64_t y = y_lo; y <= y_hi; ++y)
                for (std::int64_t x = x_lo; x <= x_hi; ++x) {
                    const double d = std::hypot(double(y) - b.y, double(x) - b.x);
                    if (d < b.r) texture[static_cast<std::size_t>(y * s.x + x)] -= organelle_darkening * (1 - d / b.r);
                }
        }

        for (std::int64_t y = 0; y < s.y; ++y)
            for (std::int64_t x = 0; x < s.x; ++x) {
                const auto near = search.at(double(y), double(x));
                const std::size_t i = static_cast<std::size_t>(y * s.x + x);
                const bool membrane = on_membrane(near, centres, o.membrane_width);
                out.label(z, y, x) = membrane ? 0u : static_cast<std::uint32_t>(near.nearest + 1);
                plane[i] = membrane ? membrane_grey : grey[static_cast<std::size_t>(near.nearest)] + texture[i];
            }
        gaussian_blur(plane, s.y, s.x, o.blur_sigma);
        for (std::int64_t y = 0; y < s.y; ++y)
            for (std::int64_t x = 0; x < s.x; ++x) {
                const double v = plane[static_cast<std::size_t>(y * s.x + x)] + o.noise_sigma * rng.normal();
                out.image(z, y, x) = static_cast<std::uint8_t>(std::clamp(std::lround(v), 0L, 255L));
            }
    }
    return out;
}

}  // namespace znn
