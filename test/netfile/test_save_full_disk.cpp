// A save that fails on a full disk: a clear runtime_failure naming the file, the previous file intact,
// no temporary file, and a process that still ends normally. libhdf5 1.10 keeps a file it failed to
// write open and crashes over it in its exit handler (H5F__close_cb), so the child here ends through
// exit(), which runs those handlers; test/common/write_failure.hpp's helper uses _exit and cannot see it.
#include "../common/write_failure.hpp"

#include "znn/error.hpp"
#include "znn/net_file.hpp"

#include "netfile_test_util.hpp"
#include "sample_net.hpp"

#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <string>

using namespace netfile_test;

namespace {

// Saves `net` at `path` in a forked child whose files may not grow past `room` bytes, then ends the
// child with std::exit(0), so that libhdf5's exit handlers run.
znn::testing::limited_child save_in_child(rlim_t room, const std::string& path, const znn::net_file& net)
{
    return znn::testing::run_with_file_size_limit(
        room,
        [&] {
            std::string message = "(no error)";
            try {
                znn::save_net_file(path, net);
            } catch (const znn::runtime_failure& e) {
                message = e.what();
            } catch (const std::exception& e) {
                message = std::string("(another exception: ") + e.what() + ")";
            }
            return std::pair<int, std::string>{0, message};
        },
        znn::testing::child_ending::exit_handlers);
}

}  // namespace

TEST_CASE("a save on a full disk fails cleanly and the process still exits normally", "[netfile]")
{
    scratch_folder folder;
    const std::string path = folder.file("net.h5");
    znn::save_net_file(path, sample_net(false));
    const std::string before = file_bytes(path);
    REQUIRE(before.size() > 4096);  // the limit below must cut the new file short

    znn::net_file next = sample_net(true);
    next.iteration = 99;
    const znn::testing::limited_child r = save_in_child(4096, path, next);
    INFO("child: " << r.message << " (signal " << r.signal << ")");
    CHECK(r.exited);
    CHECK(r.exit_code == 0);
    CHECK(r.signal == 0);
    CHECK(r.message.find(path + ": cannot save the network") == 0);
    CHECK(r.message.find("File too large") != std::string::npos);

    CHECK(file_bytes(path) == before);
    CHECK(znn::testing::temporary_files_in(folder.path().string()) == 0);
    CHECK(folder.entries() == std::vector<std::string>{"net.h5"});
    CHECK(znn::load_net_file(path).iteration == 1234);
}

TEST_CASE("with room enough the same child saves a file that HDF5 itself reads", "[netfile]")
{
    scratch_folder folder;
    const std::string path = folder.file("net.h5");
    znn::net_file net = sample_net(true);
    net.iteration = 77;
    const znn::testing::limited_child r = save_in_child(rlim_t(64) << 20, path, net);
    INFO("child: " << r.message);
    CHECK(r.message == "(no error)");
    CHECK(r.exited);
    CHECK(r.exit_code == 0);
    CHECK(folder.entries() == std::vector<std::string>{"net.h5"});

    // Checked with plain HDF5 calls, independently of the reader under test.
    REQUIRE(H5Fis_hdf5(path.c_str()) > 0);
    {
        h5_file file(path);
        CHECK(file.exists(network_prefix + "conv1/filters"));
        CHECK(file.dims(network_prefix + "conv1/filters") == std::vector<hsize_t>{2, 3, 2, 3, 4});
        CHECK(file.has_type(network_prefix + "conv1/filters", H5T_IEEE_F64LE));
    }
    const znn::net_file loaded = znn::load_net_file(path);
    CHECK(loaded.iteration == 77);
    CHECK(loaded.layers.size() == net.layers.size());
}
