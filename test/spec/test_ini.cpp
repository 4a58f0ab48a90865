#include "znn/error.hpp"
#include "znn/ini.hpp"

#include <boost/property_tree/ptree.hpp>
#include <catch2/catch.hpp>

#include <sstream>

using namespace znn;

namespace {

ini_file parse(const std::string& text)
{
    std::istringstream in(text);
    return parse_ini(in, "t.ini");
}

std::string error_of(const std::string& text)
{
    try {
        parse(text);
    } catch (const input_error& e) {
        return e.what();
    }
    return "no error";
}

}  // namespace

TEST_CASE("ini: both separators, lower-cased keys, trimmed values, line numbers", "[spec][ini]")
{
    const ini_file f = parse("# comment\n"
                             "[Parameters]\n"
                             "Eta = 0.01\n"
                             "fnet_spec:../net.znn\n"
                             "  ; indented comment\n"
                             "empty =\n"
                             "quoted = \"\"\n"
                             "url = http://x:80/a=b\n");
    REQUIRE(f.path == "t.ini");
    REQUIRE(f.sections.size() == 1);
    const ini_section& s = f.sections[0];
    CHECK(s.name == "Parameters");
    CHECK(s.line == 2);
    REQUIRE(s.entries.size() == 5);
    CHECK(s.entries[0].key == "eta");
    CHECK(s.entries[0].value == "0.01");
    CHECK(s.entries[0].line == 3);
    CHECK(s.entries[1].key == "fnet_spec");
    CHECK(s.entries[1].value == "../net.znn");
    CHECK(s.entries[1].line == 4);
    CHECK(s.entries[2].value.empty());
    CHECK(s.entries[3].value.empty());  // ConfigParser reads "" as empty
    // The key ends at the first separator; the rest is the value.
    CHECK(s.entries[4].key == "url");
    CHECK(s.entries[4].value == "http://x:80/a=b");

    CHECK(s.find("ETA") == &s.entries[0]);
    CHECK(s.find("nothing") == nullptr);
    CHECK(f.find("Parameters") == &s);
    CHECK(f.find("parameters") == nullptr);  // section names are case-sensitive, as in ConfigParser
}

TEST_CASE("ini: continuation lines join with newlines, across comments and blank lines", "[spec][ini]")
{
    const ini_file f = parse("[image1]\n"
                             "fnames = a.tif,\n"
                             "         b.tif\n"
                             "\n"
                             "# between\n"
                             "\tc.tif\n"
                             "pp_types = none\n"
                             "fmasks =\n"
                             "    m1.tif\n");
    const ini_section& s = f.sections.at(0);
    REQUIRE(s.entries.size() == 3);
    CHECK(s.entries[0].value == "a.tif,\nb.tif\nc.tif");
    CHECK(s.entries[0].line == 2);
    CHECK(s.entries[1].value == "none");
    CHECK(s.entries[2].value == "m1.tif");  // an empty first line leaves no leading newline
}

TEST_CASE("ini: inline ';' comments after whitespace are dropped (Python 2 ConfigParser)", "[spec][ini]")
{
    const ini_file f = parse("[p]\na = 1 ; one\nb = x;y\nc = 2 # not a comment\n");
    const ini_section& s = f.sections[0];
    CHECK(s.find("a")->value == "1");
    CHECK(s.find("b")->value == "x;y");
    CHECK(s.find("c")->value == "2 # not a comment");
}

TEST_CASE("ini: CRLF line ends, a byte-order mark and trailing text after ']' comments", "[spec][ini]")
{
    const ini_file f = parse("\xEF\xBB\xBF[a] ; note\r\nk = v\r\n[b]\r\nk2 = w\r\n  x\r\n");
    REQUIRE(f.sections.size() == 2);
    CHECK(f.sections[0].name == "a");
    CHECK(f.sections[0].entries[0].value == "v");
    CHECK(f.sections[1].entries[0].value == "w\nx");
}

TEST_CASE("ini: to_ptree gives section.key", "[spec][ini]")
{
    const auto tree = parse("[parameters]\nEta = 0.5\nfnames = a,\n  b\n[sample1]\ninput = 1\n").to_ptree();
    CHECK(tree.get<double>("parameters.eta") == 0.5);
    CHECK(tree.get<std::string>("parameters.fnames") == "a,\nb");
    CHECK(tree.get<int>("sample1.input") == 1);
    CHECK(tree.size() == 2);
}

TEST_CASE("ini: malformed text names file and line", "[spec][ini]")
{
    CHECK(error_of("[a]\nk = 1\n[a]\n") == "t.ini:3: duplicate section [a] (first on line 1)");
    CHECK(error_of("[a]\nk = 1\nK: 2\n") == "t.ini:3: duplicate key 'k' in [a] (first on line 2)");
    CHECK(error_of("\nk = 1\n[a]\n") == "t.ini:2: 'k = 1' comes before any [section] header");
    CHECK(error_of("[a\nk = 1\n") == "t.ini:1: section header '[a' lacks its closing ']'");
    CHECK(error_of("[a]\njust words\n") == "t.ini:2: expected 'key = value' or 'key: value', got 'just words'");
    CHECK(error_of("[a]\n = 3\n") == "t.ini:2: indented line '= 3' does not continue a key (keys start in the first column)");
    CHECK(error_of("[a]\n= 3\n") == "t.ini:2: missing key before '='");
    CHECK(error_of("[ ]\n") == "t.ini:1: empty section name '[]'");
    CHECK(error_of("[a] b\n") == "t.ini:1: unexpected 'b' after section header [a]");
}

TEST_CASE("ini: load_ini reports a missing file without a line", "[spec][ini]")
{
    try {
        load_ini("/nonexistent/znn/file.ini");
        FAIL("no error");
    } catch (const input_error& e) {
        CHECK(std::string(e.what()) == "/nonexistent/znn/file.ini: no such file");
        CHECK(e.line() == 0);
    }
}
