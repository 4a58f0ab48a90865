// net_graph with absurd numbers in a .znn (each may be up to 2^63-1): sizes, sparsities, volumes and
// parameter counts that overflow 64-bit arithmetic are refused with file:line errors, never wrapped.
#include "robust_support.hpp"

#include "znn/error.hpp"
#include "znn/net_graph.hpp"
#include "znn/net_spec.hpp"

#include <string>

namespace {

// What building the graph of `text` throws ("" when it builds).
std::string graph_error(const std::string& text)
{
    try {
        znn::net_graph graph(znn::parse_net_spec_text(text, "big.znn"));
    } catch (const znn::input_error& e) {
        return e.what();
    }
    return "";
}

const std::string input_node = "nodes input\ntype input\nsize 1\n\n";  // lines 1-4

// An edge block of 7 lines (and a blank one) and a node block of `type` (sum or transfer).
std::string edge(const std::string& name, const std::string& type, const std::string& from, const std::string& to,
                 const std::string& keys)
{
    return "edges " + name + "\ntype " + type + "\n" + keys + "input " + from + "\noutput " + to + "\n\n";
}
std::string node(const std::string& name, const std::string& type, int maps = 1)
{
    return "nodes " + name + "\ntype " + type + "\n" + (type == "transfer" ? "function linear\n" : "") + "size " +
           std::to_string(maps) + "\n\n";
}

constexpr const char* two_to_62_plus_1 = "4611686018427387905";  // reaches 2^62
constexpr const char* two_to_32 = "4294967296";

}  // namespace

TEST_CASE("net_graph: a filter window too large to count is refused at its size line", "[robust][graph]")
{
    // Line 8 is `size` (edges e at line 5: type, init, size).
    CHECK(graph_error(input_node + edge("e", "conv", "input", "out", "init zero\nsize 9223372036854775807,2,1\n") +
                      node("out", "transfer")) ==
          "big.znn:8: edges e: 1x1 filters of 9223372036854775807x2x1 are more parameters than 64-bit arithmetic can "
          "count");
    // Maps multiply in: (2^31-1)^2 times 2 taps fits (with the 2^31-1 biases), times 4 does not.
    const std::string many = "2147483647";
    CHECK(graph_error("nodes input\ntype input\nsize " + many + "\n\n" +
                      edge("e", "conv", "input", "out", "init zero\nsize 1,1,2\n") + node("out", "transfer", 2147483647))
              .empty());
    CHECK(graph_error("nodes input\ntype input\nsize " + many + "\n\n" +
                      edge("e", "conv", "input", "out", "init zero\nsize 1,2,2\n") + node("out", "transfer", 2147483647)) ==
          "big.znn:8: edges e: 2147483647x2147483647 filters of 1x2x2 are more parameters than 64-bit arithmetic can "
          "count");
}

TEST_CASE("net_graph: parameter counts that overflow only in their sum are refused", "[robust][graph]")
{
    // Each edge has 2^62+1 weights; the second brings the total past 2^63-1.
    const std::string keys = std::string("init zero\nsize ") + two_to_62_plus_1 + ",1,1\n";
    CHECK(graph_error(input_node + edge("e1", "conv", "input", "a", keys) + node("a", "transfer") +
                      edge("e2", "conv", "input", "b", keys) + node("b", "transfer")) ==
          std::string("big.znn:20: edges e2: 1x1 filters of ") + two_to_62_plus_1 +
              "x1x1 are more parameters than 64-bit arithmetic can count");
}

TEST_CASE("net_graph: a field of view beyond 64 bits is refused at the edge that needs it", "[robust][graph]")
{
    // Two max_filters each reaching 2^62: the input would need 2^63 + 1.
    const std::string keys = std::string("size ") + two_to_62_plus_1 + ",1,1\nstride 1,1,1\n";
    CHECK(graph_error(input_node + edge("f1", "max_filter", "input", "mid", keys) + node("mid", "sum") +
                      edge("f2", "max_filter", "mid", "out", keys) + node("out", "sum")) ==
          std::string("big.znn:5: edges f1: for an output of 1x1x1, node 'input' would need a size beyond 64-bit "
                      "arithmetic (from size ") +
              "4611686018427387905x1x1 of node 'mid')");
    // One of them is fine: the input is 2^62 + 1 long.
    const std::string one = input_node + edge("f1", "max_filter", "input", "out", keys) + node("out", "sum");
    REQUIRE(graph_error(one).empty());
    CHECK(znn::net_graph(znn::parse_net_spec_text(one, "big.znn")).field_of_view() ==
          znn::vec3{(std::int64_t(1) << 62) + 1, 1, 1});
}

TEST_CASE("net_graph: a size whose volume overflows is refused", "[robust][graph]")
{
    CHECK(graph_error(input_node +
                      edge("f", "max_filter", "input", "out",
                           std::string("size ") + two_to_32 + "," + two_to_32 + ",1\nstride 1,1,1\n") +
                      node("out", "sum")) ==
          "big.znn:5: edges f: for an output of 1x1x1, node 'input' would need a size beyond 64-bit arithmetic (from "
          "size 1x1x1 of node 'out')");
}

TEST_CASE("net_graph: sparsity that overflows along strided edges is refused at the stride line", "[robust][graph]")
{
    const std::string keys = std::string("init zero\nsize 1,1,1\nstride ") + two_to_32 + ",1,1\n";
    // edges e2 starts at line 18: type, init, size, stride (line 22).
    CHECK(graph_error(input_node + edge("e1", "conv", "input", "a", keys) + node("a", "transfer") +
                      edge("e2", "conv", "a", "out", keys) + node("out", "transfer")) ==
          "big.znn:22: edges e2: the sparsity of node 'out' (4294967296x1x1 times stride 4294967296x1x1) overflows "
          "64-bit arithmetic");
}

TEST_CASE("net_graph: max_pool and crop sizes that overflow are refused", "[robust][graph]")
{
    const std::string pool = std::string("size ") + two_to_32 + ",1,1\n";
    CHECK(graph_error(input_node + edge("p1", "max_pool", "input", "a", pool) + node("a", "sum") +
                      edge("p2", "max_pool", "a", "out", pool) + node("out", "sum")) ==
          "big.znn:5: edges p1: for an output of 1x1x1, node 'input' would need a size beyond 64-bit arithmetic (from "
          "size 4294967296x1x1 of node 'a')");
    CHECK(graph_error(input_node + edge("c", "crop", "input", "out", "offset 4611686018427387904\n") +
                      node("out", "sum")) ==
          "big.znn:5: edges c: for an output of 1x1x1, node 'input' would need a size beyond 64-bit arithmetic (from "
          "size 1x1x1 of node 'out')");
}

TEST_CASE("net_graph: sizes_for_output refuses an output size that overflows", "[robust][graph]")
{
    const std::string text =
        input_node + edge("f", "max_filter", "input", "out", "size 3,3,3\nstride 1,1,1\n") + node("out", "sum");
    const znn::net_graph graph(znn::parse_net_spec_text(text, "big.znn"));
    CHECK(graph.input_size_for_output({100, 200, 300}) == znn::vec3{102, 202, 302});
    // 2^31 x 2^31 x 1 outputs fit in 64 bits; the 3x3x3 window makes the input 3 * (2^31+2)^2 > 2^63.
    const znn::vec3 big{std::int64_t(1) << 31, std::int64_t(1) << 31, 1};
    try {
        (void)graph.sizes_for_output(big);
        FAIL("no error");
    } catch (const znn::input_error& e) {
        CHECK(std::string(e.what()) ==
              "big.znn:5: edges f: for an output of 2147483648x2147483648x1, node 'input' would need a size beyond "
              "64-bit arithmetic (from size 2147483648x2147483648x1 of node 'out')");
    }
    CHECK_THROWS_AS(graph.sizes_for_output({INT64_MAX, 1, 1}), znn::input_error);  // INT64_MAX + 2 wraps
    CHECK_THROWS_WITH(graph.sizes_for_output({std::int64_t(1) << 62, std::int64_t(1) << 62, 1}),
                      "output size 4611686018427387904,4611686018427387904,1 is beyond 64-bit arithmetic");
}
