// Every node and edge type's gradient against finite differences, in 2D and 3D, dense and sparse,
// with direct, FFT and Winograd convolution (double precision).
#include "net_fixtures.hpp"

#include <catch2/catch.hpp>

#include <cmath>

using namespace znn;
using namespace znn::testing;

namespace {

// E = Σ c·output over every output map; dE/d(output) = c.
struct linear_loss {
    std::vector<maps<double>> weights;

    double value(const network<double>& net) const
    {
        double e = 0;
        for (std::size_t k = 0; k < weights.size(); ++k)
            for (std::size_t m = 0; m < weights[k].size(); ++m)
                for (std::size_t v = 0; v < weights[k][m].size(); ++v) e += weights[k][m][v] * net.output(k)[m][v];
        return e;
    }
};

// Checks up to `per_layer` filter entries and biases of every layer against central differences.
void check_gradients(const std::string& text, vec3 outsz, const std::string& mode, std::uint64_t seed)
{
    auto g = graph_from(text);
    engine_options opt;
    opt.conv_mode = mode;
    opt.threads = 2;
    network<double> net(*g, outsz, opt, seed);
    std::mt19937_64 rng(seed + 1);
    auto inputs = random_inputs(net, rng);
    linear_loss loss;
    for (int o : g->outputs()) loss.weights.push_back(random_maps<double>(g->nodes()[o].maps(), net.node_sizes()[o], rng));

    net.forward(inputs);
    net.backward(loss.weights);

    const double eps = 1e-6;
    auto numeric = [&](double& param) {
        double saved = param;
        param = saved + eps;
        net.parameters_changed();
        net.forward(inputs);
        double plus = loss.value(net);
        param = saved - eps;
        net.parameters_changed();
        net.forward(inputs);
        double minus = loss.value(net);
        param = saved;
        net.parameters_changed();
        return (plus - minus) / (2 * eps);
    };

    int checked = 0;
    for (const auto& e : g->edges()) {
        if (e.type() != "conv") continue;
        auto grads = net.filter_gradients(e.index);  // copy: later forwards do not change it, but be safe
        auto& filters = net.filters(e.index);
        std::uniform_int_distribution<std::size_t> pick_filter(0, filters.size() - 1);
        for (int trial = 0; trial < 4; ++trial) {
            std::size_t f = pick_filter(rng);
            std::uniform_int_distribution<std::size_t> pick_value(0, filters[f].size() - 1);
            std::size_t v = pick_value(rng);
            double expected = numeric(filters[f][v]);
            INFO("mode " << mode << ", edge " << e.name() << ", filter " << f << ", value " << v);
            CHECK(grads[f][v] == Approx(expected).epsilon(1e-5).margin(1e-7));
            ++checked;
        }
    }
    for (const auto& n : g->nodes()) {
        if (n.spec->type != "transfer") continue;
        auto grads = net.bias_gradients(n.index);
        for (int j = 0; j < n.maps(); ++j) {
            double expected = numeric(net.biases(n.index)[j]);
            INFO("mode " << mode << ", node " << n.name() << ", bias " << j);
            CHECK(grads[j] == Approx(expected).epsilon(1e-5).margin(1e-7));
            ++checked;
        }
    }
    CHECK(checked > 0);
}

// Winograd takes the dense filters of 2 to 5 taps in y and x (direct the others): its forward pass
// and gradient to the input are checked on those layers, its filter gradients are direct.
void check_both_modes(const std::string& text, vec3 outsz, std::uint64_t seed)
{
    check_gradients(text, outsz, "direct", seed);
    check_gradients(text, outsz, "fft", seed);
    check_gradients(text, outsz, "winograd", seed);
}

}  // namespace

TEST_CASE("2D: conv, tanh, strided max_filter (sparse), logistics, linear")
{
    std::string t = node("input", "input", 1) + conv("c1", "input", "n1", "1,3,3") + transfer("n1", "tanh", 3) +
                    max_filter("f1", "n1", "p1", "1,2,2", "1,2,2") + node("p1", "sum", 3) +
                    conv("c2", "p1", "n2", "1,2,2") + transfer("n2", "logistics", 2) +
                    conv("c3", "n2", "output", "1,1,1") + transfer("output", "linear", 2, "function_args 2,0.5\n");
    check_both_modes(t, {1, 5, 4}, 11);
}

TEST_CASE("3D: soft_sign, sparse 3D filter, tanh with arguments, two input maps")
{
    std::string t = node("input", "input", 2) + conv("c1", "input", "n1", "2,2,2") + transfer("n1", "soft_sign", 2) +
                    max_filter("f1", "n1", "p1", "2,2,2", "2,2,2") + node("p1", "sum", 2) +
                    conv("c2", "p1", "output", "2,2,2") + transfer("output", "tanh", 1, "function_args 1.5,0.7\n");
    check_both_modes(t, {3, 2, 3}, 12);
}

TEST_CASE("rectify_linear, max_pool and a strided conv")
{
    std::string t = node("input", "input", 1) + conv("c1", "input", "n1", "1,2,2") +
                    transfer("n1", "rectify_linear", 2, "init constant\ninit_args 0.3\n") +
                    edge("pool", "max_pool", "n1", "p1", "size 1,2,2\n") + node("p1", "sum", 2) +
                    conv("c2", "p1", "output", "1,2,2", "1,2,2") + transfer("output", "linear", 2);
    check_both_modes(t, {1, 3, 3}, 13);
}

TEST_CASE("branches: maxout, crop and dummy edges meeting in sum nodes")
{
    std::string t = node("input", "input", 1) + conv("a", "input", "na", "1,3,3") + node("na", "sum", 2) +
                    conv("b", "input", "nb", "1,3,3") + node("nb", "sum", 2) + edge("ma", "maxout", "na", "m", "") +
                    edge("mb", "maxout", "nb", "m", "") + node("m", "maxout", 2) + conv("c", "m", "n1", "1,3,3") + transfer("n1", "tanh", 2) +
                    edge("skip", "crop", "m", "n2", "offset 0,1,1\n") + edge("id", "dummy", "n1", "n2", "") +
                    node("n2", "sum", 2) + conv("d", "n2", "output", "1,1,1") + transfer("output", "logistics", 1);
    check_both_modes(t, {1, 4, 4}, 14);
}

TEST_CASE("dense 2-5 tap filters between hidden nodes (Winograd layers, region tasks)")
{
    // Every hidden node's in- and out-edges are dense conv edges, so that mode winograd computes them
    // (and their gradients) in region tasks: a sum node and transfer nodes, 2D and 3D, several maps.
    std::string t2 = node("input", "input", 2) + conv("c1", "input", "n1", "1,3,3") + transfer("n1", "tanh", 3) +
                     conv("c2", "n1", "n2", "1,4,2") + node("n2", "sum", 2) + conv("c3", "n2", "output", "1,5,5") +
                     transfer("output", "logistics", 2);
    check_both_modes(t2, {1, 3, 4}, 15);
    std::string t3 = node("input", "input", 1) + conv("c1", "input", "n1", "2,3,3") +
                     transfer("n1", "soft_sign", 3) + conv("c2", "n1", "output", "3,2,3") + transfer("output", "linear", 2);
    check_both_modes(t3, {3, 4, 3}, 16);
}

TEST_CASE("filters of 6 to 9 taps in y or x (Winograd in pieces)")
{
    // More than 5 taps: the Winograd layers sum 2 x 2 (c1, c3) or 2 x 1 (c2) pieces of at most 5 taps
    // per source map; c2 is also sparse in y and x after the max filter.
    std::string t = node("input", "input", 1) + conv("c1", "input", "n1", "1,7,7") + transfer("n1", "tanh", 3) +
                    max_filter("f1", "n1", "p1", "1,2,2", "1,2,2") + transfer("p1", "soft_sign", 3) +
                    conv("c2", "p1", "n2", "1,6,3") + transfer("n2", "tanh", 2) +
                    conv("c3", "n2", "output", "2,9,9") + transfer("output", "linear", 2);
    check_both_modes(t, {1, 3, 2}, 18);
}

TEST_CASE("filters sparse in y and x after transfer nodes (Winograd regions of de-interleaved planes)")
{
    // c2 and c3 read nodes of sparsity 2 and 4 whose only out-edge they are: mode winograd computes those
    // nodes' gradients (the transfer function's derivative and the bias gradient included) in region
    // tasks over rows of the de-interleaved planes; c3 is sparse 4 in y and 2 in x.
    std::string t = node("input", "input", 1) + conv("c1", "input", "n1", "1,2,2") + transfer("n1", "tanh", 2) +
                    max_filter("f1", "n1", "p1", "1,2,2", "1,2,2") + transfer("p1", "soft_sign", 2) +
                    conv("c2", "p1", "n2", "1,3,2") + transfer("n2", "tanh", 3) +
                    max_filter("f2", "n2", "p2", "1,2,1", "1,2,1") + transfer("p2", "logistics", 3) +
                    conv("c3", "p2", "output", "1,2,3") + transfer("output", "linear", 2);
    check_both_modes(t, {1, 6, 5}, 17);
}

TEST_CASE("forward_logistics passes the gradient through unchanged")
{
    std::string t = node("input", "input", 1) + conv("c1", "input", "output", "1,2,2") +
                    transfer("output", "forward_logistics", 1);
    auto g = graph_from(t);
    engine_options opt;
    opt.conv_mode = "direct";
    network<double> net(*g, {1, 3, 3}, opt, 5);
    std::mt19937_64 rng(6);
    net.forward(random_inputs(net, rng));
    maps<double> ones = {volume<double>({1, 3, 3}, 1.0)};
    net.backward({ones});
    CHECK(net.bias_gradients(g->find_node("output"))[0] == Approx(9.0));
}
