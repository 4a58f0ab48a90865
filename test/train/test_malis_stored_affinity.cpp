// MALIS when the labels are stored true affinities (pp_types none, 3 maps): the trainer segments the
// patch's affinities as the original does, so training gives the same network as training on the
// segmentation ids those affinities come from, and not the network of the unweighted cost.
#include "../common/temp_job.hpp"

#include "znn/convert.hpp"
#include "znn/net_file.hpp"
#include "znn/net_graph.hpp"
#include "znn/net_params.hpp"
#include "znn/net_spec.hpp"
#include "znn/network.hpp"
#include "znn/train.hpp"

#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <string>

using namespace znn;
using namespace znn::testing;

namespace {

// The tiny boundary net with three logistic outputs: affinity maps x, y, z.
std::string affinity_net()
{
    std::string net = tiny_boundary_net;
    net.replace(net.find("function linear\nsize 2"), 22, "function forward_logistics\nsize 3");
    return net;
}

std::string spec_text(const std::string& label_file, const std::string& pp_types)
{
    return "[image1]\nfnames = image1.tif\npp_types = standard2D\n\n[label1]\nfnames = " + label_file +
           "\npp_types = " + pp_types + "\n\n[sample1]\ninput = 1\noutput = 1\n";
}

// One thread, no augmentation, no test samples: two runs on the same patches differ only by their costs.
std::string cfg_text(const std::string& spec, const std::string& nets, bool malis)
{
    return "[parameters]\nfnet_spec = net.znn\nfdata_spec = " + spec + "\nnum_threads = 1\ntrain_outsz = 2,10,10\n"
           "eta = 0.5\nmomentum = 0\nout_type = affinity\ncost_fn = square_loss\ntrain_net = " + nets +
           "\ntrain_range = 1\ntrain_conv_mode = direct\nis_bd_mirror = yes\nis_data_aug = no\n"
           "rebalance_mode = none\nis_malis = " + std::string(malis ? "yes" : "no") +
           "\nmalis_norm_type = frac\nNum_iter_per_show = 100\nNum_iter_per_save = 3\nMax_iter = 3\n";
}

// Every filter and bias of the layers, in name order.
std::vector<double> parameters_of(std::vector<layer_record> layers)
{
    std::sort(layers.begin(), layers.end(), [](const auto& a, const auto& b) { return a.name < b.name; });
    std::vector<double> all;
    for (const layer_record& layer : layers) {
        all.insert(all.end(), layer.filters.begin(), layer.filters.end());
        all.insert(all.end(), layer.biases.begin(), layer.biases.end());
    }
    return all;
}

// The parameters of the network a job saved last.
std::vector<double> trained_parameters(const temp_job& job, const std::string& cfg_name)
{
    config cfg = job.load(cfg_name);
    train(cfg, train_options{});
    return parameters_of(load_net_file(network_file_path(cfg, -1)).layers);
}

// The parameters a job starts from (train() initialises with train_options::seed).
std::vector<double> initial_parameters(const temp_job& job, const std::string& cfg_name)
{
    config cfg = job.load(cfg_name);
    const net_graph graph(load_net_spec(cfg.fnet_spec));
    network<float> net(graph, cfg.train_outsz, engine_options{}, train_options{}.seed);
    return parameters_of(network_layers(net));
}

double largest_difference(const std::vector<double>& a, const std::vector<double>& b)
{
    REQUIRE(a.size() == b.size());
    double d = 0;
    for (std::size_t i = 0; i < a.size(); ++i) d = std::max(d, std::abs(a[i] - b[i]));
    return d;
}

}  // namespace

TEST_CASE("MALIS on stored true affinities weighs like MALIS on the segmentation they come from")
{
    temp_job job("malis-stored");
    synthetic_options o;
    o.shape = {3, 24, 24};
    o.seed = 7;
    o.cells = 4;
    const synthetic_em em = make_synthetic_em(o);
    write_image(job.path("image1.tif"), em.image);
    write_image(job.path("seg1.tif"), em.label);
    convert_affinity(job.path("seg1.tif"), job.path("aff1.h5"));  // as a user stores them: znn convert --affinity
    job.write("net.znn", affinity_net());
    job.write("seg.spec", spec_text("seg1.tif", "affinity"));
    job.write("aff.spec", spec_text("aff1.h5", "none"));
    job.write("seg_malis.cfg", cfg_text("seg.spec", "nets_seg_malis", true));
    job.write("aff_malis.cfg", cfg_text("aff.spec", "nets_aff_malis", true));
    job.write("aff_plain.cfg", cfg_text("aff.spec", "nets_aff_plain", false));

    const std::vector<double> from_ids = trained_parameters(job, "seg_malis.cfg");
    const std::vector<double> from_stored = trained_parameters(job, "aff_malis.cfg");
    const std::vector<double> unweighted = trained_parameters(job, "aff_plain.cfg");
    const std::vector<double> untrained = initial_parameters(job, "aff_malis.cfg");

    // The first plane of a patch differs between the two (stored: the value and mask 1; ids: 0 and
    // masked), but MALIS gives it weight 0 either way, so the gradients are the same.
    INFO("differences: " << largest_difference(from_stored, from_ids) << ", " << largest_difference(from_stored, unweighted)
                         << ", " << largest_difference(from_stored, untrained));
    CHECK(largest_difference(from_stored, from_ids) < 1e-6);
    // Without the segmentation of the stored affinities MALIS would be skipped: the unweighted cost.
    CHECK(largest_difference(from_stored, unweighted) > 1e-4);
    // And MALIS did weigh something: the network moved from its initial weights.
    CHECK(largest_difference(from_stored, untrained) > 1e-4);
}
