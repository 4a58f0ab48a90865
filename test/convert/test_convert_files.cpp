// `znn convert merge` block detection and network-file conversions.
#include "../common/temp_job.hpp"

#include "znn/convert.hpp"
#include "znn/error.hpp"
#include "znn/net_file.hpp"

#include <hdf5.h>

#include <catch2/catch.hpp>

#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <fstream>

using namespace znn;

namespace {

std::string source_root()
{
    const char* root = std::getenv("ZNN_SOURCE_ROOT");
    return root ? root : ".";
}

void touch(const std::string& path) { std::ofstream(path) << "x"; }

bool root_has_attribute(const std::string& file, const char* name)
{
    const hid_t f = H5Fopen(file.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT);
    REQUIRE(f >= 0);
    const bool has = H5Aexists(f, name) > 0;
    H5Fclose(f);
    return has;
}

// Equal, NaN equal to NaN (the original's test net holds NaN filters).
bool same_values(const std::vector<double>& a, const std::vector<double>& b)
{
    if (a.size() != b.size()) return false;
    for (std::size_t i = 0; i < a.size(); ++i)
        if (!(a[i] == b[i] || (std::isnan(a[i]) && std::isnan(b[i])))) return false;
    return true;
}

void check_same_layers(const net_file& a, const net_file& b)
{
    REQUIRE(a.layers.size() == b.layers.size());
    for (std::size_t i = 0; i < a.layers.size(); ++i) {
        INFO(a.layers[i].name);
        CHECK(a.layers[i].name == b.layers[i].name);
        CHECK(a.layers[i].is_edge == b.layers[i].is_edge);
        CHECK(a.layers[i].size == b.layers[i].size);
        CHECK(same_values(a.layers[i].filters, b.layers[i].filters));
        CHECK(same_values(a.layers[i].filter_momentum, b.layers[i].filter_momentum));
        CHECK(same_values(a.layers[i].biases, b.layers[i].biases));
        CHECK(a.layers[i].strings == b.layers[i].strings);
    }
    CHECK(a.float64 == b.float64);
    CHECK(same_values(a.curve.train_it, b.curve.train_it));
    CHECK(same_values(a.curve.train_err, b.curve.train_err));
    CHECK(same_values(a.curve.test_cls, b.curve.test_cls));
}

}  // namespace

TEST_CASE("merge finds the number of blocks from the block files", "[convert]")
{
    testing::temp_job dir("convert");
    config cfg;
    cfg.path = dir.path("job.cfg");
    cfg.output_prefix = dir.path("out/pred");
    cfg.forward_range = {1, 2};

    CHECK_THROWS_WITH(detect_block_count(cfg), Catch::StartsWith(cfg.path + ": no block files " + cfg.output_prefix +
                                                                 "_sample<S>_block<K>of<N>.h5 for forward_range 1,2"));
    std::filesystem::create_directories(dir.path("out"));
    REQUIRE(forward_block_path(cfg, 1, 0, 3) == dir.path("out/pred_sample1_block0of3.h5"));  // the names forward writes
    touch(dir.path("out/pred_sample1_block0of3.h5"));
    touch(dir.path("out/pred_sample1_block2of3.h5"));
    touch(dir.path("out/pred_sample2_block1of3.h5"));
    // Not ours: another prefix, a sample outside forward_range, a stray name.
    touch(dir.path("out/pred2_sample1_block0of5.h5"));
    touch(dir.path("out/pred_sample7_block0of4.h5"));
    touch(dir.path("out/pred_sample1_block0of3.h5.part-1234"));
    touch(dir.path("out/pred_sample1_output.h5"));
    CHECK(detect_block_count(cfg) == 3);

    touch(dir.path("out/pred_sample2_block0of2.h5"));
    CHECK_THROWS_WITH(detect_block_count(cfg), Catch::Contains("of different splits: of2 for sample(s) 2; of3 for sample(s) 1,2"));

    cfg.output_prefix.clear();
    CHECK_THROWS_AS(detect_block_count(cfg), input_error);
}

TEST_CASE("a network of the original ZNN to znn's layout and back", "[convert]")
{
    testing::temp_job dir("convert");
    const std::string original = source_root() + "/test/data/netfile/srini2d_net_current.h5";
    const net_file source = load_net_file(original);
    REQUIRE(source.znn_text.empty());

    convert_network(original, dir.path("znn.h5"), false);
    const net_file converted = load_net_file(dir.path("znn.h5"));
    CHECK(converted.znn_text == network_text(source));
    CHECK_FALSE(converted.version.empty());
    CHECK(root_has_attribute(dir.path("znn.h5"), "znn_text"));
    check_same_layers(source, converted);

    convert_network(dir.path("znn.h5"), dir.path("back.h5"), true);
    for (const char* attribute : {"znn_text", "cfg_text", "iteration", "random_state", "znn_version"})
        CHECK_FALSE(root_has_attribute(dir.path("back.h5"), attribute));
    const net_file back = load_net_file(dir.path("back.h5"));
    CHECK(back.znn_text.empty());
    CHECK(back.version.empty());
    check_same_layers(source, back);
    CHECK(network_text(back) == network_text(source));

    // Already in the target layout: a copy through the reader and writer.
    convert_network(dir.path("znn.h5"), dir.path("copy.h5"), false);
    check_same_layers(converted, load_net_file(dir.path("copy.h5")));
    CHECK(load_net_file(dir.path("copy.h5")).znn_text == converted.znn_text);

    for (const auto& entry : std::filesystem::directory_iterator(dir.path("")))
        CHECK(entry.path().filename().string().find(".part-") == std::string::npos);
}

TEST_CASE("network conversion errors name the file", "[convert]")
{
    testing::temp_job dir("convert");
    CHECK_THROWS_WITH(convert_network(dir.path("none.h5"), dir.path("o.h5"), false), dir.path("none.h5") + ": no such file");
    write_image(dir.path("stack.h5"), volume<float>({1, 2, 2}));
    CHECK_THROWS_AS(convert_network(dir.path("stack.h5"), dir.path("o.h5"), false), input_error);
    CHECK_FALSE(std::filesystem::exists(dir.path("o.h5")));
}
