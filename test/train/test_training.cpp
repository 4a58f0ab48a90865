// `znn train` end to end on small synthetic EM data: it learns, it saves, it resumes.
#include "../common/temp_job.hpp"

#include "znn/net_file.hpp"
#include "znn/net_graph.hpp"
#include "znn/net_params.hpp"
#include "znn/net_spec.hpp"
#include "znn/network.hpp"
#include "znn/train.hpp"
#include "znn/training_data.hpp"

#include <catch2/catch.hpp>

#include <atomic>
#include <chrono>
#include <filesystem>
#include <regex>
#include <sstream>
#include <thread>

using namespace znn;
using namespace znn::testing;

namespace {

std::string job_cfg(int max_iter, int save_every, const std::string& extra = "")
{
    return "[parameters]\nfnet_spec = net.znn\nfdata_spec = data.spec\nnum_threads = 2\ntrain_outsz = 1,16,16\n"
           "eta = 0.05\nmomentum = 0.9\ntrain_net = nets\ntrain_range = 1\ntest_range = 2\n"
           "train_conv_mode = direct\nis_bd_mirror = yes\nrebalance_mode = global\nNum_iter_per_show = 50\n"
           "Num_iter_per_test = " + std::to_string(max_iter) + "\ntest_num = 20\nNum_iter_per_save = " +
           std::to_string(save_every) + "\nMax_iter = " + std::to_string(max_iter) + "\n" + extra;
}

void setup(temp_job& job)
{
    job.make_em(1, {6, 64, 64}, 1);
    job.make_em(2, {2, 64, 64}, 2);
    job.write_spec(2);
    job.write("net.znn", tiny_boundary_net);
}

}  // namespace

TEST_CASE("training on synthetic EM data gets the pixel error well below chance")
{
    temp_job job("learn");
    setup(job);
    job.write("job.cfg", job_cfg(300, 300));
    config cfg = job.load("job.cfg");
    std::ostringstream log;
    train_options opt;
    opt.progress = &log;
    train_result r = train(cfg, opt);
    REQUIRE(r.iteration == 300);
    net_file net = load_net_file(network_file_path(cfg, -1));
    REQUIRE(net.curve.train_cls.size() == 6);
    REQUIRE(net.curve.test_cls.size() == 1);
    INFO(log.str());
    // Membrane is ~25% of the voxels: always answering "inside" would err ~0.25 and a coin 0.5.
    // The first 50 iterations average about 0.3; a trained net gets below 0.12 (measured ~0.06-0.08).
    CHECK(net.curve.train_cls.back() < net.curve.train_cls.front());
    CHECK(net.curve.test_cls.back() < 0.12);
    CHECK(net.iteration == 300);
    CHECK(std::filesystem::exists(network_file_path(cfg, 300)));
    // The progress line of man/znn-train.1: iteration, cost, error, speed, learning rate, times.
    const std::regex line(R"(iter 300/300  cost [0-9.e+-]+  err [0-9.e+-]+  [0-9.]+[kMG]? vox/s  lr [0-9.e+-]+  )"
                          R"(elapsed [0-9.]+[smh][0-9sm]*  ETA [0-9.]+[smh][0-9sm]*\n)");
    CHECK(std::regex_search(log.str(), line));
}

TEST_CASE("save -> load gives identical outputs")
{
    temp_job job("saveload");
    setup(job);
    job.write("job.cfg", job_cfg(20, 20));
    config cfg = job.load("job.cfg");
    train(cfg, train_options{});

    net_graph graph(load_net_spec(cfg.fnet_spec));
    net_file file = load_net_file(network_file_path(cfg, -1));
    engine_options eo;
    eo.conv_mode = "direct";
    network<float> a(graph, {1, 8, 8}, eo, 1), b(graph, {1, 8, 8}, eo, 2);
    load_parameters(a, file, false);
    // b gets a's parameters through a second save and load.
    net_file again = file;
    again.layers = network_layers(a);
    save_net_file(job.path("again.h5"), again);
    load_report r = load_parameters(b, load_net_file(job.path("again.h5")), false);
    CHECK(r.skipped.empty());
    std::mt19937_64 rng(3);
    std::vector<maps<float>> in = {{volume<float>(a.input_size())}};
    for (auto& x : in[0][0]) x = static_cast<float>(std::uniform_real_distribution<double>(-1, 1)(rng));
    a.forward(in);
    b.forward(in);
    for (int c = 0; c < 2; ++c)
        for (std::size_t v = 0; v < a.output()[c].size(); ++v) REQUIRE(a.output()[c][v] == b.output()[c][v]);
}

TEST_CASE("a stopped run saves its network and a re-run resumes at that iteration")
{
    temp_job job("resume");
    setup(job);
    job.write("job.cfg", job_cfg(100000, 1000000));
    config cfg = job.load("job.cfg");

    std::atomic<bool> stop{false};
    train_options opt;
    opt.stop = &stop;
    train_result first;
    std::thread runner([&] { first = train(cfg, opt); });
    std::this_thread::sleep_for(std::chrono::milliseconds(700));
    stop = true;  // what SIGINT/SIGTERM do
    runner.join();
    REQUIRE(first.interrupted);
    REQUIRE(first.iteration > 0);
    net_file saved = load_net_file(network_file_path(cfg, -1));
    CHECK(saved.iteration == first.iteration);

    config more = job.load("job.cfg", {"Max_iter=" + std::to_string(first.iteration + 7)});
    std::ostringstream log;
    train_options opt2;
    opt2.progress = &log;
    train_result second = train(more, opt2);
    CHECK(second.iteration == first.iteration + 7);
    CHECK(log.str().find("resuming from") != std::string::npos);
    CHECK(load_net_file(network_file_path(cfg, -1)).iteration == first.iteration + 7);
}

TEST_CASE("seeding copies the layers whose name and shape match and reports the others")
{
    temp_job job("seed");
    setup(job);
    job.write("job.cfg", job_cfg(10, 10));
    config cfg = job.load("job.cfg");
    train(cfg, train_options{});

    // A wider second layer: conv2 and conv3 no longer match, conv1 does.
    std::string wider = tiny_boundary_net;
    wider.replace(wider.find("size 8"), 6, "size 5");
    job.write("wider.znn", wider);
    config cfg2 = job.load("job.cfg", {"fnet_spec=" + job.path("wider.znn"), "train_net=" + job.path("nets2"),
                                       "Max_iter=11"});
    std::ostringstream log;
    train_options opt;
    opt.progress = &log;
    opt.seed_path = network_file_path(cfg, -1);
    train(cfg2, opt);
    CHECK(log.str().find("seeding from") != std::string::npos);
    CHECK(log.str().find("conv2: the file has 6->8 maps of 1x3x3, the network 6->5 of 1x3x3") != std::string::npos);
}

TEST_CASE("patches: input and target line up, and mirrored borders reach every label voxel")
{
    temp_job job("patch");
    job.make_em(1, {2, 40, 40}, 5);
    job.write_spec(1, "one_class");
    job.write("net.znn", tiny_boundary_net);
    std::string net1 = tiny_boundary_net;
    net1.replace(net1.find("size 2\n", net1.find("nodes output")), 7, "size 1\n");
    job.write("net.znn", net1);
    data_spec spec = load_data_spec(job.path("data.spec"));
    net_graph graph(load_net_spec(job.path("net.znn")));
    const vec3 outsz{1, 4, 4};
    data_options with;
    with.mirror = true;
    patch_sampler<double> mirrored(graph, outsz, load_samples<double>(spec, graph, {1}, outsz, with), with);
    CHECK(mirrored.first_position(0) == vec3(0, 0, 0));
    CHECK(mirrored.last_position(0) == vec3(1, 36, 36));
    data_options without;
    patch_sampler<double> plain(graph, outsz, load_samples<double>(spec, graph, {1}, outsz, without), without);
    CHECK(plain.first_position(0) == vec3(0, 3, 3));  // (fov - 1) / 2 with fov 8
    CHECK(plain.last_position(0) == vec3(1, 32, 32)); // 40 - 4 - fov / 2

    // The same label voxel through both: the input window's centre pixel is the image voxel of the label.
    auto a = mirrored.at(0, {1, 10, 12}, {});
    auto b = plain.at(0, {1, 10, 12}, {});
    CHECK(a.targets[0][0](0, 0, 0) == b.targets[0][0](0, 0, 0));
    CHECK(a.inputs[0][0](0, 3, 3) == b.inputs[0][0](0, 3, 3));
    CHECK(a.inputs[0][0].shape() == vec3(1, 11, 11));
    volume<std::uint64_t> seg = read_labels(job.path("label1.tif"));
    CHECK(a.targets[0][0](0, 1, 2) == (seg(1, 11, 14) > 0 ? 1.0 : 0.0));
}
