// `znn forward`: tilings and cluster blocks give the same output as one pass; bad jobs fail cleanly.
#include "../common/temp_job.hpp"

#include "znn/error.hpp"
#include "znn/forward.hpp"
#include "znn/h5_box.hpp"
#include "znn/net_file.hpp"
#include "znn/net_graph.hpp"
#include "znn/net_params.hpp"
#include "znn/net_spec.hpp"
#include "znn/network.hpp"
#include "znn/tiling.hpp"

#include <catch2/catch.hpp>

#include <cmath>
#include <filesystem>

using namespace znn;
using namespace znn::testing;

namespace {

// A job with one 3x40x37 sample and a randomly initialised net saved as net.h5.
void setup(temp_job& job, vec3 shape = {3, 40, 37})
{
    job.make_em(1, shape, 9);
    job.write_spec(1);
    job.write("net.znn", tiny_boundary_net);
    net_graph graph(load_net_spec(job.path("net.znn")));
    network<float> net(graph, {1, 4, 4}, engine_options{}, 77);
    net_file file;
    file.layers = network_layers(net);
    file.znn_text = graph.spec().text;
    save_net_file(job.path("net.h5"), file);
    job.write("job.cfg", "[parameters]\nfnet_spec = net.znn\nfdata_spec = data.spec\nforward_net = net.h5\n"
                         "forward_range = 1\noutput_prefix = out/run\nis_bd_mirror = yes\nnum_threads = 2\n"
                         "forward_conv_mode = fft\n");
}

maps<float> read_output(const std::string& path)
{
    h5_box_reader r(path);
    return r.read_maps<float>({0, 0, 0}, r.shape());
}

double max_relative_difference(const maps<float>& a, const maps<float>& b)
{
    REQUIRE(a.size() == b.size());
    double diff = 0, scale = 0;
    for (std::size_t c = 0; c < a.size(); ++c) {
        REQUIRE(a[c].shape() == b[c].shape());
        for (std::size_t v = 0; v < a[c].size(); ++v) {
            diff = std::max(diff, std::abs(double(a[c][v]) - double(b[c][v])));
            scale = std::max(scale, std::abs(double(a[c][v])));
        }
    }
    return diff / scale;
}

}  // namespace

TEST_CASE("tiles start at 0, p, 2p, ... with the last aligned to the end")
{
    CHECK(tile_starts(10, 4) == std::vector<std::int64_t>{0, 4, 6});
    CHECK(tile_starts(8, 4) == std::vector<std::int64_t>{0, 4});
    CHECK(tile_starts(3, 4) == std::vector<std::int64_t>{0});
    auto blocks = split_blocks({3, 40, 37}, {1, 16, 16}, 3);
    REQUIRE(blocks.size() == 3);
    CHECK(blocks[0] == box{{0, 0, 0}, {1, 40, 37}});
    CHECK(blocks[2] == box{{2, 0, 0}, {1, 40, 37}});
    auto by_y = split_blocks({1, 40, 37}, {1, 16, 16}, 2);  // z has one row: split y (rows 0, 16, 24)
    CHECK(by_y[0] == box{{0, 0, 0}, {1, 16, 37}});
    CHECK(by_y[1] == box{{0, 16, 0}, {1, 24, 37}});
    CHECK_THROWS_AS(split_blocks({1, 8, 8}, {1, 8, 8}, 2), input_error);
}

TEST_CASE("different forward_outsz tilings and N blocks + merge give the same output as one pass")
{
    temp_job job("tiling");
    setup(job);
    config whole = job.load("job.cfg", {"forward_outsz=3,40,37"});
    run_forward(whole, {});
    maps<float> reference = read_output(forward_output_path(whole, 1));
    REQUIRE(reference.size() == 2);
    REQUIRE(reference[0].shape() == vec3(3, 40, 37));
    // softmax output: the two channels sum to 1
    CHECK(reference[0][100] + reference[1][100] == Approx(1.0f));

    for (vec3 tile : {vec3{1, 16, 16}, vec3{2, 7, 30}, vec3{1, 40, 5}}) {
        config tiled = job.load("job.cfg", {"forward_outsz=" + tile.str(), "output_prefix=" + job.path("out/tiled")});
        run_forward(tiled, {});
        INFO("tile " << tile.dims());
        CHECK(max_relative_difference(read_output(forward_output_path(tiled, 1)), reference) < 1e-5);
    }

    config blocked = job.load("job.cfg", {"forward_outsz=1,16,16", "output_prefix=" + job.path("out/blocked")});
    for (int k = 0; k < 3; ++k) {
        forward_options opt;
        opt.block = k;
        opt.blocks = 3;
        forward_result r = run_forward(blocked, opt);
        CHECK(r.written.size() == 1);
    }
    // A re-run skips the blocks that are complete.
    forward_options again;
    again.block = 1;
    again.blocks = 3;
    CHECK(run_forward(blocked, again).skipped.size() == 1);
    merge_blocks(blocked, 3, nullptr);
    CHECK(max_relative_difference(read_output(forward_output_path(blocked, 1)), reference) < 1e-5);
}

TEST_CASE("without mirroring the output is input - fov + 1")
{
    temp_job job("nomirror");
    setup(job);
    config cfg = job.load("job.cfg", {"is_bd_mirror=no", "forward_outsz=1,16,16"});
    run_forward(cfg, {});
    CHECK(read_output(forward_output_path(cfg, 1))[0].shape() == vec3(3, 33, 30));
}

TEST_CASE("merge names the missing blocks")
{
    temp_job job("missing");
    setup(job);
    config cfg = job.load("job.cfg", {"forward_outsz=1,16,16"});
    forward_options opt;
    opt.block = 0;
    opt.blocks = 3;
    run_forward(cfg, opt);
    CHECK_THROWS_WITH(merge_blocks(cfg, 3, nullptr),
                      Catch::Contains("blocks 1 2 of 3 are missing"));
    CHECK_FALSE(std::filesystem::exists(forward_output_path(cfg, 1)));
}

TEST_CASE("bad jobs end in a clear error and write nothing")
{
    temp_job job("bad");
    setup(job, {1, 6, 6});
    SECTION("a volume smaller than the field of view without mirroring")
    {
        config cfg = job.load("job.cfg", {"is_bd_mirror=no"});
        CHECK_THROWS_WITH(run_forward(cfg, {}), Catch::Contains("is smaller than the field of view 1x8x8"));
    }
    SECTION("a missing h5 dataset")
    {
        job.write("data.spec", "[image1]\nfnames = image1.h5:/nothing\n\n[sample1]\ninput = 1\n");
        write_image(job.path("image1.h5"), volume<float>({1, 6, 6}, 1.0f));
        CHECK_THROWS_AS(run_forward(job.load("job.cfg"), {}), input_error);
    }
    SECTION("a network file that does not match the .znn")
    {
        std::string other = tiny_boundary_net;
        other.replace(other.find("size 8"), 6, "size 7");
        job.write("net.znn", other);
        CHECK_THROWS_WITH(run_forward(job.load("job.cfg"), {}), Catch::Contains("does not match the network"));
    }
    CHECK_FALSE(std::filesystem::exists(job.path("out/run_sample1_output.h5")));
    for (const auto& f : std::filesystem::directory_iterator(job.path("out")))
        FAIL("left behind: " << f.path().string());
}
