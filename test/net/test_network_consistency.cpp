// Whole networks: FFT against direct convolution, float against double, thread count independence,
// dense sliding-window output equal to patch-by-patch evaluation, and dropout.
#include "net_fixtures.hpp"

#include "znn/conv_winograd.hpp"
#include "znn/error.hpp"

#include <catch2/catch.hpp>

#include <cmath>
#include <cstdint>
#include <sstream>

using namespace znn;
using namespace znn::testing;

namespace {

std::string small_n4_like()
{
    // conv 1,3,3 -> filter 2/2 -> conv 1,3,3 -> filter 2/2 -> conv 1,2,2 -> conv 1,1,1: sparsity 1,2,4.
    return node("input", "input", 1) + conv("c1", "input", "n1", "1,3,3") + transfer("n1", "rectify_linear", 4) +
           max_filter("f1", "n1", "p1", "1,2,2", "1,2,2") + node("p1", "sum", 4) +
           conv("c2", "p1", "n2", "1,3,3") + transfer("n2", "tanh", 4) +
           max_filter("f2", "n2", "p2", "1,2,2", "1,2,2") + node("p2", "sum", 4) +
           conv("c3", "p2", "n3", "1,2,2") + transfer("n3", "rectify_linear", 6) +
           conv("c4", "n3", "output", "1,1,1") + transfer("output", "linear", 2);
}

std::string small_3d()
{
    return node("input", "input", 1) + conv("c1", "input", "n1", "3,3,3") + transfer("n1", "rectify_linear", 3) +
           max_filter("f1", "n1", "p1", "2,2,2", "2,2,2") + node("p1", "sum", 3) +
           conv("c2", "p1", "output", "2,2,2") + transfer("output", "logistics", 3);
}

template <class T>
double max_abs(const maps<T>& m)
{
    double a = 0;
    for (const auto& v : m)
        for (auto x : v) a = std::max(a, std::abs(static_cast<double>(x)));
    return a;
}

template <class T>
void fft_matches_direct(const std::string& text, vec3 outsz, double tolerance, const std::string& mode = "fft",
                        int threads = 0, int winograd_tile = 0)
{
    auto g = graph_from(text);
    engine_options direct_opt, fft_opt;
    fft_opt.winograd_tile = winograd_tile;
    direct_opt.conv_mode = "direct";
    fft_opt.conv_mode = mode;
    fft_opt.threads = threads;
    network<T> direct(*g, outsz, direct_opt, 7), fft(*g, outsz, fft_opt, 7);
    std::mt19937_64 rng(8);
    auto in = random_inputs(direct, rng);
    direct.forward(in);
    fft.forward(in);
    CHECK(max_abs_diff(direct.output(), fft.output()) <= tolerance * max_abs(direct.output()));

    // Backward too: the filter gradients of every conv layer agree.
    maps<T> grad = random_maps<T>(g->nodes()[g->outputs()[0]].maps(), outsz, rng);
    direct.backward({grad});
    fft.backward({grad});
    for (const auto& edge : g->edges()) {
        if (edge.type() != "conv") continue;
        INFO("edge " << edge.name());
        maps<T> dg = direct.filter_gradients(edge.index), fg = fft.filter_gradients(edge.index);
        CHECK(max_abs_diff(dg, fg) <= tolerance * max_abs(dg));
    }
}

// An inference network's options for optimize on one thread with a memory budget of `budget` bytes,
// its choices logged to `log`.
engine_options tight_inference(std::ostream& log, std::int64_t budget = std::int64_t(1) << 20)
{
    engine_options opt;
    opt.conv_mode = "optimize";
    opt.training = false;
    opt.threads = 1;
    opt.log = &log;
    opt.fft_memory_budget = budget;
    return opt;
}

// Every output of `net` (an inference network of seed 3) after a forward pass matches direct convolution's
// to 1e-4 of its largest value.
void matches_direct_inference(const net_graph& g, vec3 outsz, network<float>& net)
{
    engine_options direct_opt;
    direct_opt.conv_mode = "direct";
    direct_opt.training = false;
    network<float> direct(g, outsz, direct_opt, 3);
    std::mt19937_64 rng(4);
    auto in = random_inputs(direct, rng);
    direct.forward(in);
    net.forward(in);
    for (std::size_t k = 0; k < g.outputs().size(); ++k)
        CHECK(max_abs_diff(direct.output(k), net.output(k)) <= 1e-4 * max_abs(direct.output(k)));
}

// fft_matches_direct in float (to 1e-4) and double (to 1e-10).
void matches_direct_in_both(const std::string& text, vec3 outsz, const std::string& mode = "fft", int threads = 0,
                            int winograd_tile = 0)
{
    fft_matches_direct<float>(text, outsz, 1e-4, mode, threads, winograd_tile);
    fft_matches_direct<double>(text, outsz, 1e-10, mode, threads, winograd_tile);
}

}  // namespace

TEST_CASE("FFT and direct convolution give the same network output and gradients")
{
    matches_direct_in_both(small_n4_like(), {1, 6, 5});
    matches_direct_in_both(small_3d(), {3, 4, 2});
}

TEST_CASE("Winograd and direct convolution give the same network output and gradients")
{
    matches_direct_in_both(small_n4_like(), {1, 6, 5}, "winograd");
    matches_direct_in_both(small_3d(), {3, 4, 2}, "winograd");
    // 3x3x3 filters between maps of several planes, with a hidden layer: the gradient to the input of
    // a Winograd layer, over z planes where the padded gradient runs out.
    const std::string text = node("input", "input", 2) + conv("c1", "input", "n1", "3,3,3") +
                             transfer("n1", "tanh", 5) + conv("c2", "n1", "output", "3,3,3") +
                             transfer("output", "linear", 3);
    matches_direct_in_both(text, {4, 9, 7}, "winograd");
    auto g = graph_from(text);
    engine_options opt;
    opt.conv_mode = "winograd";
    network<float> net(*g, {4, 9, 7}, opt, 1);
    CHECK(net.uses_winograd(g->find_edge("c2")));

    // Layers share the storage of their input transforms when one runs after the other (c1, then ca
    // and cc; cb and cd), never when both could run at once: ca and cb read n1's transforms side by
    // side, a and b are computed in either order. Four threads so that the branches do overlap.
    const std::string branches =
        node("input", "input", 1) + conv("c1", "input", "n1", "2,3,3") + transfer("n1", "tanh", 3) +
        conv("ca", "n1", "a", "1,3,3") + transfer("a", "tanh", 4) + conv("cb", "n1", "b", "2,3,3") +
        transfer("b", "rectify_linear", 5) + conv("cc", "a", "output", "2,4,4") +
        conv("cd", "b", "output", "1,4,4") + transfer("output", "linear", 2);
    for (int threads : {1, 4}) {
        INFO("threads " << threads);
        matches_direct_in_both(branches, {2, 7, 6}, "winograd", threads);
        matches_direct_in_both(branches, {2, 7, 6}, "winograd", threads, 8);  // 8 x 8 tiles where square (not c1)
    }
    // The output's regions read cc's stored transforms and cd's maps themselves (a fused forward pass).
    auto gb = graph_from(branches);
    network<float> branch_net(*gb, {2, 7, 6}, opt, 1);
    CHECK(branch_net.uses_fused_winograd(gb->find_edge("cd")));
    CHECK_FALSE(branch_net.uses_fused_winograd(gb->find_edge("cc")));
}

TEST_CASE("Winograd filter gradients match direct ones in a network")
{
    // 8 and more source maps: mode winograd takes the filter gradients by Winograd too. c2 and c3 are
    // sparse in y and x (phased tilings after the max filter), c5 is 3x3x3 between maps of several planes.
    const std::string sparse = node("input", "input", 1) + conv("c1", "input", "n1", "1,3,3") +
                               transfer("n1", "rectify_linear", 8) + max_filter("f1", "n1", "p1", "1,2,2", "1,2,2") +
                               node("p1", "sum", 8) + conv("c2", "p1", "n2", "1,3,3") + transfer("n2", "tanh", 9) +
                               conv("c3", "n2", "output", "1,2,4") + transfer("output", "linear", 2);
    const std::string dense = node("input", "input", 1) + conv("c4", "input", "n1", "2,3,3") +
                              transfer("n1", "tanh", 8) + conv("c5", "n1", "output", "3,3,3") +
                              transfer("output", "linear", 3);
    // Two branches from one node (c7, c8) summed into the output: their filter gradients and c9's take
    // the two storages one after the other, whichever branch's gradient is done first.
    const std::string branches = node("input", "input", 1) + conv("c6", "input", "n1", "1,3,3") +
                                 transfer("n1", "tanh", 8) + conv("c7", "n1", "a", "1,3,3") +
                                 transfer("a", "tanh", 9) + conv("c8", "n1", "b", "1,4,4") +
                                 transfer("b", "rectify_linear", 8) + conv("c9", "a", "output", "1,2,2") +
                                 conv("c10", "b", "output", "1,1,1") + transfer("output", "linear", 2);
    for (int threads : {1, 4})
        for (int tile : {6, 8}) {
            INFO("threads " << threads << ", tile " << tile);
            matches_direct_in_both(branches, {1, 9, 10}, "winograd", threads, tile);
            matches_direct_in_both(sparse, {1, 13, 11}, "winograd", threads, tile);
            matches_direct_in_both(dense, {4, 9, 7}, "winograd", threads, tile);
        }
    auto gs = graph_from(sparse), gd = graph_from(dense);
    engine_options opt;
    opt.conv_mode = "winograd";
    network<float> sparse_net(*gs, {1, 13, 11}, opt, 1), dense_net(*gd, {4, 9, 7}, opt, 1);
    CHECK_FALSE(sparse_net.uses_winograd_filter_gradients(gs->find_edge("c1")));  // one source map
    CHECK(sparse_net.uses_winograd_filter_gradients(gs->find_edge("c2")));
    CHECK(sparse_net.uses_winograd_filter_gradients(gs->find_edge("c3")));
    CHECK(dense_net.uses_winograd_filter_gradients(gd->find_edge("c5")));
    // Mode winograd fuses the forward pass of filters one plane deep and dense in y and x (c1), not of
    // sparse (c2, c3) or deeper ones (c5).
    CHECK(sparse_net.uses_fused_winograd(gs->find_edge("c1")));
    for (const char* e : {"c2", "c3"}) CHECK_FALSE(sparse_net.uses_fused_winograd(gs->find_edge(e)));
    CHECK_FALSE(dense_net.uses_fused_winograd(gd->find_edge("c5")));
    auto gb = graph_from(branches);
    network<float> branch_net(*gb, {1, 9, 10}, opt, 1);
    for (const char* e : {"c7", "c8", "c9"}) CHECK(branch_net.uses_winograd_filter_gradients(gb->find_edge(e)));
    opt.training = false;
    network<float> inference(*gd, {4, 9, 7}, opt, 1);
    CHECK_FALSE(inference.uses_winograd_filter_gradients(gd->find_edge("c5")));

    // Filters of more than 5 taps in y and x (Winograd in pieces): c12 between 8 maps, its filter
    // gradients by Winograd too, its forward pass not fused.
    const std::string pieces = node("input", "input", 1) + conv("c11", "input", "n1", "1,3,3") +
                               transfer("n1", "tanh", 8) + conv("c12", "n1", "output", "2,7,6") +
                               transfer("output", "linear", 2);
    for (int threads : {1, 4}) {
        INFO("threads " << threads);
        matches_direct_in_both(pieces, {2, 5, 6}, "winograd", threads);
    }
    auto gp = graph_from(pieces);
    opt.training = true;
    network<float> piece_net(*gp, {2, 5, 6}, opt, 1);
    CHECK(piece_net.uses_winograd(gp->find_edge("c12")));
    CHECK(piece_net.uses_winograd_filter_gradients(gp->find_edge("c12")));
    CHECK_FALSE(piece_net.uses_fused_winograd(gp->find_edge("c12")));
}

TEST_CASE("optimize times Winograd where the filter allows it and keeps the fastest method")
{
    const std::string text = node("input", "input", 4) + conv("c1", "input", "n1", "3,3,3") +
                             transfer("n1", "rectify_linear", 8) + conv("c2", "n1", "output", "3,3,3") +
                             transfer("output", "linear", 4);
    auto g = graph_from(text);
    std::ostringstream log;
    engine_options opt;
    opt.conv_mode = "optimize";
    opt.threads = 1;
    opt.log = &log;
    network<float> net(*g, {4, 8, 8}, opt, 3);
    CHECK_THAT(log.str(), Catch::Matchers::Contains("winograd "));
    for (int e : {g->find_edge("c1"), g->find_edge("c2")}) {
        CHECK_FALSE((net.uses_fft(e) && net.uses_winograd(e)));
        if (net.uses_winograd_filter_gradients(e)) CHECK(net.uses_winograd(e));
    }
    if (net.uses_winograd(g->find_edge("c2")))
        CHECK_THAT(log.str(), Catch::Matchers::Contains("(filter gradients "));

    // Filters sparse in y and x (after a strided max filter) are Winograd layers too, per sub-lattice.
    const std::string sparse = node("input", "input", 1) + conv("c1", "input", "n1", "1,2,2") +
                               transfer("n1", "tanh", 2) + max_filter("f1", "n1", "p1", "1,2,2", "1,2,2") +
                               node("p1", "sum", 2) + conv("c2", "p1", "output", "1,3,3") + transfer("output", "linear", 1);
    auto gs = graph_from(sparse);
    opt.conv_mode = "winograd";
    opt.log = nullptr;
    network<float> sparse_net(*gs, {1, 4, 4}, opt, 3);
    CHECK(sparse_net.uses_winograd(gs->find_edge("c1")));
    CHECK(sparse_net.uses_winograd(gs->find_edge("c2")));
    CHECK(sparse_net.winograd_tile(gs->find_edge("c2")) == 6);  // mode winograd: 6 x 6 unless told

    // The tile side: optimize reports the one it kept; a fixed one is used where the filter takes it.
    if (net.uses_winograd(g->find_edge("c2")))
        CHECK((net.winograd_tile(g->find_edge("c2")) == 6 || net.winograd_tile(g->find_edge("c2")) == 8));
    for (int e : {g->find_edge("c1"), g->find_edge("c2")})
        if (!net.uses_winograd(e)) CHECK(net.winograd_tile(e) == 0);
    opt.winograd_tile = 8;
    const std::string mixed = node("input", "input", 1) + conv("c1", "input", "n1", "1,3,3") +
                              transfer("n1", "tanh", 2) + conv("c2", "n1", "output", "1,3,2") + transfer("output", "linear", 1);
    auto gm = graph_from(mixed);
    network<float> eight(*gm, {1, 9, 9}, opt, 3);
    CHECK(eight.winograd_tile(gm->find_edge("c1")) == 8);
    CHECK(eight.winograd_tile(gm->find_edge("c2")) == 6);  // not square in y and x
    opt.winograd_tile = 7;
    CHECK_THROWS_AS(network<float>(*gm, {1, 9, 9}, opt, 3), input_error);
}

TEST_CASE("optimize on several threads times close layers whole and computes what direct does")
{
    const std::string text = node("input", "input", 3) + conv("c1", "input", "n1", "3,3,3") +
                             transfer("n1", "rectify_linear", 6) + conv("c2", "n1", "output", "1,3,3") +
                             transfer("output", "linear", 2);
    auto g = graph_from(text);
    engine_options opt;
    opt.training = false;
    opt.threads = 2;
    opt.conv_mode = "direct";
    network<double> direct(*g, {3, 7, 9}, opt, 5);
    std::ostringstream log;
    opt.conv_mode = "optimize";
    opt.optimize_trial_within = 1e9;  // every layer, whatever its estimates
    opt.log = &log;
    network<double> optimized(*g, {3, 7, 9}, opt, 5);
    // Both layers (each has three methods to choose from) are reported as timed whole.
    std::istringstream lines(log.str());
    int whole = 0;
    for (std::string line; std::getline(lines, line);)
        if (line.rfind("optimize: conv c", 0) == 0) {
            CHECK_THAT(line, Catch::Matchers::EndsWith("(timed whole on 2 threads)"));
            // Both filters are square in y and x: Winograd was timed in both tile sizes.
            CHECK_THAT(line, Catch::Matchers::Contains("6x6") && Catch::Matchers::Contains("8x8"));
            ++whole;
        }
    CHECK(whole == 2);
    std::mt19937_64 rng(6);
    auto in = random_inputs(direct, rng);
    direct.forward(in);
    optimized.forward(in);
    CHECK(max_abs_diff(direct.output(), optimized.output()) <= 1e-10 * max_abs(direct.output()));

    // Off: one-thread estimates only, as for training networks and on one thread.
    std::ostringstream quiet;
    opt.optimize_trial_within = 0;
    opt.log = &quiet;
    network<double> estimated(*g, {3, 7, 9}, opt, 5);
    CHECK_THAT(quiet.str(), !Catch::Matchers::Contains("timed whole"));
}

TEST_CASE("float and double agree on a whole network")
{
    auto g = graph_from(small_n4_like());
    engine_options opt;
    opt.conv_mode = "direct";
    network<float> f(*g, {1, 8, 8}, opt, 21);
    network<double> d(*g, {1, 8, 8}, opt, 21);
    std::mt19937_64 rng(22);
    auto in_d = random_inputs(d, rng);
    std::vector<maps<float>> in_f(1);
    for (const auto& m : in_d[0]) {
        volume<float> v(m.shape());
        for (std::size_t k = 0; k < v.size(); ++k) v[k] = static_cast<float>(m[k]);
        in_f[0].push_back(std::move(v));
    }
    // Same seed: the same weights up to float rounding.
    f.forward(in_f);
    d.forward(in_d);
    CHECK(max_abs_diff(f.output(), d.output()) <= 1e-4 * max_abs(d.output()));
}

TEST_CASE("results do not depend on the number of threads")
{
    // Direct too: on 2 threads and more its 6 -> 2 output layer runs as tasks by rows
    // (network_forward.cpp, direct_row_parts), one task by maps on one thread.
    for (const std::string mode : {"fft", "direct"}) {
        INFO("mode " << mode);
        auto g = graph_from(small_n4_like());
        std::vector<maps<double>> outs;
        std::vector<maps<double>> grads;
        for (int threads : {1, 2, 3, 4}) {
            engine_options opt;
            opt.conv_mode = mode;
            opt.threads = threads;
            network<double> net(*g, {1, 5, 5}, opt, 31);
            std::mt19937_64 rng(32);
            auto in = random_inputs(net, rng);
            net.forward(in);
            outs.push_back(net.output());
            net.backward({random_maps<double>(2, {1, 5, 5}, rng)});
            grads.push_back(net.filter_gradients(g->find_edge("c2")));
        }
        for (std::size_t k = 1; k < outs.size(); ++k) {
            CHECK(max_abs_diff(outs[0], outs[k]) == 0.0);
            CHECK(max_abs_diff(grads[0], grads[k]) == 0.0);
        }
    }
}

TEST_CASE("dense output equals evaluating the network one output voxel at a time")
{
    // The sliding-window idea: a 1x1 output network applied at every position of a big input must give
    // the same values as one dense pass.
    auto g = graph_from(small_n4_like());
    engine_options opt;
    opt.conv_mode = "direct";
    const vec3 outsz{1, 4, 3};
    network<double> dense(*g, outsz, opt, 41), single(*g, {1, 1, 1}, opt, 41);
    std::mt19937_64 rng(42);
    auto in = random_inputs(dense, rng);
    dense.forward(in);
    const vec3 fov = g->field_of_view();
    for (std::int64_t y = 0; y < outsz.y; ++y)
        for (std::int64_t x = 0; x < outsz.x; ++x) {
            maps<double> window;
            for (const auto& m : in[0]) window.push_back(crop(m, {0, y, x}, fov));
            single.forward({window});
            for (int c = 0; c < 2; ++c) CHECK(single.output()[c](0, 0, 0) == Approx(dense.output()[c](0, y, x)).epsilon(1e-12));
        }
}

TEST_CASE("dropout keeps about `ratio` of the voxels, scaled by 1/ratio, and is off in forward-only networks")
{
    std::string t = node("input", "input", 1) + edge("drop", "dropout", "input", "output", "ratio 0.25\n") +
                    node("output", "sum", 1);
    auto g = graph_from(t);
    engine_options train;
    network<double> net(*g, {4, 32, 32}, train, 3);
    std::vector<maps<double>> in = {{volume<double>({4, 32, 32}, 1.0)}};
    net.forward(in);
    std::size_t kept = 0;
    for (double v : net.output()[0]) {
        REQUIRE((v == 0.0 || v == Approx(4.0)));
        kept += v != 0.0;
    }
    CHECK(static_cast<double>(kept) / 4096 == Approx(0.25).margin(0.03));

    engine_options infer;
    infer.training = false;
    network<double> fwd(*g, {4, 32, 32}, infer, 3);
    fwd.forward(in);
    for (double v : fwd.output()[0]) REQUIRE(v == 1.0);

    // evaluate() of a training network (validation patches): no dropout, and its gradient is the
    // identity's; the next forward() drops voxels again.
    auto g2 = graph_from(node("input", "input", 1) + edge("pass", "dummy", "input", "mid", "") + node("mid", "sum", 1) +
                         edge("drop", "dropout", "mid", "output", "ratio 0.25\n") + node("output", "sum", 1));
    network<double> net2(*g2, {4, 32, 32}, train, 3);
    net2.evaluate(in);
    for (double v : net2.output()[0]) REQUIRE(v == 1.0);
    net2.backward({{volume<double>({4, 32, 32}, 2.0)}});
    const int mid = g2->find_node("mid");
    for (double v : net2.gradient(mid)[0]) REQUIRE(v == 2.0);
    net2.forward(in);
    std::size_t dropped = 0;
    for (double v : net2.output()[0]) dropped += v == 0.0;
    CHECK(dropped > 2000);
}

TEST_CASE("optimize keeps FFT spectra within the memory budget")
{
    // An 11x11x11 filter on 16 -> 16 maps of 34^3: FFT is several times faster than direct convolution
    // (1331 multiply-adds per output and map pair; a 7x7x7 filter was close enough for direct to win on
    // a noisy machine), and its filter spectra alone take 16·16 spectra of 36x36x19 complex floats
    // (50 MiB).
    const std::string text = node("input", "input", 16) + conv("c1", "input", "output", "11,11,11") +
                             transfer("output", "linear", 16);
    auto g = graph_from(text);
    std::ostringstream log;
    engine_options opt = tight_inference(log);  // 1 MiB: too small for this edge's spectra
    network<float> tight(*g, {24, 24, 24}, opt, 3);
    CHECK_FALSE(tight.uses_fft(0));
    CHECK_THAT(log.str(), Catch::Matchers::Contains("over the memory budget"));

    std::ostringstream log2;
    opt.log = &log2;
    opt.fft_memory_budget = std::int64_t(4) << 30;
    network<float> roomy(*g, {24, 24, 24}, opt, 3);
    CHECK(roomy.uses_fft(0));
    CHECK_THAT(log2.str(), Catch::Matchers::Contains("-> fft"));
}

TEST_CASE("optimize fuses a Winograd layer whose stored transforms do not fit the memory budget")
{
    // A 5x5x5 filter on 16 -> 16 maps: Winograd takes several times fewer multiplications than direct.
    // Its forward pass is not fused by choice (a filter deeper than a plane transforms each source plane
    // about twice), but the transforms stored for the whole layer take 12.3 MB or more: with a 4 MiB
    // budget, which the fused pass's scratch (a slab of 8 of the 44 planes) fits, the fused pass must be
    // taken instead of falling back to direct.
    const std::string text = node("input", "input", 16) + conv("c1", "input", "output", "5,5,5") +
                             transfer("output", "linear", 16);
    auto g = graph_from(text);
    const vec3 outsz{40, 24, 24};
    std::ostringstream log;
    engine_options opt = tight_inference(log, std::int64_t(4) << 20);
    for (const int alpha : {6, 8}) {
        const winograd_tiling tiling({44, 28, 28}, {5, 5, 5}, {1, 1, 1}, alpha);
        REQUIRE(winograd_fused_scratch_bytes(tiling, 16, sizeof(float)) < opt.fft_memory_budget);
        REQUIRE(static_cast<std::int64_t>(winograd_maps<float>::storage_size(tiling, 16) * sizeof(float)) >
                opt.fft_memory_budget);
    }
    network<float> tight(*g, outsz, opt, 3);
    INFO(log.str());
    CHECK(tight.uses_winograd(0));
    CHECK(tight.uses_fused_winograd(0));
    CHECK_THAT(log.str(), Catch::Matchers::Contains("fused: stored transforms over the memory budget"));

    matches_direct_inference(*g, outsz, tight);

    // With room, the transforms are stored where Winograd is taken (FFT may be faster here).
    opt.fft_memory_budget = std::int64_t(1) << 30;
    opt.log = nullptr;
    network<float> roomy(*g, outsz, opt, 3);
    CHECK_FALSE(roomy.uses_fused_winograd(0));
}

TEST_CASE("optimize fuses the second of two Winograd layers whose stored transforms fit the budget only one at a time")
{
    // Two 5x5x5 16 -> 16 layers reading the same maps: their stored transforms (12.3 MB each in 8x8
    // tiles) are held at the same time, so under a 16 MiB budget one is stored and the other must run
    // fused (its scratch, 1.6 MB, fits beside the first's transforms), not direct.
    const std::string text = node("input", "input", 16) + conv("c1", "input", "a", "5,5,5") +
                             transfer("a", "linear", 16) + conv("c2", "input", "b", "5,5,5") +
                             transfer("b", "linear", 16);
    auto g = graph_from(text);
    const vec3 outsz{40, 24, 24};
    std::ostringstream log;
    engine_options opt = tight_inference(log, std::int64_t(16) << 20);
    const winograd_tiling tiling({44, 28, 28}, {5, 5, 5}, {1, 1, 1}, 8);
    const std::int64_t stored = static_cast<std::int64_t>(winograd_maps<float>::storage_size(tiling, 16) * sizeof(float));
    REQUIRE(stored <= opt.fft_memory_budget);
    REQUIRE(2 * stored > opt.fft_memory_budget);
    REQUIRE(stored + winograd_fused_scratch_bytes(tiling, 16, sizeof(float)) <= opt.fft_memory_budget);
    network<float> tight(*g, outsz, opt, 3);
    INFO(log.str());
    CHECK(tight.uses_winograd(0));
    CHECK(tight.uses_winograd(1));
    CHECK(tight.uses_fused_winograd(0) + tight.uses_fused_winograd(1) == 1);
    CHECK_THAT(log.str(), Catch::Matchers::Contains("(stored transforms over the memory budget: fused"));

    matches_direct_inference(*g, outsz, tight);
}
