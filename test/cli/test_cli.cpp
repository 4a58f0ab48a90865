// The `znn` executable: exit codes (0 ok, 1 failure while running, 2 bad usage or bad input) and the
// first lines of its messages, for every subcommand.
#include "cli_runner.hpp"

#include "../common/temp_job.hpp"

#include "znn/image_io.hpp"

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <random>

using cli_test::run_znn;
using cli_test::source_root;

namespace {

const char* const commands[] = {"train", "forward", "inspect", "convert"};

// The `# expect: NAME:LINE: message` comment of a file of the bad-input corpus, with NAME made the full path.
std::string expected_error(const std::filesystem::path& file)
{
    std::ifstream in(file);
    std::string first;
    std::getline(in, first);
    const std::string tag = "# expect: ";
    REQUIRE(first.rfind(tag, 0) == 0);
    return (file.parent_path() / first.substr(tag.size())).string();
}

// Every third file of a folder of the bad-input corpus (the spec suite checks every message; here the
// point is how the executable reports them), so that the suite stays fast.
std::vector<std::filesystem::path> corpus(const std::string& folder)
{
    std::vector<std::filesystem::path> files;
    for (const auto& e : std::filesystem::directory_iterator(source_root() + "/test/data/spec/bad/" + folder))
        files.push_back(e.path());
    std::sort(files.begin(), files.end());
    REQUIRE(files.size() > 5);
    std::vector<std::filesystem::path> some;
    for (std::size_t i = 0; i < files.size(); i += 3) some.push_back(files[i]);
    return some;
}

}  // namespace

TEST_CASE("znn without a command, --help, --version, an unknown command", "[cli]")
{
    auto r = run_znn({});
    CHECK(r.code == 2);
    CHECK(r.first_error_line() == "usage: znn <command> [options]");
    r = run_znn({"--help"});
    CHECK(r.code == 0);
    CHECK(r.out.rfind("usage: znn <command> [options]\n", 0) == 0);
    r = run_znn({"--version"});
    CHECK(r.code == 0);
    CHECK(r.out.rfind("znn ", 0) == 0);
    r = run_znn({"frobnicate"});
    CHECK(r.code == 2);
    CHECK(r.first_error_line().rfind("znn: unknown command 'frobnicate'", 0) == 0);
}

TEST_CASE("every subcommand: --help, help CMD, an unknown option", "[cli]")
{
    for (const std::string command : commands) {
        INFO(command);
        auto r = run_znn({command, "--help"});
        CHECK(r.code == 0);
        CHECK(r.out.rfind("usage: znn " + command, 0) == 0);
        CHECK(r.err.empty());
        r = run_znn({"help", command});
        CHECK(r.code == 0);
        CHECK(r.out.rfind("usage: znn " + command, 0) == 0);
        r = run_znn({command, "--no-such-option"});
        CHECK(r.code == 2);
        CHECK(r.first_error_line().rfind("znn " + command + ": ", 0) == 0);
        CHECK(r.first_error_line().find("no-such-option") != std::string::npos);
        CHECK(r.err.find("(see znn " + command + " --help)") != std::string::npos);
    }
    auto r = run_znn({"convert", "merge", "--help"});
    CHECK(r.code == 0);
    CHECK(r.out.rfind("usage: znn convert merge", 0) == 0);
}

TEST_CASE("train and forward: missing job files, bad cfg files with file:line", "[cli]")
{
    for (const std::string command : {"train", "forward"}) {
        INFO(command);
        auto r = run_znn({command});
        CHECK(r.code == 2);
        CHECK(r.first_error_line() == "znn " + command + ": missing the job file (CONFIG.cfg)");
        r = run_znn({command, "/no/such/job.cfg"});
        CHECK(r.code == 2);
        CHECK(r.first_error_line() == "znn " + command + ": /no/such/job.cfg: no such file");
        r = run_znn({command, "a.cfg", "b.cfg"});
        CHECK(r.code == 2);
    }
    for (const auto& file : corpus("cfg")) {
        INFO(file.string());
        const auto r = run_znn({"train", file.string()});
        CHECK(r.code == 2);
        CHECK(r.first_error_line() == "znn train: " + expected_error(file));
    }
    const auto bad = corpus("cfg").front();
    auto r = run_znn({"forward", bad.string()});
    CHECK(r.code == 2);
    CHECK(r.first_error_line() == "znn forward: " + expected_error(bad));
    r = run_znn({"forward", source_root() + "/test/data/spec/good/job/minimal.cfg", "--block", "3/2"});
    CHECK(r.code == 2);
    CHECK(r.first_error_line().rfind("znn forward: --block takes K/N", 0) == 0);
    r = run_znn({"train", source_root() + "/test/data/spec/good/job/minimal.cfg", "--set", "no_such_key=1"});
    CHECK(r.code == 2);
    CHECK(r.first_error_line().rfind("znn train: --set no_such_key", 0) == 0);
}

TEST_CASE("inspect: networks, stacks, bad files with file:line, missing files", "[cli]")
{
    znn::testing::temp_job dir("cli");
    dir.write("net.znn", znn::testing::tiny_boundary_net);
    const std::string good = dir.path("net.znn");
    auto r = run_znn({"inspect", good});
    CHECK(r.code == 0);
    CHECK(r.out.find("field of view: 1x8x8\n") != std::string::npos);
    r = run_znn({"inspect"});
    CHECK(r.code == 2);
    CHECK(r.first_error_line() == "znn inspect: missing FILE");
    r = run_znn({"inspect", good, "--outsz", "1,x,2"});
    CHECK(r.code == 2);
    CHECK(r.first_error_line().rfind("znn inspect: --outsz takes z,y,x", 0) == 0);
    r = run_znn({"inspect", "/no/such/net.znn"});
    CHECK(r.code == 2);
    CHECK(r.first_error_line() == "znn inspect: /no/such/net.znn: no such file");
    r = run_znn({"inspect", "/no/such/net.h5"});
    CHECK(r.code == 2);
    CHECK(r.first_error_line() == "znn inspect: /no/such/net.h5: no such file");
    r = run_znn({"inspect", good, "--curve", "c.csv"});
    CHECK(r.code == 2);
    CHECK(r.first_error_line().find("holds no learning curve") != std::string::npos);
    for (const auto& file : corpus("znn")) {
        INFO(file.string());
        r = run_znn({"inspect", file.string()});
        CHECK(r.code == 2);
        CHECK(r.first_error_line() == "znn inspect: " + expected_error(file));
    }

    const std::string original = source_root() + "/test/data/netfile/srini2d_net_current.h5";
    r = run_znn({"inspect", original, "--curve", dir.path("c.csv"), "--plot", dir.path("c.svg")});
    CHECK(r.code == 0);
    CHECK(r.out.rfind("network file: " + original + "\n", 0) == 0);
    CHECK(cli_test::slurp(dir.path("c.csv")).rfind("phase,iteration,cost,error,elapsed\n", 0) == 0);
    CHECK(cli_test::slurp(dir.path("c.svg")).find("</svg>") != std::string::npos);
    r = run_znn({"inspect", original, "--plot", dir.path("no/folder/c.svg")});
    CHECK(r.code == 1);

    znn::write_image(dir.path("img.tif"), znn::volume<float>({2, 3, 4}, 0.5f));
    r = run_znn({"inspect", dir.path("img.tif")});
    CHECK(r.code == 0);
    CHECK(r.out.find("shape (z,y,x): 2x3x4\n") != std::string::npos);
    dir.write("broken.tif", "not a tif");
    r = run_znn({"inspect", dir.path("broken.tif")});
    CHECK(r.code == 2);
    CHECK(r.first_error_line().rfind("znn inspect: " + dir.path("broken.tif") + ": ", 0) == 0);
}

TEST_CASE("convert: stacks, checked casts, usage errors, merge", "[cli]")
{
    znn::testing::temp_job dir("cli");
    znn::volume<std::uint16_t> v({1, 2, 2}, 7);
    v(0, 1, 1) = 300;
    znn::write_image(dir.path("in.tif"), v);

    auto r = run_znn({"convert", dir.path("in.tif"), dir.path("out.h5")});
    CHECK(r.code == 0);
    CHECK(r.err == "wrote " + dir.path("out.h5") + "\n");
    CHECK(znn::read_stack(dir.path("out.h5")).bytes == znn::read_stack(dir.path("in.tif")).bytes);
    r = run_znn({"convert", "-q", dir.path("out.h5"), dir.path("out32.tif"), "--dtype", "float32"});
    CHECK(r.code == 0);
    CHECK(r.err.empty());
    CHECK(znn::read_stack(dir.path("out32.tif")).type == znn::dtype::float32);

    r = run_znn({"convert", dir.path("in.tif"), dir.path("out8.tif"), "--dtype", "uint8"});
    CHECK(r.code == 2);
    CHECK(r.first_error_line() == "znn convert: " + dir.path("in.tif") +
                                      ": value 300 at channel 0, z 0, y 1, x 1 is out of range for uint8 (0 to 255, "
                                      "whole numbers); --dtype does not round or saturate");
    CHECK_FALSE(std::filesystem::exists(dir.path("out8.tif")));
    r = run_znn({"convert", dir.path("in.tif"), dir.path("o.h5"), "--dtype", "uint7"});
    CHECK(r.code == 2);
    CHECK(r.first_error_line().rfind("znn convert: unknown data type 'uint7'", 0) == 0);
    r = run_znn({"convert", dir.path("missing.tif"), dir.path("o.h5")});
    CHECK(r.code == 2);
    CHECK(r.first_error_line() == "znn convert: " + dir.path("missing.tif") + ": no such file");
    r = run_znn({"convert", dir.path("in.tif"), dir.path("o.png")});
    CHECK(r.code == 2);
    CHECK(r.first_error_line().rfind("znn convert: " + dir.path("o.png") + ": unknown image file type", 0) == 0);
    r = run_znn({"convert", dir.path("in.tif")});
    CHECK(r.code == 2);
    CHECK(r.first_error_line() == "znn convert: give the input and the output file (IN OUT)");
    r = run_znn({"convert", "--view", "--net", "a.h5", "b.h5"});
    CHECK(r.code == 2);
    r = run_znn({"convert", "--to-original", "a.h5", "b.h5"});
    CHECK(r.code == 2);
    CHECK(r.first_error_line() == "znn convert: --to-original goes with --net");

    r = run_znn({"convert", "--affinity", dir.path("in.tif"), dir.path("aff.h5")});
    CHECK(r.code == 0);
    CHECK(znn::read_stack(dir.path("aff.h5")).channels == 3);
    r = run_znn({"convert", "--view", dir.path("aff.h5"), dir.path("view.tif")});
    CHECK(r.code == 0);
    CHECK(r.err == "wrote " + dir.path("view_0.tif") + "\nwrote " + dir.path("view_1.tif") + "\nwrote " +
                       dir.path("view_2.tif") + "\n");
    r = run_znn({"convert", "--net", dir.path("aff.h5"), dir.path("net.h5")});
    CHECK(r.code == 2);
    CHECK(r.first_error_line().rfind("znn convert: " + dir.path("aff.h5") + ": ", 0) == 0);

    // merge
    r = run_znn({"convert", "merge"});
    CHECK(r.code == 2);
    CHECK(r.first_error_line() == "znn convert merge: missing the job file (CONFIG.cfg)");
    r = run_znn({"convert", "merge", "/no/such/job.cfg"});
    CHECK(r.code == 2);
    CHECK(r.first_error_line() == "znn convert: /no/such/job.cfg: no such file");
    const auto bad = corpus("cfg").back();
    r = run_znn({"convert", "merge", bad.string()});
    CHECK(r.code == 2);
    CHECK(r.first_error_line() == "znn convert: " + expected_error(bad));
    const std::string minimal = source_root() + "/test/data/spec/good/job/minimal.cfg";
    r = run_znn({"convert", "merge", minimal, "--set", "output_prefix=" + dir.path("pred"), "--set", "forward_range=1"});
    CHECK(r.code == 2);
    CHECK(r.first_error_line() == "znn convert: " + minimal + ": no block files " + dir.path("pred") +
                                      "_sample<S>_block<K>of<N>.h5 for forward_range 1 (run `znn forward --block K/N` "
                                      "first, or check output_prefix)");
}

TEST_CASE("convert on a full disk: exit status 1, one line naming the output, nothing left behind", "[cli]")
{
    // A file-size limit of a few KiB stands in for a full disk. libhdf5 1.10 cannot close a file whose
    // write failed and used to crash in its exit handler: znn exited 139 after the right message.
    znn::testing::temp_job dir("cli-full");
    znn::volume<float> v({1, 256, 256});
    std::mt19937 rng(5);
    for (auto& x : v) x = std::uniform_real_distribution<float>(0, 1)(rng);  // no compression saves it
    znn::write_image(dir.path("in.tif"), v);
    const char* exe = std::getenv("ZNN_EXE");
    REQUIRE(exe != nullptr);
    const std::string err = dir.path("err.txt");
    const std::string command = "sh -c " + cli_test::shell_quote("ulimit -f 16; trap '' XFSZ; " +
                                                                  cli_test::shell_quote(exe) + " convert " +
                                                                  cli_test::shell_quote(dir.path("in.tif")) + " " +
                                                                  cli_test::shell_quote(dir.path("out.h5")) + " 2>" +
                                                                  cli_test::shell_quote(err));
    const int status = std::system(command.c_str());
    REQUIRE(WIFEXITED(status));
    CHECK(WEXITSTATUS(status) == 1);
    const std::string text = cli_test::slurp(err);
    INFO(text);
    CHECK(text.rfind("znn convert: " + dir.path("out.h5") + ": ", 0) == 0);
    CHECK(text.find("File too large") != std::string::npos);
    CHECK(std::count(text.begin(), text.end(), '\n') == 1);
    for (const auto& entry : std::filesystem::directory_iterator(dir.path("")))
        CHECK(entry.path().filename().string().find("out.h5") == std::string::npos);
}
