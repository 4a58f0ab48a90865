// The report of a saved network (`znn inspect NET.h5`) and the choice of report by file kind.
#include "report_fixtures.hpp"

#include "../common/temp_job.hpp"

#include "znn/error.hpp"
#include "znn/image_io.hpp"
#include "znn/report.hpp"

#include <catch2/catch.hpp>

#include <cstdlib>
#include <sstream>

using namespace znn;

namespace {

std::vector<std::string> lines_of(const std::string& text)
{
    std::vector<std::string> lines;
    std::istringstream in(text);
    for (std::string line; std::getline(in, line);) lines.push_back(line);
    return lines;
}

bool has_line(const std::string& text, const std::string& line)
{
    for (const std::string& l : lines_of(text))
        if (l == line) return true;
    return false;
}

// Lines whose first word is `word` (rows of the curve tables).
int rows_starting(const std::string& text, const std::string& word)
{
    int n = 0;
    for (const std::string& l : lines_of(text)) {
        std::istringstream in(l);
        std::string first;
        if (in >> first && first == word) ++n;
    }
    return n;
}

std::string inspect_text(const std::string& path, const inspect_options& options = {})
{
    std::ostringstream out;
    inspect_file(path, options, out);
    return out.str();
}

std::string source_root()
{
    const char* root = std::getenv("ZNN_SOURCE_ROOT");
    return root ? root : ".";
}

}  // namespace

TEST_CASE("a saved znn network is described with its architecture, iteration, dtype, cfg and curve", "[report]")
{
    testing::temp_job dir("report");
    const std::string path = dir.path("net.h5");
    save_net_file(path, report_test::tiny_net());

    REQUIRE(holds_network(path));
    REQUIRE(detect_inspect_kind(path) == inspect_kind::net_file);
    const std::string text = inspect_text(path);
    CHECK(has_line(text, "network file: " + path));
    CHECK(has_line(text, "saved by: znn 7.7.7-test"));
    CHECK(has_line(text, "iteration: 1234"));
    CHECK(has_line(text, "dtype: float32"));
    CHECK(has_line(text, "stored parameters: 23"));  // 18 + 2 + 2 + 1, counted by hand
    CHECK(has_line(text, "parameters: 23"));
    CHECK(has_line(text, "field of view: 1x3x3"));
    CHECK(has_line(text, "  eta = 0.01"));             // the cfg, indented
    // The curve: the last 10 of 12 train points (300..1200), both test points.
    CHECK(text.find("train (12 points, the last 10):") != std::string::npos);
    CHECK(text.find("test (2 points):") != std::string::npos);
    CHECK(rows_starting(text, "100") == 0);
    CHECK(rows_starting(text, "200") == 0);
    CHECK(rows_starting(text, "300") == 1);
    CHECK(rows_starting(text, "1200") == 1);
    CHECK(rows_starting(text, "500") == 2);  // a train and a test point
    CHECK(text.find("0.0833333") != std::string::npos);  // 1/12, the last train cost

    SECTION("--outsz adds the sizes")
    {
        inspect_options o;
        o.outsz = vec3{1, 4, 4};
        const std::string sized = inspect_text(path, o);
        CHECK(has_line(sized, "input size: 1x6x6"));
    }
    SECTION("float64 parameters")
    {
        net_file net = report_test::tiny_net();
        net.float64 = true;
        save_net_file(path, net);
        CHECK(has_line(inspect_text(path), "dtype: float64"));
    }
}

TEST_CASE("layers that form no valid network are listed as stored", "[report]")
{
    testing::temp_job dir("report");
    const std::string path = dir.path("odd.h5");
    net_file net = report_test::tiny_net();
    net.znn_text = "";  // rebuilt from the groups, where nl1 names a function znn does not know
    for (auto& layer : net.layers)
        if (layer.name == "nl1") layer.strings[1].second = "no_such_function";
    save_net_file(path, net);
    const std::string text = inspect_text(path);
    CHECK(text.find("do not form a network") != std::string::npos);
    CHECK(has_line(text, "stored parameters: 23"));
    CHECK(has_line(text, "field of view: unknown"));
    CHECK(rows_starting(text, "conv1") == 1);
    CHECK(rows_starting(text, "nl1") == 1);
}

TEST_CASE("a network saved by the original ZNN is described", "[report]")
{
    const std::string path = source_root() + "/test/data/netfile/srini2d_net_current.h5";
    REQUIRE(holds_network(path));
    const std::string text = inspect_text(path);
    CHECK(has_line(text, "saved by: the original ZNN"));
    CHECK(text.find("field of view: ") != std::string::npos);
    CHECK(text.find("learning curve") != std::string::npos);
}

TEST_CASE("the kind of file comes from its name and, for h5, its content", "[report]")
{
    testing::temp_job dir("report");
    write_image(dir.path("stack.h5"), volume<float>({1, 2, 2}, 0.5f));
    write_image(dir.path("stack.tif"), volume<std::uint8_t>({1, 2, 2}, 3));
    save_net_file(dir.path("net.h5"), report_test::tiny_net());
    dir.write("net.znn", report_test::tiny_znn_text);
    dir.write("notes.txt", "hello");
    dir.write("fake.h5", "not hdf5");

    CHECK(detect_inspect_kind(dir.path("net.znn")) == inspect_kind::net_spec);
    CHECK(detect_inspect_kind(dir.path("stack.h5")) == inspect_kind::stack);
    CHECK(detect_inspect_kind(dir.path("stack.tif")) == inspect_kind::stack);
    CHECK(detect_inspect_kind(dir.path("net.h5")) == inspect_kind::net_file);
    CHECK(detect_inspect_kind(dir.path("net.h5") + ":/processing/znn/train/network/nl1/biases") == inspect_kind::stack);
    CHECK_FALSE(holds_network(dir.path("stack.h5")));
    CHECK_FALSE(holds_network(dir.path("fake.h5")));
    CHECK_FALSE(holds_network(dir.path("missing.h5")));
    CHECK(has_line(inspect_text(dir.path("net.znn")), "field of view: 1x3x3"));

    SECTION("errors name the file")
    {
        CHECK_THROWS_WITH(inspect_text(dir.path("missing.h5")), dir.path("missing.h5") + ": no such file");
        CHECK_THROWS_WITH(inspect_text(dir.path("missing.znn")), dir.path("missing.znn") + ": no such file");
        CHECK_THROWS_AS(inspect_text(dir.path("notes.txt")), input_error);
        CHECK_THROWS_WITH(inspect_text(dir.path("notes.txt")), Catch::StartsWith(dir.path("notes.txt") + ": unknown kind"));
        CHECK_THROWS_AS(inspect_text(dir.path("fake.h5")), input_error);
        inspect_options curve;
        curve.curve_csv = dir.path("c.csv");
        CHECK_THROWS_WITH(inspect_text(dir.path("net.znn"), curve), Catch::Contains("holds no learning curve"));
        CHECK_THROWS_WITH(inspect_text(dir.path("stack.tif"), curve), Catch::Contains("holds no learning curve"));
        inspect_options sized;
        sized.outsz = vec3{1, 1, 1};
        CHECK_THROWS_AS(inspect_text(dir.path("stack.tif"), sized), input_error);
    }
    SECTION("--curve and --plot write their files")
    {
        inspect_options o;
        o.curve_csv = dir.path("curve.csv");
        o.curve_svg = dir.path("curve.svg");
        const std::string text = inspect_text(dir.path("net.h5"), o);
        CHECK(has_line(text, "wrote " + o.curve_csv));
        CHECK(has_line(text, "wrote " + o.curve_svg));
        CHECK(std::filesystem::file_size(o.curve_csv) > 0);
        CHECK(std::filesystem::file_size(o.curve_svg) > 0);
        o.curve_csv = dir.path("no/such/folder/curve.csv");
        CHECK_THROWS_AS(inspect_text(dir.path("net.h5"), o), runtime_failure);
    }
}
