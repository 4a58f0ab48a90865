// The network graph: validation of the node/edge structure, sparsity, field of view and sizes.
#include "znn/error.hpp"
#include "znn/net_graph.hpp"
#include "znn/net_spec.hpp"

#include <catch2/catch.hpp>

#include <cstdlib>
#include <sstream>
#include <string>

using namespace znn;

namespace {

// A conv → transfer pair followed by an optional max_filter → sum pair, as N4-like nets are written.
std::string conv_block(const std::string& from, const std::string& to, const std::string& size, int maps,
                       const std::string& function = "rectify_linear")
{
    std::ostringstream s;
    s << "edges conv_" << to << "\ntype conv\ninit xavier\nsize " << size << "\nstride 1,1,1\ninput " << from
      << "\noutput " << to << "\n\nnodes " << to << "\ntype transfer\nfunction " << function << "\nsize " << maps
      << "\n\n";
    return s.str();
}

std::string filter_block(const std::string& from, const std::string& to, const std::string& size,
                         const std::string& stride, int maps)
{
    std::ostringstream s;
    s << "edges filter_" << to << "\ntype max_filter\nsize " << size << "\nstride " << stride << "\ninput " << from
      << "\noutput " << to << "\n\nnodes " << to << "\ntype sum\nsize " << maps << "\n\n";
    return s.str();
}

std::string n4_text()
{
    std::string t = "nodes input\ntype input\nsize 1\n\n";
    t += conv_block("input", "c1", "1,4,4", 48) + filter_block("c1", "p1", "1,2,2", "1,2,2", 48);
    t += conv_block("p1", "c2", "1,5,5", 48) + filter_block("c2", "p2", "1,2,2", "1,2,2", 48);
    t += conv_block("p2", "c3", "1,4,4", 48) + filter_block("c3", "p3", "1,2,2", "1,2,2", 48);
    t += conv_block("p3", "c4", "1,4,4", 48) + filter_block("c4", "p4", "1,2,2", "1,2,2", 48);
    t += conv_block("p4", "c5", "1,3,3", 200) + conv_block("c5", "output", "1,1,1", 2, "linear");
    return t;
}

net_graph graph_of(const std::string& text)
{
    return net_graph(parse_net_spec_text(text, "test.znn"));
}

std::string error_of(const std::string& text)
{
    try {
        net_graph g(parse_net_spec_text(text, "test.znn"));
    } catch (const input_error& e) {
        return e.what();
    }
    return "(no error)";
}

// Field of view by the manual's rule, walking back from the output: fov_in = (fov-1)*stride + size,
// applied to a chain of (size, stride) pairs listed from input to output.
std::int64_t chain_fov(const std::vector<std::pair<int, int>>& chain)
{
    std::int64_t fov = 1;
    for (auto it = chain.rbegin(); it != chain.rend(); ++it) fov = (fov - 1) * it->second + it->first;
    return fov;
}

}  // namespace

TEST_CASE("N4: sparsity doubles after every strided filter and the field of view is 1x95x95")
{
    net_graph g = graph_of(n4_text());
    CHECK(g.nodes()[g.find_node("c1")].sparsity == vec3(1, 1, 1));
    CHECK(g.nodes()[g.find_node("p1")].sparsity == vec3(1, 2, 2));
    CHECK(g.nodes()[g.find_node("p2")].sparsity == vec3(1, 4, 4));
    CHECK(g.nodes()[g.find_node("p4")].sparsity == vec3(1, 16, 16));
    CHECK(g.nodes()[g.find_node("output")].sparsity == vec3(1, 16, 16));
    CHECK(g.field_of_view() == vec3(1, 95, 95));
    // The same figure from the manual's stride rule on the chain of windows.
    CHECK(chain_fov({{4, 1}, {2, 2}, {5, 1}, {2, 2}, {4, 1}, {2, 2}, {4, 1}, {2, 2}, {3, 1}, {1, 1}}) == 95);
    // Without max_pool a dense output patch needs input = output + fov - 1.
    CHECK(g.input_size_for_output({1, 100, 100}) == vec3(1, 194, 194));
    CHECK(g.inputs().size() == 1);
    REQUIRE(g.outputs().size() == 1);
    CHECK(g.nodes()[g.outputs()[0]].name() == "output");
}

TEST_CASE("N4: parameter count is filters plus biases")
{
    net_graph g = graph_of(n4_text());
    std::int64_t expected = 1 * 48 * 16 + 48 * 48 * 25 + 48 * 48 * 16 + 48 * 48 * 16 + 48 * 200 * 9 + 200 * 2 * 1;
    expected += 48 * 4 + 200 + 2;  // biases of the transfer nodes
    CHECK(g.parameter_count() == expected);
}

TEST_CASE("every node's size for an output patch")
{
    net_graph g = graph_of(n4_text());
    auto sizes = g.sizes_for_output({1, 10, 10});
    CHECK(sizes[g.find_node("output")] == vec3(1, 10, 10));
    CHECK(sizes[g.find_node("c5")] == vec3(1, 10, 10));                // 1x1x1 conv
    CHECK(sizes[g.find_node("p4")] == vec3(1, 10 + 2 * 16, 10 + 2 * 16));  // 3x3 dilated by 16
    CHECK(sizes[g.find_node("input")] == vec3(1, 104, 104));
    CHECK_THROWS_AS(g.sizes_for_output({0, 10, 10}), input_error);
}

TEST_CASE("3D net: a 2,2,2 filter with stride 2 makes every axis sparse")
{
    std::string t = "nodes input\ntype input\nsize 1\n\n";
    t += conv_block("input", "c1", "3,3,3", 4) + filter_block("c1", "p1", "2,2,2", "2,2,2", 4);
    t += conv_block("p1", "output", "3,3,3", 3, "logistics");
    net_graph g = graph_of(t);
    CHECK(g.nodes()[g.find_node("output")].sparsity == vec3(2, 2, 2));
    CHECK(g.field_of_view() == vec3(8, 8, 8));  // 3 + 1 + 2*2
}

TEST_CASE("max_pool multiplies sizes; crop adds twice its offset")
{
    std::string t =
        "nodes input\ntype input\nsize 2\n\n"
        "edges pool\ntype max_pool\nsize 1,2,2\ninput input\noutput p\n\n"
        "nodes p\ntype sum\nsize 2\n\n"
        "edges cut\ntype crop\noffset 1\ninput p\noutput output\n\n"
        "nodes output\ntype sum\nsize 2\n";
    net_graph g = graph_of(t);
    CHECK(g.input_size_for_output({1, 4, 4}) == vec3(3, 12, 12));
    CHECK(g.parameter_count() == 0);
}

TEST_CASE("branches that meet must agree in size; sparsity must agree")
{
    std::string base = "nodes input\ntype input\nsize 1\n\n";
    // two paths from input to output: a 1,3,3 conv and a 1,5,5 conv both into output
    std::string t = base +
                    "edges a\ntype conv\ninit zero\nsize 1,3,3\ninput input\noutput output\n\n"
                    "edges b\ntype conv\ninit zero\nsize 1,5,5\ninput input\noutput output\n\n"
                    "nodes output\ntype transfer\nfunction linear\nsize 1\n";
    CHECK(error_of(t) == "test.znn:12: edges b needs node 'input' of size 1x5x5 but edges a needs 1x3x3 (branches that meet must agree)");

    std::string s = base +
                    "edges a\ntype conv\ninit zero\nsize 1,3,3\nstride 1,2,2\ninput input\noutput output\n\n"
                    "edges b\ntype conv\ninit zero\nsize 1,3,3\ninput input\noutput output\n\n"
                    "nodes output\ntype transfer\nfunction linear\nsize 1\n";
    CHECK(error_of(s) == "test.znn:13: edges b gives node 'output' sparsity 1x1x1 but another edge into it gives 1x2x2");
}

TEST_CASE("graph errors name the file, the line and what is wrong")
{
    std::string base = "nodes input\ntype input\nsize 1\n\n";
    SECTION("dangling input name")
    {
        std::string t = base + "edges e\ntype conv\ninit zero\nsize 1,3,3\ninput inptu\noutput output\n\n"
                               "nodes output\ntype transfer\nfunction linear\nsize 1\n";
        CHECK(error_of(t) == "test.znn:9: edges e: input node 'inptu' is not defined");
    }
    SECTION("dangling output name")
    {
        std::string t = base + "edges e\ntype conv\ninit zero\nsize 1,3,3\ninput input\noutput out\n\n"
                               "nodes output\ntype transfer\nfunction linear\nsize 1\n";
        CHECK(error_of(t) == "test.znn:10: edges e: output node 'out' is not defined");
    }
    SECTION("cycle")
    {
        std::string t = base +
                        "edges e1\ntype conv\ninit zero\nsize 1,1,1\ninput input\noutput a\n\n"
                        "nodes a\ntype sum\nsize 1\n\n"
                        "edges e2\ntype conv\ninit zero\nsize 1,1,1\ninput b\noutput a\n\n"
                        "edges e3\ntype conv\ninit zero\nsize 1,1,1\ninput a\noutput b\n\n"
                        "nodes b\ntype sum\nsize 1\n\n"
                        "edges e4\ntype conv\ninit zero\nsize 1,1,1\ninput b\noutput output\n\n"
                        "nodes output\ntype transfer\nfunction linear\nsize 1\n";
        CHECK(error_of(t) == "test.znn:12: the network has a cycle through node 'a'");
    }
    SECTION("one-to-one edge between nodes of different map counts")
    {
        std::string t = base + "edges f\ntype max_filter\nsize 1,2,2\nstride 1,1,1\ninput input\noutput output\n\n"
                               "nodes output\ntype sum\nsize 3\n";
        CHECK(error_of(t) ==
              "test.znn:5: edges f (max_filter) maps each input map to one output map, but node 'input' has 1 maps and node 'output' has 3");
    }
    SECTION("node without incoming edge")
    {
        std::string t = base + "edges e\ntype conv\ninit zero\nsize 1,1,1\ninput input\noutput output\n\n"
                               "nodes lonely\ntype sum\nsize 1\n\n"
                               "nodes output\ntype transfer\nfunction linear\nsize 1\n";
        CHECK(error_of(t) == "test.znn:12: nodes lonely (sum) has no incoming edge");
    }
    SECTION("edge into the input")
    {
        std::string t = base + "nodes other\ntype input\nsize 1\n\n"
                               "edges e\ntype conv\ninit zero\nsize 1,1,1\ninput other\noutput input\n";
        CHECK(error_of(t) == "test.znn:14: edges e leads into input node 'input'");
    }
    SECTION("max_pool after a sparse layer")
    {
        std::string t = base + filter_block("input", "p", "1,2,2", "1,2,2", 1) +
                        "edges pool\ntype max_pool\nsize 1,2,2\ninput p\noutput output\n\nnodes output\ntype sum\nsize 1\n";
        CHECK(error_of(t) ==
              "test.znn:16: edges pool: max_pool needs a dense input, but node 'p' has sparsity 1x2x2 (use max_filter for dense output)");
    }
}

TEST_CASE("bundled networks have the fields of view of the originals")
{
    const char* root = std::getenv("ZNN_SOURCE_ROOT");
    REQUIRE(root != nullptr);
    std::string dir = std::string(root) + "/networks/";
    CHECK(net_graph(load_net_spec(dir + "N4.znn")).field_of_view() == vec3(1, 95, 95));
    CHECK(net_graph(load_net_spec(dir + "VD2D.znn")).field_of_view() == vec3(1, 109, 109));
    CHECK(net_graph(load_net_spec(dir + "VD2D3D.znn")).field_of_view() == vec3(5, 85, 85));
}
