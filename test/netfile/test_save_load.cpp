// save_net_file -> load_net_file round trips, and the file's layout checked with HDF5 directly.
#include "znn/net_file.hpp"

#include "netfile_test_util.hpp"
#include "sample_net.hpp"

#include <algorithm>
#include <map>

using namespace netfile_test;

namespace {

std::map<std::string, std::string> as_map(const std::vector<std::pair<std::string, std::string>>& pairs)
{
    return {pairs.begin(), pairs.end()};
}

// What a value becomes after a trip through the file's dtype.
double stored(double value, bool float64) { return float64 ? value : static_cast<double>(static_cast<float>(value)); }

void check_same_layers(const znn::net_file& saved, const znn::net_file& loaded)
{
    REQUIRE(loaded.layers.size() == saved.layers.size());
    for (const znn::layer_record& want : saved.layers) {
        INFO("layer " << want.name);
        const znn::layer_record* got = loaded.find(want.name);
        REQUIRE(got != nullptr);
        CHECK(got->is_edge == want.is_edge);
        CHECK(as_map(got->strings) == as_map(want.strings));
        CHECK(got->size == want.size);
        if (want.is_edge) CHECK(got->stride == want.stride);
        CHECK(got->n_in == want.n_in);
        CHECK(got->n_out == want.n_out);
        REQUIRE(got->filters.size() == want.filters.size());
        for (std::size_t k = 0; k < want.filters.size(); ++k) {
            CHECK(got->filters[k] == stored(want.filters[k], saved.float64));
            CHECK(got->filter_momentum[k] == stored(want.filter_momentum[k], saved.float64));
        }
        REQUIRE(got->biases.size() == want.biases.size());
        REQUIRE(got->bias_momentum.size() == want.biases.size());
        for (std::size_t k = 0; k < want.biases.size(); ++k) {
            CHECK(got->biases[k] == stored(want.biases[k], saved.float64));
            const double momentum = want.bias_momentum.empty() ? 0.0 : want.bias_momentum[k];
            CHECK(got->bias_momentum[k] == stored(momentum, saved.float64));
        }
    }
}

}  // namespace

TEST_CASE("a network round-trips through its file, float32 and float64", "[netfile]")
{
    for (const bool float64 : {false, true}) {
        INFO("float64 " << float64);
        scratch_folder folder;
        const std::string path = folder.file("net.h5");
        const znn::net_file net = sample_net(float64);
        znn::save_net_file(path, net);

        const znn::net_file loaded = znn::load_net_file(path);
        CHECK(loaded.float64 == float64);
        check_same_layers(net, loaded);
        CHECK(loaded.znn_text == net.znn_text);
        CHECK(loaded.cfg_text == net.cfg_text);
        CHECK(loaded.iteration == 1234);
        CHECK(loaded.random_state == net.random_state);
        CHECK(loaded.version == net.version);
        CHECK(loaded.curve.train_it.empty());
        CHECK(loaded.curve.test_it.empty());
        CHECK(network_text(loaded) == net.znn_text);

        // 0.1 is not a float: float32 files keep the float nearest to it, float64 files keep it exactly.
        const double bias = loaded.find("nl1")->biases[2];
        if (float64)
            CHECK(bias == 0.1);
        else
            CHECK(bias == static_cast<double>(0.1f));

        h5_file file(path);
        const hid_t real = float64 ? H5T_IEEE_F64LE : H5T_IEEE_F32LE;
        CHECK(file.has_type(network_prefix + "conv1/filters", real));
        CHECK(file.has_type(network_prefix + "conv1/momentum_vol", real));
        CHECK(file.has_type(network_prefix + "nl1/biases", real));
        CHECK(file.has_type(network_prefix + "nl1/momentum_vol", real));
        CHECK(file.has_type(network_prefix + "conv1/size", H5T_STD_I64LE));
        CHECK(file.has_type(network_prefix + "conv1/stride", H5T_STD_I64LE));
        CHECK(file.has_type(network_prefix + "nl1/size", H5T_STD_I64LE));
        // No statistics group for an empty learning curve.
        CHECK_FALSE(file.exists("/processing/znn/train/statistics"));
    }
}

TEST_CASE("the file holds each filter with its first axis fastest, as the manual's formula says", "[netfile]")
{
    scratch_folder folder;
    const std::string path = folder.file("net.h5");
    znn::save_net_file(path, sample_net(false));

    h5_file file(path);
    const std::int64_t n_in = 2, n_out = 3, s0 = 2, s1 = 3, s2 = 4;  // conv1: size 2,3,4 (z,y,x)
    CHECK(file.dims(network_prefix + "conv1/filters") == std::vector<hsize_t>{2, 3, 2, 3, 4});
    CHECK(file.dims(network_prefix + "conv1/momentum_vol") == std::vector<hsize_t>{2, 3, 2, 3, 4});
    CHECK(file.int64s(network_prefix + "conv1/size") == std::vector<long long>{2, 3, 4});
    CHECK(file.int64s(network_prefix + "conv1/stride") == std::vector<long long>{1, 1, 1});
    const std::vector<double> filters = file.doubles(network_prefix + "conv1/filters");
    const std::vector<double> momentum = file.doubles(network_prefix + "conv1/momentum_vol");
    REQUIRE(filters.size() == static_cast<std::size_t>(n_in * n_out * s0 * s1 * s2));

    // W[kz,ky,kx] = filters[i,j].reshape(s2,s1,s0).transpose(2,1,0): element [a,b,c] of the reshaped
    // block (C order: a*s1*s0 + b*s0 + c) is W[c,b,a].
    for (std::int64_t i = 0; i < n_in; ++i)
        for (std::int64_t j = 0; j < n_out; ++j) {
            const std::size_t block = static_cast<std::size_t>((i * n_out + j) * s0 * s1 * s2);
            for (std::int64_t a = 0; a < s2; ++a)
                for (std::int64_t b = 0; b < s1; ++b)
                    for (std::int64_t c = 0; c < s0; ++c) {
                        const std::size_t at = block + static_cast<std::size_t>(a * s1 * s0 + b * s0 + c);
                        INFO("i " << i << " j " << j << " kz " << c << " ky " << b << " kx " << a);
                        CHECK(filters[at] == tap_code(i, j, c, b, a));
                        CHECK(momentum[at] == -tap_code(i, j, c, b, a) - 0.5);
                    }
        }
}

TEST_CASE("strings and sizes are stored the way the original stored them", "[netfile]")
{
    scratch_folder folder;
    const std::string path = folder.file("net.h5");
    znn::save_net_file(path, sample_net(false));

    h5_file file(path);
    CHECK(file.vlen_string(network_prefix + "conv1/type") == "conv");
    CHECK(file.vlen_string(network_prefix + "conv1/input") == "input");
    CHECK(file.vlen_string(network_prefix + "conv1/output") == "nl1");
    CHECK(file.vlen_string(network_prefix + "conv1/name") == "conv1");
    CHECK(file.vlen_string(network_prefix + "conv1/group_type") == "edge");
    CHECK(file.vlen_string(network_prefix + "nl1/group_type") == "node");
    CHECK(file.vlen_string(network_prefix + "nl1/function") == "tanh");
    CHECK(file.vlen_string(network_prefix + "input/name") == "input");
    CHECK(file.int64s(network_prefix + "nl1/size") == std::vector<long long>{3});
    CHECK(file.dims(network_prefix + "nl1/size") == std::vector<hsize_t>{1});
    CHECK(file.int64s(network_prefix + "input/size") == std::vector<long long>{2});
    CHECK(file.doubles(network_prefix + "output/biases") == std::vector<double>{2.0, -3.0});
    CHECK(file.doubles(network_prefix + "output/momentum_vol") == std::vector<double>{0.0, 0.0});
    // Input nodes have no parameters; edges no stride-less size.
    CHECK_FALSE(file.exists(network_prefix + "input/biases"));
    CHECK_FALSE(file.exists(network_prefix + "input/stride"));
}

TEST_CASE("the learning curve and the iteration round-trip", "[netfile]")
{
    scratch_folder folder;
    const std::string path = folder.file("net.h5");
    znn::net_file net = sample_net(false);
    net.curve.train_it = {100, 200, 300};
    net.curve.train_err = {0.9, 0.7, 0.6};
    net.curve.train_cls = {0.3, 0.25, 0.2};
    net.curve.test_it = {200};
    net.curve.test_err = {0.75};
    net.curve.test_cls = {0.26};
    net.curve.elapsed = {1.5, 3.25, 4.75};
    net.iteration = 300;
    znn::save_net_file(path, net);

    const znn::net_file loaded = znn::load_net_file(path);
    CHECK(loaded.curve.train_it == net.curve.train_it);
    CHECK(loaded.curve.train_err == net.curve.train_err);
    CHECK(loaded.curve.train_cls == net.curve.train_cls);
    CHECK(loaded.curve.test_it == net.curve.test_it);
    CHECK(loaded.curve.test_err == net.curve.test_err);
    CHECK(loaded.curve.test_cls == net.curve.test_cls);
    CHECK(loaded.curve.elapsed == net.curve.elapsed);
    CHECK(loaded.iteration == 300);

    {
        // Where the original's readers look: float64 1-D datasets.
        h5_file file(path);
        CHECK(file.has_type(statistics_prefix + "train/it", H5T_IEEE_F64LE));
        CHECK(file.doubles(statistics_prefix + "train/it") == std::vector<double>{100, 200, 300});
        CHECK(file.doubles(statistics_prefix + "train/err") == std::vector<double>{0.9, 0.7, 0.6});
        CHECK(file.doubles(statistics_prefix + "test/cls") == std::vector<double>{0.26});
        CHECK(file.doubles(statistics_prefix + "elapsed") == std::vector<double>{1.5, 3.25, 4.75});
        CHECK_FALSE(file.exists(statistics_prefix + "train/elapsed"));
    }
    {
        // Without the iteration attribute (as the original wrote), the last train iteration counts.
        h5_file file(path, true);
        REQUIRE(H5Adelete(file.id(), "iteration") >= 0);
    }
    CHECK(znn::load_net_file(path).iteration == 300);

    // Only a train curve: the test datasets exist (empty), for the original's readers.
    net.curve.test_it.clear();
    net.curve.test_err.clear();
    net.curve.test_cls.clear();
    net.curve.elapsed.clear();
    znn::save_net_file(path, net);
    {
        h5_file file(path);
        CHECK(file.exists(statistics_prefix + "test/it"));
        CHECK(file.dims(statistics_prefix + "test/it") == std::vector<hsize_t>{0});
        CHECK_FALSE(file.exists(statistics_prefix + "elapsed"));
    }
    const znn::net_file again = znn::load_net_file(path);
    CHECK(again.curve.train_it == net.curve.train_it);
    CHECK(again.curve.test_it.empty());
    CHECK(again.curve.elapsed.empty());
}

TEST_CASE("an empty version is stamped with this build's version", "[netfile]")
{
    scratch_folder folder;
    const std::string path = folder.file("net.h5");
    znn::net_file net = sample_net(false);
    net.version.clear();
    znn::save_net_file(path, net);
    CHECK(znn::load_net_file(path).version == ZNN_VERSION);
}

TEST_CASE("layers without momentum are written with zero momentum", "[netfile]")
{
    scratch_folder folder;
    const std::string path = folder.file("net.h5");
    znn::net_file net = sample_net(true);
    for (znn::layer_record& layer : net.layers) {
        layer.filter_momentum.clear();
        layer.bias_momentum.clear();
    }
    znn::save_net_file(path, net);
    const znn::net_file loaded = znn::load_net_file(path);
    const znn::layer_record* conv1 = loaded.find("conv1");
    REQUIRE(conv1 != nullptr);
    CHECK(conv1->filter_momentum == std::vector<double>(conv1->filters.size(), 0.0));
    CHECK(loaded.find("nl1")->bias_momentum == std::vector<double>(3, 0.0));
}
