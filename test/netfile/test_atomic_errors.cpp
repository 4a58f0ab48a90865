// A failed save never damages the previous file; bad files give clear input errors.
#include "znn/error.hpp"
#include "znn/net_file.hpp"

#include "netfile_test_util.hpp"
#include "sample_net.hpp"

#include <unistd.h>

#include <functional>

using namespace netfile_test;

namespace {

// A failed save left the old file as it was and nothing else in the folder.
void check_untouched(const scratch_folder& folder, const std::string& path, const std::string& before)
{
    CHECK(file_bytes(path) == before);
    CHECK(folder.entries() == std::vector<std::string>{"net.h5"});
    CHECK(znn::load_net_file(path).iteration == 1234);
}

std::string message_of(const std::function<void()>& action)
{
    try {
        action();
    } catch (const std::exception& e) {
        return e.what();
    }
    return "(no exception)";
}

}  // namespace

TEST_CASE("a save that fails midway leaves the previous file intact and no temporary file", "[netfile]")
{
    scratch_folder folder;
    const std::string path = folder.file("net.h5");
    znn::save_net_file(path, sample_net(false));
    const std::string before = file_bytes(path);
    REQUIRE(!before.empty());

    SECTION("a layer late in the list has the wrong number of filter values")
    {
        znn::net_file bad = sample_net(false);
        bad.iteration = 99;
        znn::layer_record conv3 = conv_edge("conv3", "output", "more", 2, 2, {1, 2, 2});
        conv3.filters.pop_back();
        bad.layers.push_back(conv3);
        CHECK_THROWS_AS(znn::save_net_file(path, bad), znn::runtime_failure);
        const std::string message = message_of([&] { znn::save_net_file(path, bad); });
        CHECK(message.find(path) != std::string::npos);
        CHECK(message.find("conv3") != std::string::npos);
        CHECK(message.find("15 filter values, expected 16") != std::string::npos);
        check_untouched(folder, path, before);
    }
    SECTION("the last thing written (a root attribute) is rejected")
    {
        znn::net_file bad = sample_net(true);
        bad.random_state = std::string("abc\0def", 7);
        CHECK_THROWS_AS(znn::save_net_file(path, bad), znn::runtime_failure);
        check_untouched(folder, path, before);
    }
    SECTION("two layers with one name")
    {
        znn::net_file bad = sample_net(false);
        bad.layers.push_back(bad.layers.front());
        CHECK_THROWS_AS(znn::save_net_file(path, bad), znn::runtime_failure);
        check_untouched(folder, path, before);
    }
    SECTION("the folder is read-only")
    {
        if (::geteuid() == 0) {
            WARN("running as root: permissions are not enforced, skipped");
        } else {
            fs::permissions(folder.path(), fs::perms::owner_read | fs::perms::owner_exec);
            znn::net_file other = sample_net(false);
            other.iteration = 5;
            CHECK_THROWS_AS(znn::save_net_file(path, other), znn::runtime_failure);
            fs::permissions(folder.path(), fs::perms::owner_all);
            check_untouched(folder, path, before);
        }
    }
}

TEST_CASE("a successful save replaces the previous file", "[netfile]")
{
    scratch_folder folder;
    const std::string path = folder.file("net.h5");
    znn::save_net_file(path, sample_net(false));
    znn::net_file next = sample_net(true);
    next.iteration = 2000;
    next.layers.pop_back();
    znn::save_net_file(path, next);
    const znn::net_file loaded = znn::load_net_file(path);
    CHECK(loaded.iteration == 2000);
    CHECK(loaded.float64);
    CHECK(loaded.layers.size() == 4);
    CHECK(folder.entries() == std::vector<std::string>{"net.h5"});
}

TEST_CASE("saving into a missing folder fails clearly", "[netfile]")
{
    scratch_folder folder;
    const std::string path = folder.file("no/such/folder/net.h5");
    CHECK_THROWS_AS(znn::save_net_file(path, sample_net(false)), znn::runtime_failure);
    CHECK(message_of([&] { znn::save_net_file(path, sample_net(false)); }).find("does not exist") !=
          std::string::npos);
}

TEST_CASE("records the writer rejects", "[netfile]")
{
    scratch_folder folder;
    const std::string path = folder.file("net.h5");
    auto rejected = [&](const znn::net_file& net) {
        CHECK_THROWS_AS(znn::save_net_file(path, net), znn::runtime_failure);
        CHECK(folder.entries().empty());
    };
    znn::net_file net = sample_net(false);
    SECTION("momentum of the wrong length")
    {
        net.layers[1].filter_momentum.resize(3);
        rejected(net);
    }
    SECTION("biases that do not match the node's size")
    {
        net.layers[2].biases.push_back(1.0);
        net.layers[2].bias_momentum.push_back(1.0);
        rejected(net);
    }
    SECTION("a key that names a parameter dataset")
    {
        net.layers[2].strings.emplace_back("biases", "1,2,3");
        rejected(net);
    }
    SECTION("a layer name with a slash")
    {
        net.layers[0].name = "a/b";
        rejected(net);
    }
}

TEST_CASE("missing and foreign files are input errors naming the file", "[netfile]")
{
    scratch_folder folder;

    const std::string missing = folder.file("missing.h5");
    try {
        (void)znn::load_net_file(missing);
        FAIL("no error for a missing file");
    } catch (const znn::input_error& e) {
        CHECK(e.file() == missing);
        CHECK(e.line() == 0);
        CHECK(std::string(e.what()).find("no such file") != std::string::npos);
    }

    const std::string garbage = folder.file("garbage.h5");
    {
        std::ofstream out(garbage);
        out << "nodes input\ntype input\nsize 1\n";
    }
    try {
        (void)znn::load_net_file(garbage);
        FAIL("no error for a text file");
    } catch (const znn::input_error& e) {
        CHECK(e.file() == garbage);
        CHECK(std::string(e.what()).find("not an HDF5 file") != std::string::npos);
    }

    const std::string image = folder.file("image.h5");
    {
        const hid_t file = H5Fcreate(image.c_str(), H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT);
        const hsize_t dims[1] = {4};
        const hid_t space = H5Screate_simple(1, dims, nullptr);
        const hid_t dataset = H5Dcreate2(file, "main", H5T_STD_U8LE, space, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
        H5Dclose(dataset);
        H5Sclose(space);
        H5Fclose(file);
    }
    try {
        (void)znn::load_net_file(image);
        FAIL("no error for an image stack");
    } catch (const znn::input_error& e) {
        CHECK(e.file() == image);
        CHECK(std::string(e.what()).find("/processing/znn/train/network") != std::string::npos);
    }

    CHECK_THROWS_AS(znn::load_net_file(folder.path().string()), znn::input_error);
}

TEST_CASE("inconsistent shapes in a file are input errors", "[netfile]")
{
    scratch_folder folder;
    const std::string path = folder.file("net.h5");
    znn::save_net_file(path, sample_net(false));
    {
        // conv1's size no longer matches its filters [2, 3, 2, 3, 4].
        h5_file file(path, true);
        const hid_t size = H5Dopen2(file.id(), (network_prefix + "conv1/size").c_str(), H5P_DEFAULT);
        const long long wrong[3] = {2, 4, 3};
        REQUIRE(H5Dwrite(size, H5T_NATIVE_LLONG, H5S_ALL, H5S_ALL, H5P_DEFAULT, wrong) >= 0);
        H5Dclose(size);
    }
    try {
        (void)znn::load_net_file(path);
        FAIL("no error for a filter shape that contradicts the size");
    } catch (const znn::input_error& e) {
        CHECK(e.file() == path);
        CHECK(std::string(e.what()).find("conv1") != std::string::npos);
    }
}
