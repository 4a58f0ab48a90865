// `znn convert --net` when writing fails half-way (a full disk): the previous output is untouched, no
// temporary file is left, and the error names the output.
#include "../common/temp_job.hpp"
#include "../common/write_failure.hpp"

#include "znn/convert.hpp"
#include "znn/error.hpp"
#include "znn/net_file.hpp"

#include <catch2/catch.hpp>

#include <cstdlib>
#include <fstream>

using namespace znn;

namespace {

std::string source_root()
{
    const char* root = std::getenv("ZNN_SOURCE_ROOT");
    return root ? root : ".";
}

}  // namespace

TEST_CASE("a network conversion that fails half-way leaves the previous output and no temporary file", "[convert]")
{
    testing::temp_job dir("convert-failure");
    const std::string original = source_root() + "/test/data/netfile/srini2d_net_current.h5";
    const bool to_original = GENERATE(false, true);
    INFO("to the original's layout: " << to_original);
    const std::string out = dir.path("out.h5");
    const std::string previous = "the previous output\n";
    std::ofstream(out) << previous;

    // The network's file is about 240 kB: HDF5 runs out of room while writing it.
    const std::string error =
        testing::runtime_failure_on_full_disk(2048, [&] { convert_network(original, out, to_original); });
    CHECK_THAT(error, Catch::StartsWith(out + ": cannot save the network: "));
    CHECK(testing::file_contents(out) == previous);
    CHECK(testing::temporary_files_in(dir.path("")) == 0);

    convert_network(original, out, to_original);
    CHECK(load_net_file(out).layers.size() == load_net_file(original).layers.size());
    CHECK(testing::temporary_files_in(dir.path("")) == 0);
}
