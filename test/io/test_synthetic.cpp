// Synthetic EM-like data: deterministic, membranes present, cells continuing through z, dark membranes.
#include "znn/synthetic.hpp"

#include <catch2/catch.hpp>

#include <chrono>
#include <set>

using namespace znn;

TEST_CASE("synthetic data is deterministic for a seed", "[io][synthetic]")
{
    synthetic_options o;
    o.shape = vec3{3, 64, 80};
    o.seed = 42;
    const synthetic_em a = make_synthetic_em(o);
    const synthetic_em b = make_synthetic_em(o);
    REQUIRE(a.image.shape() == o.shape);
    REQUIRE(a.label.shape() == o.shape);
    CHECK(std::equal(a.image.begin(), a.image.end(), b.image.begin()));
    CHECK(std::equal(a.label.begin(), a.label.end(), b.label.begin()));

    o.seed = 43;
    const synthetic_em c = make_synthetic_em(o);
    CHECK_FALSE(std::equal(a.label.begin(), a.label.end(), c.label.begin()));
    CHECK_FALSE(std::equal(a.image.begin(), a.image.end(), c.image.begin()));
}

TEST_CASE("synthetic data looks like EM: membranes, cells through z, dark boundaries", "[io][synthetic]")
{
    synthetic_options o;
    o.shape = vec3{6, 128, 128};
    o.seed = 7;
    o.cells = 30;
    const synthetic_em d = make_synthetic_em(o);
    CHECK(d.cells == 30);

    std::size_t membrane = 0;
    double membrane_grey = 0, interior_grey = 0;
    std::set<std::uint32_t> ids;
    for (std::size_t i = 0; i < d.label.size(); ++i) {
        const std::uint32_t id = d.label[i];
        REQUIRE(id <= 30u);
        if (id == 0) {
            ++membrane;
            membrane_grey += d.image[i];
        } else {
            ids.insert(id);
            interior_grey += d.image[i];
        }
    }
    const double fraction = double(membrane) / double(d.label.size());
    CHECK(fraction > 0.05);
    CHECK(fraction < 0.40);
    CHECK(ids.size() >= 25);  // nearly every cell shows up
    membrane_grey /= double(membrane);
    interior_grey /= double(d.label.size() - membrane);
    CHECK(interior_grey - membrane_grey > 40);

    // Cells continue through the stack: most interior voxels have the same id in the slice below.
    std::size_t same = 0, interior = 0;
    for (std::int64_t z = 1; z < o.shape.z; ++z)
        for (std::int64_t y = 0; y < o.shape.y; ++y)
            for (std::int64_t x = 0; x < o.shape.x; ++x)
                if (d.label(z, y, x) != 0) {
                    ++interior;
                    same += d.label(z, y, x) == d.label(z - 1, y, x);
                }
    CHECK(double(same) / double(interior) > 0.7);
}

TEST_CASE("the default stack is quick to make", "[io][synthetic]")
{
    const auto start = std::chrono::steady_clock::now();
    const synthetic_em d = make_synthetic_em(synthetic_options{});
    const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    CHECK(d.image.shape() == vec3{8, 256, 256});
    CHECK(seconds < 2.0);
    CHECK_THROWS(make_synthetic_em(synthetic_options{.shape = vec3{0, 4, 4}}));
}
