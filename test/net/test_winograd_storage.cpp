// plan_winograd_storages (src/net/winograd_storage.cpp, internal to the library): which Winograd
// layers share the storage of their transforms. Layers that run one after the other share; layers
// whose transforms are read at the same time never do; the backward pass reuses the forward storages.
// The network tests check the results of such sharing against direct convolution.
#include "net_fixtures.hpp"

#include "network_state.hpp"

#include <catch2/catch.hpp>

#include <algorithm>

using namespace znn;
using namespace znn::testing;

namespace {

std::vector<char> all_winograd(const net_graph& g)
{
    std::vector<char> flags(g.edges().size(), 0);
    for (const auto& e : g.edges()) flags[e.index] = e.type() == "conv";
    return flags;
}

// Three Winograd layers in a chain.
std::string chain()
{
    return node("input", "input", 2) + conv("c1", "input", "n1", "2,3,3") + transfer("n1", "tanh", 6) +
           conv("c2", "n1", "n2", "1,3,3") + transfer("n2", "tanh", 3) + conv("c3", "n2", "output", "2,2,2") +
           transfer("output", "linear", 2);
}

engine_options one_thread(bool training)
{
    engine_options opt;
    opt.training = training;
    opt.threads = 1;
    return opt;
}

template <class T>
std::size_t input_values(const network_state<T>& s, const std::string& edge)
{
    const int e = s.graph.find_edge(edge);
    return winograd_maps<T>::storage_size(s.winograd_input_tiling(e), static_cast<std::size_t>(s.source(e).maps()));
}

}  // namespace

TEST_CASE("a chain of Winograd layers keeps one storage, the size of its largest layer's")
{
    auto g = graph_from(chain());
    network_state<float> s(*g, {3, 8, 7}, one_thread(false));
    const winograd_storage_plan plan = plan_winograd_storages(s, all_winograd(*g));
    REQUIRE(plan.sizes.size() == 1);
    CHECK(plan.forward[0] == std::vector<int>{g->find_edge("c1"), g->find_edge("c2"), g->find_edge("c3")});
    CHECK(plan.backward[0].empty());
    CHECK(plan.sizes[0] == std::max({input_values(s, "c1"), input_values(s, "c2"), input_values(s, "c3")}));
    CHECK(plan.values() < input_values(s, "c1") + input_values(s, "c2") + input_values(s, "c3"));
    CHECK(plan.input_after[g->find_edge("c1")] == -1);
    CHECK(plan.input_after[g->find_edge("c2")] == g->find_edge("c1"));
    CHECK(plan.input_after[g->find_edge("c3")] == g->find_edge("c2"));

    // Only the edges flagged Winograd take part.
    std::vector<char> some = all_winograd(*g);
    some[g->find_edge("c2")] = 0;
    const winograd_storage_plan without = plan_winograd_storages(s, some);
    REQUIRE(without.sizes.size() == 1);
    CHECK(without.forward[0] == std::vector<int>{g->find_edge("c1"), g->find_edge("c3")});
    CHECK(without.input_after[g->find_edge("c2")] == -1);
}

TEST_CASE("layers whose transforms are read side by side never share a storage")
{
    // n1 feeds ca and cb: both transforms of n1 are live until a and b are done.
    const std::string text =
        node("input", "input", 1) + conv("c1", "input", "n1", "2,3,3") + transfer("n1", "tanh", 3) +
        conv("ca", "n1", "a", "1,3,3") + transfer("a", "tanh", 4) + conv("cb", "n1", "b", "2,3,3") +
        transfer("b", "rectify_linear", 5) + conv("cc", "a", "output", "2,4,4") +
        conv("cd", "b", "output", "1,4,4") + transfer("output", "linear", 2);
    auto g = graph_from(text);
    network_state<float> s(*g, {2, 7, 6}, one_thread(false));
    const winograd_storage_plan plan = plan_winograd_storages(s, all_winograd(*g));
    auto storage_of = [&](const std::string& edge) {
        const int e = g->find_edge(edge);
        for (std::size_t k = 0; k < plan.forward.size(); ++k)
            if (std::find(plan.forward[k].begin(), plan.forward[k].end(), e) != plan.forward[k].end()) return k;
        return plan.forward.size();
    };
    CHECK(storage_of("ca") != storage_of("cb"));
    for (const char* e : {"c1", "ca", "cb", "cc", "cd"}) CHECK(storage_of(e) < plan.forward.size());
    CHECK(plan.sizes.size() == 2);
    // Each edge waits for the edge before it in its storage, whose target must then be done.
    for (const auto& e : g->edges()) {
        const int before = plan.input_after[e.index];
        if (before < 0) continue;
        const auto& order = g->topological_order();
        auto position = [&](int n) { return std::find(order.begin(), order.end(), n) - order.begin(); };
        CHECK(position(g->edges()[before].to) <= position(e.from));
    }
}

TEST_CASE("the backward pass's gradient transforms reuse the forward pass's storages")
{
    auto g = graph_from(chain());
    network_state<double> s(*g, {3, 8, 7}, one_thread(true));
    const winograd_storage_plan plan = plan_winograd_storages(s, all_winograd(*g));
    // c1 reads the input: no gradient to it. c3's gradient transforms are written first (backward).
    REQUIRE(plan.sizes.size() == 1);
    CHECK(plan.backward[0] == std::vector<int>{g->find_edge("c3"), g->find_edge("c2")});
    CHECK(plan.grad_after[g->find_edge("c3")] == -1);
    CHECK(plan.grad_after[g->find_edge("c2")] == g->find_edge("c3"));
    std::size_t largest = 0;
    for (const char* e : {"c2", "c3"}) {
        const int i = g->find_edge(e);
        largest = std::max(largest, winograd_maps<double>::storage_size(
                                        s.winograd_grad_tiling(i), static_cast<std::size_t>(s.target(i).maps())));
    }
    for (const char* e : {"c1", "c2", "c3"}) largest = std::max(largest, input_values(s, e));
    CHECK(plan.sizes[0] == largest);
}

TEST_CASE("edges with Winograd filter gradients take two more storages in turn, in backward order")
{
    auto g = graph_from(chain());
    network_state<float> s(*g, {3, 8, 7}, one_thread(true));
    const int c1 = g->find_edge("c1"), c2 = g->find_edge("c2"), c3 = g->find_edge("c3");
    s.winograd_filter_grad.assign(g->edges().size(), 0);
    s.winograd_filter_grad[c1] = s.winograd_filter_grad[c2] = 1;
    const winograd_storage_plan plan = plan_winograd_storages(s, all_winograd(*g));
    // The forward and backward passes share one storage as before; the filter gradients transform their
    // inputs (again) and output gradients into one storage each, c2 before c1.
    REQUIRE(plan.sizes.size() == 3);
    CHECK(plan.forward[0] == std::vector<int>{c1, c2, c3});
    CHECK(plan.backward[0] == std::vector<int>{c3, c2});
    CHECK(plan.filter_inputs[0].empty());
    CHECK(plan.gradients[0].empty());
    CHECK(plan.filter_inputs[1] == std::vector<int>{c2, c1});
    CHECK(plan.gradients[1].empty());
    CHECK(plan.gradients[2] == std::vector<int>{c2, c1});
    CHECK(plan.filter_inputs[2].empty());
    for (std::size_t k : {1, 2}) CHECK((plan.forward[k].empty() && plan.backward[k].empty()));
    CHECK(plan.filter_after[c2] == -1);
    CHECK(plan.filter_after[c1] == c2);
    CHECK(plan.filter_after[c3] == -1);
    CHECK(plan.sizes[1] == std::max(input_values(s, "c1"), input_values(s, "c2")));
    auto gradient_values = [&](int e) {
        return winograd_gradients<float>::storage_size(s.winograd_input_tiling(e),
                                                       static_cast<std::size_t>(s.target(e).maps()));
    };
    CHECK(plan.sizes[2] == std::max(gradient_values(c1), gradient_values(c2)));

    // Forward-only networks have no filter gradients.
    network_state<float> inference(*g, {3, 8, 7}, one_thread(false));
    inference.winograd_filter_grad = s.winograd_filter_grad;
    CHECK(plan_winograd_storages(inference, all_winograd(*g)).sizes.size() == 1);
}

TEST_CASE("fused Winograd layers store no forward transforms")
{
    auto g = graph_from(chain());
    network_state<float> s(*g, {3, 8, 7}, one_thread(false));
    s.winograd_fused.assign(g->edges().size(), 0);
    s.winograd_fused[g->find_edge("c2")] = 1;  // its forward pass transforms n1's maps as it goes
    const winograd_storage_plan plan = plan_winograd_storages(s, all_winograd(*g));
    REQUIRE(plan.sizes.size() == 1);
    CHECK(plan.forward[0] == std::vector<int>{g->find_edge("c1"), g->find_edge("c3")});
    CHECK(plan.sizes[0] == std::max(input_values(s, "c1"), input_values(s, "c3")));
    CHECK(plan.input_after[g->find_edge("c3")] == g->find_edge("c1"));
    CHECK(plan.input_after[g->find_edge("c2")] == -1);
}
