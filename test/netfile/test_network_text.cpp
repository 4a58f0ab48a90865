// network_text: the stored text when there is one, else blocks rebuilt from the groups in reading order.
#include "znn/net_file.hpp"
#include "znn/net_spec.hpp"

#include "sample_net.hpp"

#include <catch2/catch.hpp>

using namespace netfile_test;

namespace {

znn::layer_record edge(const std::string& name, const std::string& type, const std::string& from,
                       const std::string& to)
{
    znn::layer_record e;
    e.name = name;
    e.is_edge = true;
    e.strings = {{"input", from}, {"output", to}, {"type", type}};
    return e;
}

std::size_t at(const std::string& text, const std::string& header)
{
    const std::size_t position = text.find(header + "\n");
    INFO(header << " in\n" << text);
    REQUIRE(position != std::string::npos);
    return position;
}

}  // namespace

TEST_CASE("network_text returns the stored .znn when there is one", "[netfile]")
{
    const znn::net_file net = sample_net(false);
    CHECK(znn::network_text(net) == net.znn_text);
}

TEST_CASE("the rebuilt .znn walks the graph breadth first from the input", "[netfile]")
{
    // Stored alphabetically, as a file lists its groups.
    znn::net_file net;
    net.layers.push_back(edge("a_to_merge", "dummy", "branch_a", "merge"));
    net.layers.push_back(node("branch_a", "sum", 4));
    net.layers.push_back(node("branch_b", "sum", 4));
    net.layers.push_back(edge("b_to_merge", "dummy", "branch_b", "merge"));
    znn::layer_record conv10 = conv_edge("conv10", "input", "branch_b", 1, 4, {1, 3, 3});
    conv10.strings.emplace_back("eta", " 0.5 ");  // white space cannot survive in a .znn value
    net.layers.push_back(conv10);
    net.layers.push_back(conv_edge("conv2", "input", "branch_a", 1, 4, {1, 3, 3}));
    net.layers.push_back(conv_edge("conv_out", "merge", "output", 4, 1, {1, 1, 1}));
    net.layers.push_back(node("input", "input", 1));
    net.layers.push_back(node("merge", "sum", 4));
    znn::layer_record output = node("output", "transfer", 1);
    output.strings.emplace_back("function", "logistics");
    output.strings.emplace_back("name", "output");        // bookkeeping: never a .znn key
    output.strings.emplace_back("group_type", "node");
    net.layers.push_back(output);

    const std::string text = znn::network_text(net);
    INFO(text);
    // input, its edges (conv2 before conv10), then the nodes they reach, in that order, each followed by
    // its edges; merge only once both branches are out.
    const std::vector<std::string> order{"nodes input", "edges conv2",      "edges conv10",  "nodes branch_a",
                                         "edges a_to_merge", "nodes branch_b", "edges b_to_merge", "nodes merge",
                                         "edges conv_out",   "nodes output"};
    for (std::size_t k = 1; k < order.size(); ++k) CHECK(at(text, order[k - 1]) < at(text, order[k]));

    CHECK(text.find("edges conv10\ntype conv\ninput input\noutput branch_b\nsize 1,3,3\nstride 1,1,1\ninit xavier\n"
                    "fft 0\neta 0.5\n") != std::string::npos);
    CHECK(text.find("nodes output\ntype transfer\nsize 1\nfunction logistics\n") != std::string::npos);
    CHECK(text.find("group_type") == std::string::npos);
    CHECK(text.find("name output") == std::string::npos);
    CHECK(text.find("\n\nedges conv2\n") != std::string::npos);  // blocks apart by a blank line

    const znn::net_spec spec = znn::parse_net_spec_text(text, "rebuilt.znn");
    CHECK(spec.nodes.size() == 5);
    CHECK(spec.edges.size() == 5);
    REQUIRE(spec.find_edge("conv10") != nullptr);
    CHECK(spec.find_edge("conv10")->size == znn::vec3{1, 3, 3});
    REQUIRE(spec.find_node("output") != nullptr);
    CHECK(spec.find_node("output")->function == "logistics");
}

TEST_CASE("layers the walk cannot reach still appear", "[netfile]")
{
    znn::net_file net;
    net.layers.push_back(node("input", "input", 1));
    net.layers.push_back(node("island", "sum", 1));
    net.layers.push_back(edge("loop_a", "dummy", "x", "y"));
    net.layers.push_back(node("x", "sum", 1));
    net.layers.push_back(node("y", "sum", 1));
    net.layers.push_back(edge("loop_b", "dummy", "y", "x"));
    net.layers.push_back(edge("dangling", "dummy", "nowhere", "island"));
    const std::string text = znn::network_text(net);
    for (const char* header : {"nodes input", "nodes island", "nodes x", "nodes y", "edges loop_a", "edges loop_b",
                               "edges dangling"})
        CHECK(text.find(std::string(header) + "\n") != std::string::npos);
}
