// The corpus of bad files: test/data/spec/bad/{znn,spec,cfg}/. The first line of each file is a
// comment "# expect: NAME:LINE: MESSAGE" (or "NAME: MESSAGE" for errors about the whole file), and
// loading the file must throw input_error whose what() is exactly the folder, '/', and that text.
#include "spec_test_data.hpp"

#include "znn/config.hpp"
#include "znn/data_spec.hpp"
#include "znn/error.hpp"
#include "znn/net_spec.hpp"

#include <catch2/catch.hpp>

#include <algorithm>
#include <filesystem>
#include <fstream>

using namespace znn;
namespace fs = std::filesystem;

namespace {

std::string expectation(const fs::path& file)
{
    std::ifstream in(file);
    std::string first;
    std::getline(in, first);
    const std::string tag = "# expect: ";
    if (first.rfind(tag, 0) != 0) return "";
    return first.substr(tag.size());
}

void load(const fs::path& file)
{
    const std::string ext = file.extension().string();
    if (ext == ".znn")
        load_net_spec(file.string());
    else if (ext == ".spec")
        load_data_spec(file.string());
    else if (ext == ".cfg")
        load_config(file.string());
    else
        FAIL("unexpected file in the bad corpus: " << file);
}

std::vector<fs::path> corpus(const std::string& kind)
{
    std::vector<fs::path> files;
    for (const auto& entry : fs::directory_iterator(test::spec_data("bad/" + kind))) files.push_back(entry.path());
    std::sort(files.begin(), files.end());
    return files;
}

}  // namespace

TEST_CASE("bad files: each raises exactly the error its first line names", "[spec][bad]")
{
    std::size_t total = 0;
    for (const std::string kind : {"znn", "spec", "cfg"}) {
        const auto files = corpus(kind);
        CHECK(files.size() >= 15);
        total += files.size();
        for (const auto& file : files) {
            DYNAMIC_SECTION(file.filename().string())
            {
                const std::string expected = expectation(file);
                REQUIRE(!expected.empty());
                // The expectation names the file itself, so a copy-paste slip shows up.
                REQUIRE(expected.rfind(file.filename().string() + ":", 0) == 0);
                std::string actual = "no error";
                try {
                    load(file);
                } catch (const input_error& e) {
                    actual = e.what();
                }
                CHECK(actual == file.parent_path().string() + "/" + expected);
            }
        }
    }
    CHECK(total >= 40);
}
