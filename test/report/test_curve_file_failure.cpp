// `znn inspect --curve/--plot` when writing fails half-way (a full disk): the error names the file, the
// file that was there before is untouched and no temporary file is left in the folder.
#include "report_fixtures.hpp"

#include "../common/temp_job.hpp"
#include "../common/write_failure.hpp"

#include "znn/report.hpp"

#include <catch2/catch.hpp>

#include <fstream>
#include <sstream>

using namespace znn;

TEST_CASE("a curve file that fails half-way leaves the previous file and no temporary file")
{
    testing::temp_job dir("curve-failure");
    save_net_file(dir.path("net.h5"), report_test::tiny_net());
    const std::string previous = "the previous file\n";
    const bool svg = GENERATE(false, true);
    const std::string target = dir.path(svg ? "curve.svg" : "curve.csv");
    std::ofstream(target) << previous;

    inspect_options o;
    (svg ? o.curve_svg : o.curve_csv) = target;
    std::ostringstream report;
    // Both files are far larger than 40 bytes (the SVG is kilobytes, the CSV 13 rows).
    const std::string error = testing::runtime_failure_on_full_disk(40, [&] { inspect_file(dir.path("net.h5"), o, report); });
    CHECK_THAT(error, Catch::StartsWith(target + ": cannot write"));
    CHECK(testing::file_contents(target) == previous);
    CHECK(testing::temporary_files_in(dir.path("")) == 0);

    // The same call on a disk with room replaces the file whole.
    inspect_file(dir.path("net.h5"), o, report);
    CHECK(testing::file_contents(target) != previous);
    CHECK(testing::file_contents(target).size() > 40);
    CHECK(testing::temporary_files_in(dir.path("")) == 0);
}
