#include "spec_test_data.hpp"

#include "znn/data_spec.hpp"
#include "znn/error.hpp"

#include <catch2/catch.hpp>

#include <cstdio>
#include <filesystem>
#include <fstream>

#include <unistd.h>

using namespace znn;
using strings = std::vector<std::string>;

TEST_CASE("data_spec: images, labels and samples with resolved paths", "[spec][data]")
{
    const std::string path = test::spec_data("good/data/sample.spec");
    const std::string folder = test::spec_data("good/data");
    const data_spec spec = load_data_spec(path);
    CHECK(spec.path == path);
    REQUIRE(spec.images.size() == 3);
    REQUIRE(spec.labels.size() == 3);
    REQUIRE(spec.samples.size() == 3);

    const image_spec& i1 = spec.images.at(1);
    CHECK(i1.id == 1);
    CHECK(i1.line == 2);
    CHECK(i1.fnames == strings{folder + "/raw/stack1.tif", folder + "/raw/stack2.tif"});
    CHECK(i1.pp_types == "standard2D");
    CHECK(i1.is_auto_crop);

    const image_spec& i2 = spec.images.at(2);
    // "file.h5:/dataset": the file part is resolved, the dataset part kept.
    CHECK(i2.fnames == strings{test::spec_data("good/shared.h5") + ":/main/raw"});
    CHECK(i2.pp_types == "symetric_rescale");
    CHECK(!i2.is_auto_crop);

    const image_spec& i3 = spec.images.at(3);
    CHECK(i3.fnames == strings{"/abs/data/vol.tif", folder + "/raw/x.tif"});
    CHECK(i3.pp_types == "none");
    CHECK(!i3.is_auto_crop);

    const label_spec& l1 = spec.labels.at(1);
    CHECK(l1.line == 17);
    CHECK(l1.fnames == strings{folder + "/lbl/seg1.tif", folder + "/lbl/seg2.tif"});
    CHECK(l1.pp_types == "binary_class");
    CHECK(l1.fmasks.empty());
    CHECK(l1.is_auto_crop);

    const label_spec& l2 = spec.labels.at(2);
    CHECK(l2.fnames == strings{folder + "/lbl/aff.h5"});
    CHECK(l2.pp_types == "affinity");
    CHECK(l2.fmasks == strings{folder + "/msk/m.tif"});
    CHECK(!l2.is_auto_crop);
    CHECK(spec.labels.at(3).pp_types == "auto");

    const sample_spec& s1 = spec.samples.at(1);
    CHECK(s1.line == 33);
    REQUIRE(s1.bindings.size() == 2);
    CHECK(s1.bindings[0].node == "input");
    CHECK(s1.bindings[0].id == 1);
    CHECK(s1.bindings[0].line == 34);
    CHECK(s1.bindings[1].node == "output");
    CHECK(s1.find("output") == &s1.bindings[1]);
    CHECK(s1.find("nothing") == nullptr);

    const sample_spec& s2 = spec.samples.at(2);
    CHECK(s2.bindings[0].node == "input");  // keys are lower-cased, as ConfigParser does
    CHECK(s2.find("INPUT") == &s2.bindings[0]);  // and looked up case-insensitively
    CHECK(s2.find("output")->id == 2);

    const sample_spec& s3 = spec.samples.at(3);  // forward-only: no output binding
    REQUIRE(s3.bindings.size() == 1);
    CHECK(s3.find("output") == nullptr);
}

TEST_CASE("data_spec: a spec in the working folder keeps relative names; pp spelling variants", "[spec][data]")
{
    const std::string name = "znn_test_spec_" + std::to_string(::getpid()) + ".spec";
    {
        std::ofstream out(name);
        out << "[image7]\nfnames = ./a/../b.tif\npp_types = symmetric_rescale\nis_auto_crop = 0\n"
               "[sample2]\ninputA = 7\n";
    }
    const data_spec spec = load_data_spec(name);
    std::remove(name.c_str());
    CHECK(spec.images.at(7).fnames == strings{"b.tif"});
    CHECK(spec.images.at(7).pp_types == "symetric_rescale");
    CHECK(spec.samples.at(2).find("inputA")->id == 7);
}

TEST_CASE("data_spec: load_data_spec reports a missing file", "[spec][data]")
{
    try {
        load_data_spec("/nonexistent/x.spec");
        FAIL("no error");
    } catch (const input_error& e) {
        CHECK(std::string(e.what()) == "/nonexistent/x.spec: no such file");
    }
}
