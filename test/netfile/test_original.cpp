// Files written by the original ZNN: the shipped srini2d network, fixed-length strings, the older
// layout with the layer groups at the root, and the .znn rebuilt from the groups.
#include "znn/error.hpp"
#include "znn/net_file.hpp"
#include "znn/net_spec.hpp"

#include "netfile_test_util.hpp"

#include <cmath>

using namespace netfile_test;

namespace {

const std::vector<std::string> conv_names{"conv1", "conv2", "conv3", "conv4", "conv5", "conv6"};
const std::vector<std::string> transfer_names{"nl1", "nl2", "nl3", "nl4", "nl5", "output"};

std::size_t position(const std::string& text, const std::string& line)
{
    const std::size_t at = text.find(line + "\n");
    INFO("looking for '" << line << "' in\n" << text);
    REQUIRE(at != std::string::npos);
    return at;
}

}  // namespace

TEST_CASE("the original's srini2d network loads", "[netfile]")
{
    const znn::net_file net = znn::load_net_file(srini2d_path());
    CHECK_FALSE(net.float64);
    CHECK(net.layers.size() == 13);
    CHECK(net.znn_text.empty());
    CHECK(net.iteration == 0);  // no attribute, no curve
    CHECK(net.curve.train_it.empty());
    CHECK(net.curve.test_it.empty());

    for (const std::string& name : conv_names) {
        INFO(name);
        const znn::layer_record* conv = net.find(name);
        REQUIRE(conv != nullptr);
        CHECK(conv->is_edge);
        CHECK(conv->size == znn::vec3{1, 7, 7});
        CHECK(conv->stride == znn::vec3{1, 1, 1});
        REQUIRE(conv->find_string("type") != nullptr);
        CHECK(*conv->find_string("type") == "conv");
        CHECK(conv->find_string("name") == nullptr);  // bookkeeping, not a .znn key
        CHECK(conv->find_string("group_type") == nullptr);
        CHECK(conv->n_in == (name == "conv1" ? 1 : 10));
        CHECK(conv->n_out == (name == "conv6" ? 2 : 10));
        CHECK(conv->filters.size() == static_cast<std::size_t>(conv->n_in * conv->n_out * 49));
        CHECK(conv->filter_momentum.size() == conv->filters.size());
    }
    CHECK(*net.find("conv1")->find_string("input") == "input");
    CHECK(*net.find("conv1")->find_string("output") == "nl1");
    CHECK(*net.find("conv1")->find_string("init") == "uniform");
    CHECK(*net.find("conv1")->find_string("fft") == "1");
    CHECK(*net.find("conv6")->find_string("input") == "nl5");
    CHECK(*net.find("conv6")->find_string("output") == "output");

    for (const std::string& name : transfer_names) {
        INFO(name);
        const znn::layer_record* node = net.find(name);
        REQUIRE(node != nullptr);
        CHECK_FALSE(node->is_edge);
        const std::int64_t maps = name == "output" ? 2 : 10;
        CHECK(node->size.x == maps);
        CHECK(node->biases.size() == static_cast<std::size_t>(maps));
        CHECK(node->bias_momentum.size() == static_cast<std::size_t>(maps));
        CHECK(*node->find_string("type") == "transfer");
        CHECK(*node->find_string("function") == (name == "output" ? "linear" : "rectify_linear"));
    }
    const znn::layer_record* input = net.find("input");
    REQUIRE(input != nullptr);
    CHECK_FALSE(input->is_edge);
    CHECK(input->size.x == 1);
    CHECK(*input->find_string("type") == "input");
    CHECK(input->biases.empty());

    // Values printed by `h5dump -m %.9g` (this file diverged: conv1-3 and nl1-3 are NaN, so finite layers).
    const std::vector<double>& output_biases = net.find("output")->biases;
    CHECK(output_biases[0] == Approx(0.00391183188).epsilon(1e-7));
    CHECK(output_biases[1] == Approx(-0.0039162836).epsilon(1e-7));
    CHECK(net.find("nl5")->biases[0] == Approx(-0.0107296472).epsilon(1e-7));
    CHECK(net.find("nl5")->biases[1] == Approx(-0.00608231034).epsilon(1e-7));
    CHECK(std::isnan(net.find("nl1")->biases[0]));
    // conv6 filters[9,1,0,6,0] = -2.35366269e-08 and filters[9,1,0,0,6] = 1.16309855e-06 in the file:
    // the first in-filter axis runs fastest, so [.., 0, 6, 0] is W[kz 0, ky 0, kx 6] and [.., 0, 0, 6] is
    // W[kz 0, ky 6, kx 0]; znn order puts them at kx = 6 and at ky*7 = 42 of filter (9, 1).
    const std::vector<double>& conv6 = net.find("conv6")->filters;
    const std::size_t filter_9_1 = (9 * 2 + 1) * 49;
    CHECK(conv6[filter_9_1 + 6] == Approx(-2.35366269e-08).epsilon(1e-7));
    CHECK(conv6[filter_9_1 + 42] == Approx(1.16309855e-06).epsilon(1e-7));
}

TEST_CASE("the original's filters convert to znn order tap by tap", "[netfile]")
{
    const znn::net_file net = znn::load_net_file(srini2d_path());
    h5_file file(srini2d_path());
    for (const std::string& name : {std::string("conv4"), std::string("conv6")}) {
        INFO(name);
        const znn::layer_record& conv = *net.find(name);
        const std::vector<double> raw = file.doubles(network_prefix + name + "/filters");
        const std::int64_t s0 = 1, s1 = 7, s2 = 7;
        REQUIRE(raw.size() == conv.filters.size());
        std::size_t mismatches = 0;
        for (std::int64_t f = 0; f < conv.n_in * conv.n_out; ++f)
            for (std::int64_t kz = 0; kz < s0; ++kz)
                for (std::int64_t ky = 0; ky < s1; ++ky)
                    for (std::int64_t kx = 0; kx < s2; ++kx) {
                        // The manual: W[kz,ky,kx] = block.reshape(s2,s1,s0)[kx,ky,kz].
                        const double want = raw[static_cast<std::size_t>(f * 49 + (kx * s1 + ky) * s0 + kz)];
                        const double got = conv.filters[static_cast<std::size_t>(f * 49 + (kz * s1 + ky) * s2 + kx)];
                        const bool same = (std::isnan(want) && std::isnan(got)) || want == got;
                        mismatches += same ? 0 : 1;
                    }
        CHECK(mismatches == 0);
    }
}

TEST_CASE("the .znn rebuilt from the original's groups reads well and parses", "[netfile]")
{
    const znn::net_file net = znn::load_net_file(srini2d_path());
    const std::string text = znn::network_text(net);
    INFO(text);

    // Breadth-first from the input: input, conv1, nl1, conv2, ..., nl5, conv6, output.
    std::vector<std::string> headers{"nodes input"};
    for (int k = 1; k <= 5; ++k) {
        headers.push_back("edges conv" + std::to_string(k));
        headers.push_back("nodes nl" + std::to_string(k));
    }
    headers.push_back("edges conv6");
    headers.push_back("nodes output");
    std::size_t previous = 0;
    for (const std::string& header : headers) {
        const std::size_t at = position(text, header);
        CHECK(at >= previous);
        previous = at;
    }
    CHECK(text.rfind("nodes input\ntype input\nsize 1\n", 0) == 0);
    CHECK(text.find("edges conv1\ntype conv\ninput input\noutput nl1\nsize 1,7,7\nstride 1,1,1\ninit uniform\n") !=
          std::string::npos);
    CHECK(text.find("nodes nl1\ntype transfer\nsize 10\nfunction rectify_linear\n") != std::string::npos);
    CHECK(text.find("nodes output\ntype transfer\nsize 2\nfunction linear\n") != std::string::npos);
    CHECK(text.find("group_type") == std::string::npos);
    CHECK(text.find("\nname ") == std::string::npos);

    const znn::net_spec spec = znn::parse_net_spec_text(text, "srini2d.znn");
    REQUIRE(spec.nodes.size() == 7);
    REQUIRE(spec.edges.size() == 6);
    for (const std::string& name : conv_names) {
        INFO(name);
        const znn::edge_spec* edge = spec.find_edge(name);
        REQUIRE(edge != nullptr);
        CHECK(edge->type == "conv");
        CHECK(edge->size == znn::vec3{1, 7, 7});
        CHECK(edge->init == "uniform");
    }
    CHECK(spec.find_edge("conv3")->input == "nl2");
    CHECK(spec.find_edge("conv3")->output == "nl3");
    for (const std::string& name : transfer_names) {
        INFO(name);
        const znn::node_spec* node = spec.find_node(name);
        REQUIRE(node != nullptr);
        CHECK(node->type == "transfer");
        CHECK(node->size == (name == "output" ? 2 : 10));
        CHECK(node->function == (name == "output" ? "linear" : "rectify_linear"));
    }
    REQUIRE(spec.find_node("input") != nullptr);
    CHECK(spec.find_node("input")->type == "input");
}

namespace {

// Writers for hand-made files in the shapes other tools produce.
void put_fixed_string(hid_t group, const char* name, const std::string& value, std::size_t size, H5T_str_t pad)
{
    const hid_t type = H5Tcopy(H5T_C_S1);
    H5Tset_size(type, size);
    H5Tset_strpad(type, pad);
    const hid_t space = H5Screate(H5S_SCALAR);
    const hid_t dataset = H5Dcreate2(group, name, type, space, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
    REQUIRE(dataset >= 0);
    std::string buffer = value;
    buffer.resize(size, pad == H5T_STR_SPACEPAD ? ' ' : '\0');
    REQUIRE(H5Dwrite(dataset, type, H5S_ALL, H5S_ALL, H5P_DEFAULT, buffer.data()) >= 0);
    H5Dclose(dataset);
    H5Sclose(space);
    H5Tclose(type);
}

void put_int32s(hid_t group, const char* name, const std::vector<int>& values)
{
    const hsize_t n = values.size();
    const hid_t space = H5Screate_simple(1, &n, nullptr);
    const hid_t dataset = H5Dcreate2(group, name, H5T_STD_I32LE, space, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
    REQUIRE(dataset >= 0);
    REQUIRE(H5Dwrite(dataset, H5T_NATIVE_INT, H5S_ALL, H5S_ALL, H5P_DEFAULT, values.data()) >= 0);
    H5Dclose(dataset);
    H5Sclose(space);
}

void put_doubles(hid_t group, const char* name, const std::vector<hsize_t>& dims, const std::vector<double>& values)
{
    const hid_t space = H5Screate_simple(static_cast<int>(dims.size()), dims.data(), nullptr);
    const hid_t dataset = H5Dcreate2(group, name, H5T_IEEE_F64LE, space, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
    REQUIRE(dataset >= 0);
    REQUIRE(H5Dwrite(dataset, H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT, values.data()) >= 0);
    H5Dclose(dataset);
    H5Sclose(space);
}

// input -> conv (2x1 filter, 1x1x2) -> out, with fixed-length strings and int32 sizes, under `parent`.
void put_small_net(hid_t parent)
{
    const hid_t input = H5Gcreate2(parent, "input", H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
    put_fixed_string(input, "type", "input", 5, H5T_STR_NULLPAD);  // every byte used, no terminator
    put_fixed_string(input, "group_type", "node", 8, H5T_STR_NULLPAD);
    put_int32s(input, "size", {1});
    H5Gclose(input);

    const hid_t conv = H5Gcreate2(parent, "conv", H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
    put_fixed_string(conv, "type", "conv", 4, H5T_STR_NULLTERM);
    put_fixed_string(conv, "input", "input", 10, H5T_STR_NULLTERM);
    put_fixed_string(conv, "output", "out", 10, H5T_STR_SPACEPAD);
    put_fixed_string(conv, "group_type", "edge", 4, H5T_STR_NULLPAD);
    put_int32s(conv, "size", {1, 1, 2});
    put_doubles(conv, "filters", {1, 1, 1, 1, 2}, {0.25, -0.75});
    H5Gclose(conv);

    const hid_t out = H5Gcreate2(parent, "out", H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
    put_fixed_string(out, "type", "transfer", 8, H5T_STR_NULLPAD);
    put_fixed_string(out, "function", "linear", 12, H5T_STR_SPACEPAD);
    put_fixed_string(out, "group_type", "node", 4, H5T_STR_NULLPAD);
    put_doubles(out, "biases", {1}, {1.5});
    H5Gclose(out);
}

void check_small_net(const znn::net_file& net)
{
    REQUIRE(net.layers.size() == 3);
    CHECK(net.float64);
    CHECK(*net.find("input")->find_string("type") == "input");
    CHECK(net.find("input")->size.x == 1);
    const znn::layer_record* conv = net.find("conv");
    REQUIRE(conv != nullptr);
    CHECK(conv->is_edge);
    CHECK(*conv->find_string("type") == "conv");
    CHECK(*conv->find_string("input") == "input");
    CHECK(*conv->find_string("output") == "out");
    CHECK(conv->size == znn::vec3{1, 1, 2});
    CHECK(conv->filters == std::vector<double>{0.25, -0.75});
    CHECK(conv->filter_momentum == std::vector<double>{0.0, 0.0});  // none stored
    const znn::layer_record* out = net.find("out");
    CHECK(*out->find_string("function") == "linear");
    CHECK(out->size.x == 1);  // from the biases
    CHECK(out->biases == std::vector<double>{1.5});
}

}  // namespace

TEST_CASE("fixed-length strings and int32 sizes load", "[netfile]")
{
    scratch_folder folder;
    const std::string path = folder.file("fixed.h5");
    {
        const hid_t file = H5Fcreate(path.c_str(), H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT);
        REQUIRE(file >= 0);
        const hid_t lcpl = H5Pcreate(H5P_LINK_CREATE);
        H5Pset_create_intermediate_group(lcpl, 1);
        const hid_t network = H5Gcreate2(file, "/processing/znn/train/network", lcpl, H5P_DEFAULT, H5P_DEFAULT);
        put_small_net(network);
        H5Gclose(network);
        H5Pclose(lcpl);
        H5Fclose(file);
    }
    check_small_net(znn::load_net_file(path));
}

TEST_CASE("the original's older layout (layer groups at the root) loads", "[netfile]")
{
    scratch_folder folder;
    const std::string path = folder.file("root.h5");
    {
        const hid_t file = H5Fcreate(path.c_str(), H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT);
        REQUIRE(file >= 0);
        put_small_net(file);
        const hid_t other = H5Gcreate2(file, "train", H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);  // no group_type
        H5Gclose(other);
        H5Fclose(file);
    }
    check_small_net(znn::load_net_file(path));
}

namespace {

std::vector<std::string> children(hid_t file, const std::string& group_path)
{
    const hid_t group = H5Gopen2(file, group_path.c_str(), H5P_DEFAULT);
    REQUIRE(group >= 0);
    H5G_info_t info{};
    H5Gget_info(group, &info);
    std::vector<std::string> names;
    for (hsize_t i = 0; i < info.nlinks; ++i) {
        char name[256] = {};
        H5Lget_name_by_idx(group, ".", H5_INDEX_NAME, H5_ITER_INC, i, name, sizeof name, H5P_DEFAULT);
        names.emplace_back(name);
    }
    H5Gclose(group);
    return names;
}

bool is_string(const h5_file& file, const std::string& dataset)
{
    const hid_t d = H5Dopen2(file.id(), dataset.c_str(), H5P_DEFAULT);
    const hid_t type = H5Dget_type(d);
    const bool text = H5Tget_class(type) == H5T_STRING;
    H5Tclose(type);
    H5Dclose(d);
    return text;
}

}  // namespace

TEST_CASE("loading the original's file and saving it again reproduces its network groups", "[netfile]")
{
    scratch_folder folder;
    const std::string path = folder.file("resaved.h5");
    znn::save_net_file(path, znn::load_net_file(srini2d_path()));

    h5_file original(srini2d_path());
    h5_file resaved(path);
    const std::string network = "/processing/znn/train/network";
    REQUIRE(children(resaved.id(), network) == children(original.id(), network));
    std::size_t compared = 0;
    for (const std::string& layer : children(original.id(), network)) {
        const std::string group = network + "/" + layer;
        REQUIRE(children(resaved.id(), group) == children(original.id(), group));
        for (const std::string& name : children(original.id(), group)) {
            const std::string dataset = group + "/" + name;
            INFO(dataset);
            REQUIRE(is_string(resaved, dataset) == is_string(original, dataset));
            if (is_string(original, dataset)) {
                CHECK(resaved.vlen_string(dataset) == original.vlen_string(dataset));
            } else {
                CHECK(resaved.dims(dataset) == original.dims(dataset));
                const std::vector<double> want = original.doubles(dataset), got = resaved.doubles(dataset);
                REQUIRE(got.size() == want.size());
                std::size_t differ = 0;
                for (std::size_t k = 0; k < want.size(); ++k)
                    differ += (want[k] == got[k] || (std::isnan(want[k]) && std::isnan(got[k]))) ? 0 : 1;
                CHECK(differ == 0);
                const bool float_type = name == "filters" || name == "biases" || name == "momentum_vol";
                CHECK(resaved.has_type(dataset, float_type ? H5T_IEEE_F32LE : H5T_STD_I64LE));
            }
            ++compared;
        }
    }
    CHECK(compared == 148);  // `h5ls -r` lists 148 datasets in the 13 layer groups
}
