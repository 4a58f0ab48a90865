#include "spec_test_data.hpp"

#include "znn/error.hpp"
#include "znn/net_spec.hpp"

#include <catch2/catch.hpp>

#include <fstream>
#include <sstream>

using namespace znn;
using Catch::Matchers::Equals;
using props = std::vector<std::pair<std::string, std::string>>;

namespace {

std::string file_text(const std::string& path)
{
    std::ifstream in(path, std::ios::binary);
    std::ostringstream s;
    s << in.rdbuf();
    return s.str();
}

std::string error_of(const std::string& text)
{
    try {
        parse_net_spec_text(text, "t.znn");
    } catch (const input_error& e) {
        return e.what();
    }
    return "no error";
}

// A one-edge net whose conv edge gets `extra` lines.
net_spec conv_with(const std::string& extra)
{
    return parse_net_spec_text("edges c\ntype conv\nsize 1,3,3\ninput a\noutput b\n" + extra, "t.znn");
}

// A transfer node with `extra` lines.
net_spec transfer_with(const std::string& extra)
{
    return parse_net_spec_text("nodes n\ntype transfer\nsize 2\n" + extra, "t.znn");
}

}  // namespace

TEST_CASE("net_spec: every node and edge type, with explicit values", "[spec][net]")
{
    const std::string path = test::spec_data("good/net_all.znn");
    const net_spec spec = load_net_spec(path);
    CHECK(spec.path == path);
    CHECK(spec.text == file_text(path));
    REQUIRE(spec.nodes.size() == 9);
    REQUIRE(spec.edges.size() == 9);

    const node_spec& input = spec.nodes[0];
    CHECK(input.name == "input");
    CHECK(input.line == 4);
    CHECK(input.type == "input");
    CHECK(input.size == 2);
    CHECK(input.function.empty());
    CHECK(input.init == "zero");
    CHECK(input.init_args.empty());
    CHECK(!input.dense);
    CHECK(input.seeding);
    CHECK(input.properties == props{{"type", "input"}, {"size", "2"}});
    CHECK(input.property_lines == std::map<std::string, int>{{"type", 5}, {"size", 6}});

    const edge_spec& c1 = spec.edges[0];
    CHECK(c1.name == "c1");
    CHECK(c1.line == 8);
    CHECK(c1.type == "conv");
    CHECK(c1.input == "input");
    CHECK(c1.output == "t1");
    CHECK(c1.size == vec3{3, 5, 5});
    CHECK(c1.stride == vec3{1, 2, 2});
    CHECK(c1.init == "gaussian");
    CHECK_THAT(c1.init_args, Equals(std::vector<double>{0.5, 0.25}));
    REQUIRE(c1.fft.has_value());
    CHECK(*c1.fft);
    CHECK(c1.repeat == vec3{1, 2, 2});
    CHECK(c1.learning.eta == 0.02);
    CHECK(c1.learning.momentum == 0.5);
    CHECK(c1.learning.weight_decay == 0.001);
    CHECK(!c1.seeding);
    CHECK(c1.properties == props{{"type", "conv"},        {"input", "input"},   {"output", "t1"}, {"size", "3,5,5"},
                                 {"stride", "1,2,2"},     {"init", "gaussian"}, {"init_args", "0.5,0.25"},
                                 {"fft", "1"},            {"repeat", "1,2,2"},  {"eta", "0.02"},  {"momentum", "0.5"},
                                 {"weight_decay", "0.001"}, {"seeding", "0"}});
    CHECK(c1.property_lines.at("type") == 9);
    CHECK(c1.property_lines.at("seeding") == 21);

    const node_spec& t1 = spec.nodes[1];
    CHECK(t1.type == "transfer");
    CHECK(t1.size == 4);
    CHECK(t1.function == "tanh");
    CHECK_THAT(t1.function_args, Equals(std::vector<double>{1.5, 0.5}));
    CHECK(t1.init == "constant");
    CHECK_THAT(t1.init_args, Equals(std::vector<double>{0.25}));
    CHECK(t1.learning.eta == 0.1);
    CHECK(t1.learning.momentum == 0.9);
    CHECK(t1.learning.weight_decay == 0.0001);
    CHECK(t1.dense);

    const edge_spec& f1 = spec.edges[1];
    CHECK(f1.type == "max_filter");
    CHECK(f1.size == vec3{1, 2, 2});
    CHECK(f1.stride == vec3{1, 2, 2});
    CHECK(f1.init.empty());
    CHECK(!f1.fft.has_value());

    const edge_spec& p1 = spec.edges[2];
    CHECK(p1.type == "max_pool");
    CHECK(p1.size == vec3{1, 3, 3});
    CHECK(p1.stride == vec3{1, 1, 1});

    CHECK(spec.edges[3].type == "dropout");
    CHECK(spec.edges[3].ratio == 0.75);
    CHECK(spec.edges[4].type == "crop");
    CHECK(spec.edges[4].offset == vec3{2, 2, 2});
    CHECK(spec.edges[5].offset == vec3{0, 1, 2});
    CHECK(spec.edges[6].type == "maxout");
    CHECK(spec.edges[7].type == "dummy");
    CHECK(spec.edges[7].ratio == 0.5);  // defaults stay on edges that do not use them

    const node_spec& s5 = spec.nodes[6];  // keys indented by tabs
    CHECK(s5.name == "s5");
    CHECK(s5.type == "sum");
    CHECK(s5.property_lines.at("size") == 84);
    const node_spec& mx = spec.nodes[7];
    CHECK(mx.type == "maxout");
    CHECK(!mx.dense);

    const edge_spec& c2 = spec.edges[8];  // a conv edge with only what it needs
    CHECK(c2.init == "xavier");
    CHECK(c2.init_args.empty());
    CHECK(c2.stride == vec3{1, 1, 1});
    CHECK(c2.repeat == vec3{1, 1, 1});
    CHECK(!c2.fft.has_value());
    CHECK(!c2.learning.eta.has_value());
    CHECK(!c2.learning.momentum.has_value());
    CHECK(!c2.learning.weight_decay.has_value());
    CHECK(c2.seeding);

    const node_spec& out = spec.nodes[8];
    CHECK(out.name == "output");
    CHECK(out.function == "linear");
    CHECK_THAT(out.function_args, Equals(std::vector<double>{1, 0}));

    CHECK(spec.find_node("t1") == &spec.nodes[1]);
    CHECK(spec.find_node("c1") == nullptr);
    CHECK(spec.find_edge("c1") == &spec.edges[0]);
    CHECK(spec.find_edge("zz") == nullptr);
}

TEST_CASE("net_spec: files in the original's style parse unchanged", "[spec][net]")
{
    const net_spec spec = load_net_spec(test::spec_data("good/net_legacy.znn"));
    REQUIRE(spec.nodes.size() == 6);
    REQUIRE(spec.edges.size() == 5);
    const edge_spec& conv1 = spec.edges[0];
    CHECK(conv1.init == "uniform");
    CHECK_THAT(conv1.init_args, Equals(std::vector<double>{-0.1, 0.1}));
    REQUIRE(conv1.fft.has_value());
    CHECK(!*conv1.fft);
    CHECK(!conv1.seeding);  // `load 0`, the old name of `seeding 0`
    CHECK(!spec.nodes[1].seeding);
    CHECK(spec.nodes[1].function == "rectify_linear");
    CHECK(spec.nodes[1].function_args.empty());
    // A sum node's function is accepted and, as in the original, not used.
    CHECK(spec.nodes[2].type == "sum");
    CHECK(spec.nodes[2].function.empty());
    CHECK(spec.nodes[2].properties == props{{"type", "sum"}, {"function", "rectify_linear"}, {"size", "8"}});
    // max_pool's stride (written by old files) is accepted and ignored.
    CHECK(spec.edges[1].stride == vec3{1, 1, 1});
    CHECK(spec.edges[2].init == "msra");
    CHECK_THAT(spec.nodes[3].function_args, Equals(std::vector<double>{1.7159, 0.6666}));
    CHECK(spec.edges[3].ratio == 0.5);
    CHECK(spec.nodes[5].function == "forward_logistics");  // "forward_logistic" is normalised
}

TEST_CASE("net_spec: CRLF line ends and a last line without newline", "[spec][net]")
{
    const net_spec spec = load_net_spec(test::spec_data("good/net_crlf.znn"));
    REQUIRE(spec.nodes.size() == 2);
    CHECK(spec.nodes[1].function == "logistics");
    CHECK(spec.nodes[1].size == 1);
    CHECK(spec.edges.at(0).init == "zero");
    CHECK(spec.edges[0].output == "output");
}

TEST_CASE("net_spec: the stream and text entry points agree", "[spec][net]")
{
    const std::string text = "nodes a\ntype input\nsize 3\n";
    std::istringstream in(text);
    const net_spec from_stream = parse_net_spec(in, "s.znn");
    CHECK(from_stream.text == text);
    CHECK(from_stream.path == "s.znn");
    REQUIRE(from_stream.nodes.size() == 1);
    CHECK(from_stream.nodes[0].size == 3);
    CHECK(parse_net_spec_text("", "e.znn").nodes.empty());
}

TEST_CASE("net_spec: init defaults and argument forms", "[spec][net]")
{
    using v = std::vector<double>;
    CHECK_THAT(conv_with("init zero\n").edges[0].init_args, Equals(v{}));
    CHECK_THAT(conv_with("init constant\n").edges[0].init_args, Equals(v{0}));
    CHECK_THAT(conv_with("init constant\ninit_args -2.5\n").edges[0].init_args, Equals(v{-2.5}));
    CHECK_THAT(conv_with("init uniform\n").edges[0].init_args, Equals(v{-0.1, 0.1}));
    CHECK_THAT(conv_with("init uniform\ninit_args 0.3\n").edges[0].init_args, Equals(v{-0.3, 0.3}));
    CHECK_THAT(conv_with("init uniform\ninit_args -1,2\n").edges[0].init_args, Equals(v{-1, 2}));
    CHECK_THAT(conv_with("init gaussian\n").edges[0].init_args, Equals(v{0, 0.01}));
    CHECK_THAT(conv_with("init gaussian\ninit_args 1,1e-3\n").edges[0].init_args, Equals(v{1, 0.001}));
    CHECK_THAT(conv_with("init bernoulli\n").edges[0].init_args, Equals(v{0.5}));
    CHECK_THAT(conv_with("init bernoulli\ninit_args 0.2\n").edges[0].init_args, Equals(v{0.2}));
    CHECK_THAT(conv_with("init xavier\n").edges[0].init_args, Equals(v{}));
    CHECK_THAT(conv_with("init msra\n").edges[0].init_args, Equals(v{}));
    // Node biases: zero by default, no fan-in inits.
    CHECK(transfer_with("function linear\n").nodes[0].init == "zero");
    CHECK_THAT(transfer_with("function linear\ninit uniform\ninit_args 0.5\n").nodes[0].init_args, Equals(v{-0.5, 0.5}));
}

TEST_CASE("net_spec: transfer functions and their argument defaults", "[spec][net]")
{
    using v = std::vector<double>;
    CHECK_THAT(transfer_with("function linear\n").nodes[0].function_args, Equals(v{1, 0}));
    CHECK_THAT(transfer_with("function linear\nfunction_args 2\n").nodes[0].function_args, Equals(v{2, 0}));
    CHECK_THAT(transfer_with("function linear\nfunction_args 2,-1\n").nodes[0].function_args, Equals(v{2, -1}));
    CHECK_THAT(transfer_with("function tanh\n").nodes[0].function_args, Equals(v{1, 1}));
    for (const char* f : {"rectify_linear", "soft_sign", "logistics", "forward_logistics"}) {
        const node_spec n = transfer_with(std::string("function ") + f + "\n").nodes[0];
        CHECK(n.function == f);
        CHECK(n.function_args.empty());
    }
    CHECK(transfer_with("function forward_logistic\n").nodes[0].function == "forward_logistics");
}

TEST_CASE("net_spec: a few errors named by file and line", "[spec][net]")
{
    // The rest are in the bad-file corpus; these check forms a file cannot hold.
    CHECK(error_of("nodes a\ntype sum\nsize 99999999999\n") ==
          "t.znn:3: bad value '99999999999' for 'size' in nodes a: expected a positive integer");
    CHECK(error_of("nodes a\ntype sum\nsize 4 # four maps\n") == "no error");
    CHECK(error_of("nodes a\ntype sum\nsize +4\n") == "no error");
    CHECK(error_of("nodes a\ntype Sum\nsize 4\n") == "t.znn:2: unknown type 'Sum' in nodes a (did you mean 'sum'?)");
    CHECK(error_of("Nodes a\n") == "t.znn:1: 'Nodes a' comes before any 'nodes NAME' or 'edges NAME' line");
    CHECK(error_of("nodes a\ntype input\nsize 1\nnodes b\n") == "t.znn:4: missing required key 'type' in nodes b");
    CHECK(error_of("edges e\ntype dropout\ninput a\noutput b\nratio 1e400\n") ==
          "t.znn:5: bad value '1e400' for 'ratio' in edges e: expected a keep probability in (0, 1]");
}

TEST_CASE("net_spec: load_net_spec reports a missing file", "[spec][net]")
{
    try {
        load_net_spec("/nonexistent/net.znn");
        FAIL("no error");
    } catch (const input_error& e) {
        CHECK(std::string(e.what()) == "/nonexistent/net.znn: no such file");
    }
}
