#include "znn/config.hpp"
#include "znn/error.hpp"

#include <catch2/catch.hpp>

using namespace znn;
using ints = std::vector<int>;

namespace {

std::string error_of(const std::string& text)
{
    try {
        parse_range(text, "j.cfg", 4, "train_range");
    } catch (const input_error& e) {
        return e.what();
    }
    return "no error";
}

}  // namespace

TEST_CASE("parse_range: numbers and inclusive ranges as a sorted set", "[spec][range]")
{
    auto parse = [](const std::string& t) { return parse_range(t, "j.cfg", 4, "train_range"); };
    CHECK(parse("1-3,6") == ints{1, 2, 3, 6});
    CHECK(parse("6,1") == ints{1, 6});
    CHECK(parse("3-1") == ints{1, 2, 3});
    CHECK(parse(" 2 , 4 - 5 ") == ints{2, 4, 5});
    CHECK(parse("1,1,1-2") == ints{1, 2});
    CHECK(parse("7") == ints{7});
    CHECK(parse("1,\n2") == ints{1, 2});  // a continued INI value
    CHECK(parse("1,2,") == ints{1, 2});
    CHECK(parse("").empty());
    CHECK(parse("  ").empty());
}

TEST_CASE("parse_range: malformed items are errors at the given file and line", "[spec][range]")
{
    const std::string expected = "j.cfg:4: bad value '%' for 'train_range': expected positive sample numbers and ranges such as 1-3,6";
    for (const std::string bad : {"a", "1-", "-1", "0", "1-2-3", "1.5", "1;2", "2-x", "1 2"}) {
        INFO(bad);
        std::string message = expected;
        message.replace(message.find('%'), 1, bad);
        CHECK(error_of(bad) == message);
    }
    CHECK(error_of("1-2000000") == "j.cfg:4: bad value '1-2000000' for 'train_range': sample numbers above 1000000 are not supported");
}

TEST_CASE("format_range: compresses runs, and parse_range reads it back", "[spec][range]")
{
    CHECK(format_range({}) == "");
    CHECK(format_range({1}) == "1");
    CHECK(format_range({1, 2}) == "1,2");
    CHECK(format_range({1, 2, 3, 6}) == "1-3,6");
    CHECK(format_range({9, 5, 3, 4, 10}) == "3-5,9,10");
    CHECK(format_range({4, 4}) == "4");
    for (const ints& set : {ints{1}, ints{2, 3, 4, 8, 9, 10, 11, 20}, ints{1, 3, 5, 7}, ints{100, 101}})
        CHECK(parse_range(format_range(set), "x", 1, "k") == set);
}
