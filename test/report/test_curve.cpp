// The learning curve as CSV (exact text) and as SVG (well-formed, the expected lines and dots).
#include "znn/report.hpp"

#include <catch2/catch.hpp>

#include <cmath>
#include <limits>
#include <regex>
#include <sstream>

using namespace znn;

namespace {

std::string csv(const learning_curve& c)
{
    std::ostringstream out;
    write_curve_csv(c, out);
    return out.str();
}

std::string svg(const learning_curve& c, const std::string& title = "t")
{
    std::ostringstream out;
    write_curve_svg(c, title, out);
    return out.str();
}

int count(const std::string& text, const std::string& what)
{
    int n = 0;
    for (std::size_t pos = text.find(what); pos != std::string::npos; pos = text.find(what, pos + 1)) ++n;
    return n;
}

// A small XML check: every tag closes in order, attributes are quoted, text has no raw '<' or '&'
// outside entities. Returns "" when well-formed, else what is wrong.
std::string xml_problem(const std::string& text)
{
    std::vector<std::string> open;
    std::size_t pos = 0;
    if (text.rfind("<?xml", 0) == 0) pos = text.find("?>") + 2;
    while (pos < text.size()) {
        const std::size_t lt = text.find('<', pos);
        const std::string between = text.substr(pos, lt == std::string::npos ? std::string::npos : lt - pos);
        for (std::size_t a = between.find('&'); a != std::string::npos; a = between.find('&', a + 1))
            if (!std::regex_search(between.substr(a), std::regex("^&(amp|lt|gt|quot|apos);")))
                return "raw & in text";
        if (lt == std::string::npos) break;
        const std::size_t gt = text.find('>', lt);
        if (gt == std::string::npos) return "unclosed tag";
        std::string tag = text.substr(lt + 1, gt - lt - 1);
        if (tag.find('<') != std::string::npos) return "< inside a tag";
        pos = gt + 1;
        if (!tag.empty() && tag[0] == '/') {
            if (open.empty() || open.back() != tag.substr(1)) return "mismatched </" + tag.substr(1) + ">";
            open.pop_back();
            continue;
        }
        const bool self_closing = !tag.empty() && tag.back() == '/';
        if (count(tag, "\"") % 2 != 0) return "unbalanced quotes in <" + tag + ">";
        const std::string name = tag.substr(0, tag.find_first_of(" \t\n/"));
        if (!self_closing) open.push_back(name);
    }
    return open.empty() ? "" : "unclosed <" + open.back() + ">";
}

// The points of every polyline, as (x, y) pixel pairs.
std::vector<std::vector<std::pair<double, double>>> polylines(const std::string& text)
{
    std::vector<std::vector<std::pair<double, double>>> all;
    const std::regex line("<polyline[^>]* points=\"([^\"]*)\"");
    for (auto it = std::sregex_iterator(text.begin(), text.end(), line); it != std::sregex_iterator(); ++it) {
        std::vector<std::pair<double, double>> pts;
        std::istringstream in((*it)[1].str());
        double x = 0, y = 0;
        char comma = 0;
        while (in >> x >> comma >> y) pts.emplace_back(x, y);
        all.push_back(pts);
    }
    return all;
}

learning_curve sample_curve()
{
    learning_curve c;
    c.train_it = {100, 200, 1000000};
    c.train_err = {0.5, 0.25, 0.125};
    c.train_cls = {0.1, 0.05, 0};
    c.elapsed = {1.5, 3, 4.5};
    c.test_it = {200, 400};
    c.test_err = {0.3, 0.2};
    c.test_cls = {0.07, 0.06};
    return c;
}

}  // namespace

TEST_CASE("the learning curve as CSV", "[report]")
{
    CHECK(csv(sample_curve()) ==
          "phase,iteration,cost,error,elapsed\n"
          "train,100,0.5,0.1,1.5\n"
          "train,200,0.25,0.05,3\n"
          "train,1000000,0.125,0,4.5\n"
          "test,200,0.3,0.07,\n"
          "test,400,0.2,0.06,\n");

    learning_curve odd;
    odd.train_it = {1, 2, 3};
    odd.train_err = {std::numeric_limits<double>::quiet_NaN(), 1e-7, 2};
    odd.train_cls = {0.5, 0.25};  // shorter: the curve stops at two points
    CHECK(csv(odd) ==
          "phase,iteration,cost,error,elapsed\n"
          "train,1,nan,0.5,\n"
          "train,2,1e-07,0.25,\n");
    CHECK(csv(learning_curve{}) == "phase,iteration,cost,error,elapsed\n");
}

TEST_CASE("the learning curve as a text table", "[report]")
{
    std::ostringstream out;
    write_curve_table(sample_curve(), out, 2);
    const std::string text = out.str();
    CHECK(text.find("train (3 points, the last 2):") != std::string::npos);
    CHECK(text.find("     1000000         0.125             0") != std::string::npos);
    CHECK(text.find("test (2 points):") != std::string::npos);
    std::ostringstream none;
    write_curve_table(learning_curve{}, none);
    CHECK(none.str().find("train: no points") != std::string::npos);
}

TEST_CASE("the learning curve as SVG", "[report]")
{
    SECTION("train and test in both panels")
    {
        const std::string text = svg(sample_curve(), "net <A&B>");
        CHECK(text.rfind("<?xml", 0) == 0);
        CHECK(text.find("<svg xmlns=\"http://www.w3.org/2000/svg\"") != std::string::npos);
        CHECK(text.size() > 7);
        CHECK(text.substr(text.size() - 7) == "</svg>\n");
        CHECK(xml_problem(text) == "");
        CHECK(text.find("net &lt;A&amp;B&gt;") != std::string::npos);
        CHECK(count(text, "<polyline class=\"train\"") == 2);
        CHECK(count(text, "<polyline class=\"test\"") == 2);
        CHECK(text.find(">cost</text>") != std::string::npos);
        CHECK(text.find(">classification error</text>") != std::string::npos);
        CHECK(text.find(">iteration</text>") != std::string::npos);
        CHECK(text.find(">train</text>") != std::string::npos);  // legend
        CHECK(text.find(">test</text>") != std::string::npos);
        CHECK(text.find(">1M</text>") != std::string::npos);     // the last x tick (1e6)

        const auto lines = polylines(text);
        REQUIRE(lines.size() == 4);
        // Train cost (the first line) falls, so its y pixel grows; iterations grow to the right.
        const auto& cost = lines[0];
        REQUIRE(cost.size() == 3);
        CHECK(cost[0].first < cost[1].first);
        CHECK(cost[1].first < cost[2].first);
        CHECK(cost[0].second < cost[1].second);
        CHECK(cost[1].second < cost[2].second);
        // The error panel sits to the right of the cost panel.
        CHECK(lines[2].front().first > cost.back().first);
    }
    SECTION("no test curve: no test line and no test legend")
    {
        learning_curve c = sample_curve();
        c.test_it.clear();
        c.test_err.clear();
        c.test_cls.clear();
        const std::string text = svg(c);
        CHECK(xml_problem(text) == "");
        CHECK(count(text, "<polyline") == 2);
        CHECK(text.find(">test</text>") == std::string::npos);
    }
    SECTION("a single point is a dot")
    {
        learning_curve c;
        c.train_it = {0};
        c.train_err = {0.7};
        c.train_cls = {0.5};
        const std::string text = svg(c);
        CHECK(xml_problem(text) == "");
        CHECK(count(text, "<polyline") == 0);
        CHECK(count(text, "<circle") == 2);
    }
    SECTION("a NaN breaks the line")
    {
        learning_curve c;
        c.train_it = {1, 2, 3, 4, 5};
        c.train_err = {1, 0.9, std::numeric_limits<double>::quiet_NaN(), 0.7, 0.6};
        c.train_cls = {0.5, 0.4, 0.3, 0.2, 0.1};
        const std::string text = svg(c);
        CHECK(xml_problem(text) == "");
        CHECK(count(text, "<polyline") == 3);  // cost: two pieces; error: one
    }
    SECTION("no curve at all")
    {
        const std::string text = svg(learning_curve{});
        CHECK(xml_problem(text) == "");
        CHECK(count(text, "no data") == 2);
        CHECK(text.find("no learning curve stored") != std::string::npos);
    }
}
