#include "spec_test_data.hpp"

#include "znn/config.hpp"
#include "znn/error.hpp"

#include <catch2/catch.hpp>

#include <filesystem>
#include <thread>

using namespace znn;
using ints = std::vector<int>;

namespace {

std::string error_of(const std::string& text, const std::vector<std::string>& overrides = {})
{
    try {
        parse_config_text(text, "/jobs/j.cfg", overrides);
    } catch (const input_error& e) {
        return e.what();
    }
    return "no error";
}

const std::string two_files = "[parameters]\nfnet_spec = net.znn\nfdata_spec = data.spec\n";

void check_same_settings(const config& a, const config& b)
{
    CHECK(a.fnet_spec == b.fnet_spec);
    CHECK(a.fdata_spec == b.fdata_spec);
    CHECK(a.num_threads == b.num_threads);
    CHECK(a.dtype == b.dtype);
    CHECK(a.out_type == b.out_type);
    CHECK(a.logging == b.logging);
    CHECK(a.train_outsz == b.train_outsz);
    CHECK(a.cost_fn == b.cost_fn);
    CHECK(a.eta == b.eta);
    CHECK(a.anneal_factor == b.anneal_factor);
    CHECK(a.num_iter_per_annealing == b.num_iter_per_annealing);
    CHECK(a.momentum == b.momentum);
    CHECK(a.weight_decay == b.weight_decay);
    CHECK(a.train_net == b.train_net);
    CHECK(a.train_net_prefix == b.train_net_prefix);
    CHECK(a.train_range == b.train_range);
    CHECK(a.test_range == b.test_range);
    CHECK(a.train_conv_mode == b.train_conv_mode);
    CHECK(a.forward_conv_mode == b.forward_conv_mode);
    CHECK(a.is_data_aug == b.is_data_aug);
    CHECK(a.is_bd_mirror == b.is_bd_mirror);
    CHECK(a.rebalance_mode == b.rebalance_mode);
    CHECK(a.is_malis == b.is_malis);
    CHECK(a.malis_norm_type == b.malis_norm_type);
    CHECK(a.num_iter_per_show == b.num_iter_per_show);
    CHECK(a.num_iter_per_test == b.num_iter_per_test);
    CHECK(a.test_num == b.test_num);
    CHECK(a.num_iter_per_save == b.num_iter_per_save);
    CHECK(a.max_iter == b.max_iter);
    CHECK(a.forward_range == b.forward_range);
    CHECK(a.forward_net == b.forward_net);
    CHECK(a.forward_outsz == b.forward_outsz);
    CHECK(a.output_prefix == b.output_prefix);
    CHECK(a.is_stdio == b.is_stdio);
    CHECK(a.is_debug == b.is_debug);
    CHECK(a.is_check == b.is_check);
}

}  // namespace

TEST_CASE("config: a cfg with only the two files gets the manual's defaults", "[spec][config]")
{
    const std::string path = test::spec_data("good/job/minimal.cfg");
    const config c = load_config(path);
    CHECK(c.path == path);
    CHECK(c.fnet_spec == test::spec_data("good/job/net.znn"));
    CHECK(c.fdata_spec == "/abs/sample.spec");
    // The defaults, as ../shared/znn-manual.md §4 lists them.
    CHECK(c.num_threads == 0);
    CHECK(c.dtype == "float32");
    CHECK(c.out_type == "boundary");
    CHECK(!c.logging);
    CHECK(c.train_outsz == vec3{1, 100, 100});
    CHECK(c.cost_fn == "auto");
    CHECK(c.eta == 0.01);
    CHECK(c.anneal_factor == 1.0);
    CHECK(c.num_iter_per_annealing == 100);
    CHECK(c.momentum == 0.0);
    CHECK(c.weight_decay == 0.0);
    CHECK(c.train_net.empty());
    CHECK(c.train_net_prefix.empty());
    CHECK(c.train_range.empty());
    CHECK(c.test_range.empty());
    CHECK(c.train_conv_mode == "optimize");
    CHECK(c.forward_conv_mode == "optimize");
    CHECK(!c.is_data_aug);
    CHECK(!c.is_bd_mirror);
    CHECK(c.rebalance_mode == "none");
    CHECK(!c.is_malis);
    CHECK(c.malis_norm_type == "none");
    CHECK(c.num_iter_per_show == 100);
    CHECK(c.num_iter_per_test == 500);
    CHECK(c.test_num == 10);
    CHECK(c.num_iter_per_save == 1000);
    CHECK(c.max_iter == 400000);
    CHECK(c.forward_range.empty());
    CHECK(c.forward_net.empty());
    CHECK(c.forward_outsz == vec3{1, 100, 100});
    CHECK(c.output_prefix.empty());
    CHECK(c.is_stdio);
    CHECK(!c.is_debug);
    CHECK(!c.is_check);

    CHECK(c.effective_cost_fn() == "softmax_loss");
    CHECK(c.effective_threads() == static_cast<int>(std::max(1u, std::thread::hardware_concurrency())));
}

TEST_CASE("config: every key set, any case, either separator", "[spec][config]")
{
    const config c = load_config(test::spec_data("good/job/full.cfg"));
    CHECK(c.fnet_spec == test::spec_data("good/net_all.znn"));
    CHECK(c.fdata_spec == test::spec_data("good/data/sample.spec"));
    CHECK(c.num_threads == 3);
    CHECK(c.effective_threads() == 3);
    CHECK(c.dtype == "float64");
    CHECK(c.out_type == "affinity");
    CHECK(c.logging);
    CHECK(c.train_outsz == vec3{2, 30, 40});
    CHECK(c.cost_fn == "square_loss");
    CHECK(c.effective_cost_fn() == "square_loss");
    CHECK(c.eta == 0.05);
    CHECK(c.anneal_factor == 0.997);
    CHECK(c.num_iter_per_annealing == 50);
    CHECK(c.momentum == 0.9);
    CHECK(c.weight_decay == 0.0005);
    CHECK(c.train_net == test::spec_data("good/job/nets"));
    CHECK(c.train_net_prefix.empty());
    CHECK(c.train_range == ints{1, 2, 3, 6});
    CHECK(c.test_range == ints{4, 5});
    CHECK(c.train_conv_mode == "fft");
    CHECK(c.forward_conv_mode == "direct");
    CHECK(c.is_data_aug);
    CHECK(c.is_bd_mirror);
    CHECK(c.rebalance_mode == "patch");
    CHECK(c.is_malis);
    CHECK(c.malis_norm_type == "pair");
    CHECK(c.num_iter_per_show == 7);
    CHECK(c.num_iter_per_test == 70);
    CHECK(c.test_num == 3);
    CHECK(c.num_iter_per_save == 700);
    CHECK(c.max_iter == 123456789012LL);
    CHECK(c.forward_range == ints{2, 3, 4});
    CHECK(c.forward_net == "/abs/nets/net_current.h5");
    CHECK(c.forward_outsz == vec3{5, 60, 70});
    CHECK(c.output_prefix == test::spec_data("good/job/out/run1"));
    CHECK(!c.is_stdio);
    CHECK(c.is_debug);
    CHECK(c.is_check);
}

TEST_CASE("config: cost_fn auto follows out_type", "[spec][config]")
{
    CHECK(parse_config_text(two_files + "out_type = affinity\n", "j.cfg").effective_cost_fn() == "binomial_cross_entropy");
    CHECK(parse_config_text(two_files + "out_type = boundary\n", "j.cfg").effective_cost_fn() == "softmax_loss");
    CHECK(parse_config_text(two_files + "out_type = affinity\ncost_fn = softmax_loss\n", "j.cfg").effective_cost_fn() ==
          "softmax_loss");
}

TEST_CASE("config: keys of older versions of the original", "[spec][config]")
{
    const config c = load_config(test::spec_data("good/job/legacy.cfg"));
    CHECK(c.eta == 0.01);  // "0.01 ; comment"
    CHECK(c.train_net.empty());
    CHECK(c.train_net_prefix == test::spec_data("good/nets/N4/net"));
    CHECK(c.train_conv_mode == "direct");     // is_train_optimize = no
    CHECK(c.forward_conv_mode == "optimize"); // is_forward_optimize = yes
    CHECK(c.rebalance_mode == "global");      // is_rebalance = yes
    CHECK(c.forward_net == test::spec_data("good/nets/N4/net_current.h5"));
    CHECK(c.train_range == ints{1});

    auto with = [](const std::string& lines) { return parse_config_text(two_files + lines, "/jobs/j.cfg"); };
    CHECK(with("force_fft = yes\n").train_conv_mode == "fft");
    CHECK(with("force_fft = yes\n").forward_conv_mode == "fft");
    CHECK(with("force_fft = yes\ntrain_conv_mode = direct\n").train_conv_mode == "direct");
    CHECK(with("force_fft = yes\ntrain_conv_mode = direct\n").forward_conv_mode == "fft");
    CHECK(with("is_train_optimize = yes\ntrain_conv_mode = fft\n").train_conv_mode == "fft");
    CHECK(with("is_patch_rebalance = yes\nis_rebalance = yes\n").rebalance_mode == "patch");
    CHECK(with("is_rebalance = yes\nrebalance_mode = none\n").rebalance_mode == "none");
    CHECK(with("is_rebalance = no\n").rebalance_mode == "none");
    // train_net naming a .h5 file is the original's prefix form.
    CHECK(with("train_net = nets/N4.h5\n").train_net_prefix == "/jobs/nets/N4");
    CHECK(with("train_net = nets/N4.h5\n").train_net.empty());
    CHECK(with("train_net_prefix = nets/N4.h5\n").train_net_prefix == "/jobs/nets/N4.h5");
}

TEST_CASE("config: paths resolve against the cfg's folder", "[spec][config]")
{
    const config c = parse_config_text("[parameters]\nfnet_spec = ../nets/./n.znn\nfdata_spec = /d/s.spec\n"
                                       "train_net_prefix = out/P\nforward_net =\n",
                                       "/jobs/a/j.cfg");
    CHECK(c.fnet_spec == "/jobs/nets/n.znn");
    CHECK(c.fdata_spec == "/d/s.spec");
    CHECK(c.train_net_prefix == "/jobs/a/out/P");
    CHECK(c.forward_net.empty());
    // A cfg named without a folder is in the working folder.
    const config here = parse_config_text(two_files, "j.cfg");
    CHECK(here.fnet_spec == (std::filesystem::current_path() / "net.znn").string());
}

TEST_CASE("config: --set overrides apply after the file", "[spec][config]")
{
    const config c = load_config(test::spec_data("good/job/full.cfg"),
                                 {"eta=0.5", "Max_iter = 10", "train_range=2-3", "is_stdio=yes", "fnet_spec=rel/n.znn"});
    CHECK(c.eta == 0.5);
    CHECK(c.max_iter == 10);
    CHECK(c.train_range == ints{2, 3});
    CHECK(c.is_stdio);
    CHECK(c.momentum == 0.9);  // untouched
    // Command-line paths are relative to the working folder.
    CHECK(c.fnet_spec == (std::filesystem::current_path() / "rel/n.znn").string());
    CHECK(c.text.find("\neta = 0.5\n") != std::string::npos);
    CHECK(c.text.find("\nMax_iter = 10\n") != std::string::npos);

    // An override may supply a key the file lacks, and the last override of a key wins.
    const config d = parse_config_text("[parameters]\nfnet_spec = n.znn\n", "/j/j.cfg", {"fdata_spec=/s.spec", "eta=1", "ETA=2"});
    CHECK(d.fdata_spec == "/s.spec");
    CHECK(d.eta == 2);
}

TEST_CASE("config: bad overrides name '--set key'", "[spec][config]")
{
    CHECK(error_of(two_files, {"etaa=1"}) == "--set etaa: unknown key 'etaa' (did you mean 'eta'?)");
    CHECK(error_of(two_files, {"eta=abc"}) == "--set eta: bad value 'abc' for 'eta': expected a non-negative number");
    CHECK(error_of(two_files, {"train_range=1-"}) ==
          "--set train_range: bad value '1-' for 'train_range': expected positive sample numbers and ranges such as 1-3,6");
    CHECK(error_of(two_files, {"Is_Data_Aug=maybe"}) ==
          "--set is_data_aug: bad value 'maybe' for 'is_data_aug': expected yes/no, true/false, on/off or 1/0");
    CHECK(error_of(two_files, {"eta0.5"}) == "--set eta0.5: expected key=value");
    CHECK(error_of(two_files, {"=1"}) == "--set =1: expected key=value");
    CHECK(error_of(two_files, {"fnet_spec="}) == "--set fnet_spec: 'fnet_spec' needs a file name");
    // The file's own errors still come first.
    CHECK(error_of(two_files + "eta = x\n", {"eta=0.1"}) == "no error");
    CHECK(error_of(two_files + "etta = 1\n", {"eta=0.1"}) == "/jobs/j.cfg:4: unknown key 'etta' in [parameters] (did you mean 'eta'?)");
}

TEST_CASE("config: text holds the effective job and reads back to the same settings", "[spec][config]")
{
    const config c = load_config(test::spec_data("good/job/full.cfg"), {"momentum=0.25"});
    CHECK(c.text.rfind("[parameters]\n", 0) == 0);
    const std::vector<std::string> lines{"fnet_spec = " + test::spec_data("good/net_all.znn"),
                                         "dtype = float64",
                                         "train_outsz = 2,30,40",
                                         "eta = 0.05",
                                         "momentum = 0.25",
                                         "train_range = 1-3,6",
                                         "test_range = 4,5",
                                         "train_net_prefix =",
                                         "is_malis = yes",
                                         "is_stdio = no",
                                         "Num_iter_per_show = 7",
                                         "Max_iter = 123456789012",
                                         "forward_outsz = 5,60,70"};
    for (const auto& line : lines) {
        INFO(line);
        CHECK(c.text.find("\n" + line + "\n") != std::string::npos);
    }
    // Stored in a network file elsewhere, the text gives back the same job.
    const config back = parse_config_text(c.text, "/somewhere/else/net.h5");
    check_same_settings(back, c);
    CHECK(back.text == c.text);

    const config minimal = load_config(test::spec_data("good/job/minimal.cfg"));
    check_same_settings(parse_config_text(minimal.text, "x.cfg"), minimal);
    const config legacy = load_config(test::spec_data("good/job/legacy.cfg"));
    check_same_settings(parse_config_text(legacy.text, "x.cfg"), legacy);
}

TEST_CASE("config: load_config reports a missing file", "[spec][config]")
{
    try {
        load_config("/nonexistent/job.cfg");
        FAIL("no error");
    } catch (const input_error& e) {
        CHECK(std::string(e.what()) == "/nonexistent/job.cfg: no such file");
    }
}
