// Inference networks share the storage of their maps between layers (znn/activation_plan.hpp): the
// plan never hands a node's storage to another before every reader of it is computed, and the
// outputs of a sharing network equal those of one that keeps every node's maps.
#include "net_fixtures.hpp"

#include "znn/activation_plan.hpp"

#include <catch2/catch.hpp>

#include <algorithm>
#include <numeric>
#include <stdexcept>

using namespace znn;
using namespace znn::testing;

namespace {

// A chain with a max-filter (sparse layers after it) and a skip edge: p1 is read by n2 and, through
// `skip`, by n3, so nothing computed before n3 may take over p1's storage.
std::string chain_with_skip()
{
    return node("input", "input", 1) + conv("c1", "input", "n1", "1,3,3") + transfer("n1", "rectify_linear", 3) +
           max_filter("f1", "n1", "p1", "1,2,2", "1,2,2") + node("p1", "sum", 3) +
           conv("c2", "p1", "n2", "1,3,3") + transfer("n2", "tanh", 4) + conv("c3", "n2", "n3", "1,3,3") +
           conv("skip", "p1", "n3", "1,5,5") + transfer("n3", "rectify_linear", 4) +
           conv("c4", "n3", "n4", "1,2,2") + transfer("n4", "tanh", 3) +
           conv("c5", "n4", "output", "1,1,1") + transfer("output", "linear", 2);
}

std::int64_t kept_values(const net_graph& g, const std::vector<vec3>& sizes)
{
    std::int64_t all = 0;
    for (const auto& n : g.nodes()) all += n.maps() * activation_map_values(sizes[n.index], sizeof(float));
    return all;
}

}  // namespace

TEST_CASE("the activation plan shares storage only after every reader of its holder")
{
    auto g = graph_from(chain_with_skip());
    const std::vector<vec3> sizes = g->sizes_for_output({2, 5, 6});
    const activation_plan training = plan_activations(*g, sizes, false, sizeof(float));
    CHECK(training.storage_values.size() == g->nodes().size());
    CHECK(training.total_values() == kept_values(*g, sizes));
    for (const auto& n : g->nodes()) {
        CHECK(training.kept[n.index]);
        CHECK(training.wait_for[n.index].empty());
    }

    const activation_plan inference = plan_activations(*g, sizes, true, sizeof(float));
    CHECK(inference.storage_values.size() < g->nodes().size());
    CHECK(inference.total_values() < kept_values(*g, sizes));
    std::vector<int> position(g->nodes().size());
    for (std::size_t p = 0; p < g->topological_order().size(); ++p) position[g->topological_order()[p]] = static_cast<int>(p);
    // Walk each storage's holders in order: each must wait for its predecessor and all that
    // predecessor's readers, and those readers must come before it.
    for (std::size_t k = 0; k < inference.storage_values.size(); ++k) {
        int previous = -1;
        for (int n : g->topological_order()) {
            if (inference.storage[n] != static_cast<int>(k)) continue;
            CHECK(inference.storage_values[k] >= g->nodes()[n].maps() * activation_map_values(sizes[n], sizeof(float)));
            if (previous >= 0) {
                INFO("node " << g->nodes()[n].name() << " after " << g->nodes()[previous].name());
                const auto& wait = inference.wait_for[n];
                CHECK(std::find(wait.begin(), wait.end(), previous) != wait.end());
                for (int e : g->nodes()[previous].out_edges) {
                    const int reader = g->edges()[e].to;
                    CHECK(reader != n);
                    CHECK(position[reader] < position[n]);
                    CHECK(std::find(wait.begin(), wait.end(), reader) != wait.end());
                }
                CHECK_FALSE(inference.kept[previous]);
            }
            previous = n;
        }
        REQUIRE(previous >= 0);
        CHECK(inference.kept[previous]);
    }
    // The skip edge keeps p1 alive until n3: neither n2 nor n3 holds its storage.
    const int p1 = g->find_node("p1");
    for (const char* later : {"n2", "n3"}) CHECK(inference.storage[g->find_node(later)] != inference.storage[p1]);
    // The output is never taken over.
    CHECK(inference.kept[g->outputs()[0]]);
}

TEST_CASE("an inference network that shares its maps computes what a training network does")
{
    auto g = graph_from(chain_with_skip());
    const vec3 outsz{2, 5, 6};
    for (const char* mode : {"direct", "fft", "winograd"})
        for (int threads : {1, 3}) {
            INFO("mode " << mode << ", threads " << threads);
            engine_options keep, share;
            keep.conv_mode = share.conv_mode = mode;
            keep.threads = share.threads = threads;
            share.training = false;
            network<double> kept(*g, outsz, keep, 5), shared(*g, outsz, share, 5);
            std::mt19937_64 rng(11);
            // Two passes with different inputs: the second starts from the first one's leftovers.
            for (int pass = 0; pass < 2; ++pass) {
                auto in = random_inputs(kept, rng);
                kept.evaluate(in);
                shared.forward(in);
                CHECK(max_abs_diff(kept.output(), shared.output()) <= 1e-12);
            }
            const activation_plan plan = plan_activations(*g, shared.node_sizes(), true, sizeof(double));
            for (const auto& n : g->nodes()) {
                INFO("node " << n.name());
                if (plan.kept[n.index]) CHECK_NOTHROW(shared.activation(n.index));
                else CHECK_THROWS_AS(shared.activation(n.index), std::logic_error);
                CHECK_NOTHROW(kept.activation(n.index));
            }
        }
}
