// Saving over an existing file when the disk fills up: the save must throw runtime_failure (with a
// message), leave the previous file byte-identical, and leave no temporary file behind. Checked for
// save_net_file, write_stack (tif and h5) and h5_box_writer, two ways:
//   - a real full disk: a 512 KiB tmpfs mounted in a private mount namespace (needs root; skipped with a
//     warning where mounting is not allowed);
//   - a file-size limit (RLIMIT_FSIZE, SIGXFSZ ignored) in a forked child: writes past it fail with EFBIG.
#include "robust_support.hpp"

#include "../common/write_failure.hpp"

#include "znn/h5_box.hpp"
#include "znn/image_io.hpp"
#include "znn/net_file.hpp"

#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <sys/mount.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <functional>

using namespace znn::robust;

namespace {

// A network whose file is about `filter_values` * 8 bytes (float64), plus HDF5's overhead.
znn::net_file net_of(std::int64_t filter_side, long long iteration)
{
    znn::net_file net;
    net.float64 = true;
    znn::layer_record input;
    input.name = "input";
    input.strings = {{"type", "input"}};
    input.size = {0, 0, 1};
    znn::layer_record conv;
    conv.name = "conv";
    conv.is_edge = true;
    conv.strings = {{"type", "conv"}, {"input", "input"}, {"output", "out"}, {"init", "zero"}};
    conv.size = {1, filter_side, filter_side};
    conv.stride = {1, 1, 1};
    conv.n_in = conv.n_out = 1;
    conv.filters.assign(static_cast<std::size_t>(filter_side * filter_side), 0.125);
    znn::layer_record out;
    out.name = "out";
    out.strings = {{"type", "transfer"}, {"function", "linear"}};
    out.size = {0, 0, 1};
    out.biases = {1.0};
    net.layers = {input, conv, out};
    net.iteration = iteration;
    return net;
}

znn::volume<float> ramp(znn::vec3 shape)
{
    znn::volume<float> v(shape);
    for (std::size_t i = 0; i < v.size(); ++i) v[i] = static_cast<float>(i % 1000) * 0.5f;
    return v;
}

void write_boxes(const std::string& path, znn::vec3 shape)
{
    znn::write_options plain;
    plain.gzip_level = 0;  // incompressible sizes: the file really is large
    znn::h5_box_writer writer(path, 1, shape, plain);
    znn::maps<float> box{ramp(shape)};
    writer.write_box({0, 0, 0}, box);
    writer.commit();
}

struct writer_case {
    std::string name;
    std::string file;                                   // written into the test folder
    std::function<void(const std::string&)> small, big;  // small fits the limit, big does not
};

std::vector<writer_case> writer_cases()
{
    znn::write_options plain;
    plain.gzip_level = 0;
    return {
        {"save_net_file", "net.h5", [](const std::string& p) { znn::save_net_file(p, net_of(3, 1)); },
         [](const std::string& p) { znn::save_net_file(p, net_of(200, 2)); }},
        {"write_stack (tif)", "image.tif", [](const std::string& p) { znn::write_image(p, ramp({1, 8, 8})); },
         [](const std::string& p) { znn::write_image(p, ramp({4, 128, 128})); }},
        {"write_stack (h5)", "image.h5", [plain](const std::string& p) { znn::write_image(p, ramp({1, 8, 8}), plain); },
         [plain](const std::string& p) { znn::write_image(p, ramp({4, 128, 128}), plain); }},
        {"h5_box_writer", "boxes.h5", [](const std::string& p) { write_boxes(p, {1, 8, 8}); },
         [](const std::string& p) { write_boxes(p, {4, 128, 128}); }},
    };
}

// How a write ended: 0 no exception, 1 runtime_failure with a message, 2 with an empty one, 3 another
// exception; and the message.
std::pair<int, std::string> attempt(const std::function<void()>& write)
{
    try {
        write();
        return {0, ""};
    } catch (const znn::runtime_failure& e) {
        return {std::strlen(e.what()) ? 1 : 2, e.what()};
    } catch (const std::exception& e) {
        return {3, std::string(typeid(e).name()) + ": " + e.what()};
    } catch (...) {
        return {3, "an exception that is not a std::exception"};
    }
}

// The failed save must name what failed, keep the old file and leave nothing else.
void check_failed_save(const writer_case& w, int how, const std::string& message, const scratch_folder& folder,
                       const std::string& before, const std::vector<std::string>& other_entries)
{
    INFO(w.name << ": " << message);
    CHECK(how == 1);
    CHECK(read_bytes(folder.file(w.file)) == before);
    std::vector<std::string> expected = other_entries;
    expected.push_back(w.file);
    std::vector<std::string> entries = folder.entries();
    std::sort(entries.begin(), entries.end());
    std::sort(expected.begin(), expected.end());
    CHECK(entries == expected);  // no temporary file left
}

// Runs `write` in a child whose files may not grow past `limit` bytes (RLIM_INFINITY: no limit):
// attempt()'s verdict and message, or 4 when the child died.
std::pair<int, std::string> attempt_with_file_size_limit(rlim_t limit, const std::function<void()>& write)
{
    const znn::testing::limited_child child =
        znn::testing::run_with_file_size_limit(limit, [&] { return attempt(write); });
    if (!child.exited) return {4, "the child died (signal " + std::to_string(child.signal) + "): " + child.message};
    return {child.exit_code, child.message};
}

// A small tmpfs on `folder`, in a mount namespace of this process alone (so nothing outside sees it
// and it disappears with the process at the latest). Empty error when it worked.
class small_tmpfs {
public:
    small_tmpfs(const std::string& folder, std::size_t bytes) : folder_(folder)
    {
        if (::unshare(CLONE_NEWNS) != 0) {
            error_ = std::string("unshare(CLONE_NEWNS): ") + std::strerror(errno);
            return;
        }
        // Keep our mounts from propagating back to the parent namespace.
        if (::mount("none", "/", nullptr, MS_REC | MS_PRIVATE, nullptr) != 0) {
            error_ = std::string("making / private: ") + std::strerror(errno);
            return;
        }
        const std::string options = "size=" + std::to_string(bytes);
        if (::mount("tmpfs", folder.c_str(), "tmpfs", 0, options.c_str()) != 0) {
            error_ = std::string("mount -t tmpfs: ") + std::strerror(errno);
            return;
        }
        mounted_ = true;
    }
    ~small_tmpfs()
    {
        if (mounted_) ::umount2(folder_.c_str(), MNT_DETACH);
    }
    small_tmpfs(const small_tmpfs&) = delete;
    small_tmpfs& operator=(const small_tmpfs&) = delete;

    const std::string& error() const { return error_; }

private:
    std::string folder_, error_;
    bool mounted_ = false;
};

// Writes zeros to `path` until the file system is full; true when it did fill up.
bool fill_disk(const std::string& path)
{
    const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
    if (fd < 0) return false;
    const std::string block(4096, '\0');
    bool full = false;
    for (int i = 0; i < 100000 && !full; ++i) {
        const ssize_t n = ::write(fd, block.data(), block.size());
        full = n < 0 ? errno == ENOSPC : n < static_cast<ssize_t>(block.size());
    }
    for (int i = 0; i < 64 && full; ++i)  // and the last bytes of the last block
        if (::write(fd, block.data(), 1) < 0 && errno != ENOSPC) break;
    ::close(fd);
    return full;
}

}  // namespace

TEST_CASE("robust: the big writes succeed without a limit (so the failures below are the disk's)", "[robust][disk]")
{
    scratch_folder folder;
    for (const auto& w : writer_cases()) {
        INFO(w.name);
        w.small(folder.file(w.file));
        const std::string small = read_bytes(folder.file(w.file));
        w.big(folder.file(w.file));
        CHECK(read_bytes(folder.file(w.file)).size() > 64 * 1024);
        CHECK(read_bytes(folder.file(w.file)) != small);
    }
}

TEST_CASE("robust: a save past the file-size limit keeps the previous file", "[robust][disk]")
{
    scratch_folder folder;
    for (const auto& w : writer_cases()) {
        const std::string path = folder.file(w.file);
        w.small(path);
        const std::string before = read_bytes(path);
        REQUIRE(before.size() < 32 * 1024);
        const auto [how, message] = attempt_with_file_size_limit(32 * 1024, [&] { w.big(path); });
        check_failed_save(w, how, message, folder, before, {});
        // The limit only hits the growing file: the old one can still be replaced by a small save.
        const auto [again, again_message] = attempt_with_file_size_limit(32 * 1024, [&] { w.small(path); });
        INFO(again_message);
        CHECK(again == 0);
        std::filesystem::remove(path);
    }
}

TEST_CASE("robust: a save on a full disk keeps the previous file", "[robust][disk]")
{
    scratch_folder outer;
    const std::string mount_point = outer.file("tmpfs");
    std::filesystem::create_directories(mount_point);
    {
        small_tmpfs disk(mount_point, 512 * 1024);
        if (!disk.error().empty()) {
            WARN("cannot mount a tmpfs here (" << disk.error() << "): the full-disk test is skipped; the file-size "
                                                                    "limit test covers the same failure");
            return;
        }
        for (const auto& w : writer_cases()) {
            INFO(w.name);
            const std::string path = mount_point + "/" + w.file;
            w.small(path);
            const std::string before = read_bytes(path);
            const std::string filler = mount_point + "/filler";
            REQUIRE(fill_disk(filler));
            // In a child, as above (no limit there): libhdf5 keeps memory of a file whose close failed,
            // and reports it when the process exits.
            const auto [how, message] = attempt_with_file_size_limit(RLIM_INFINITY, [&] { w.big(path); });
            // check_failed_save looks into a scratch_folder: compare the mount point's entries directly.
            INFO(message);
            CHECK(how == 1);
            CHECK(read_bytes(path) == before);
            std::vector<std::string> entries;
            for (const auto& e : std::filesystem::directory_iterator(mount_point)) entries.push_back(e.path().filename().string());
            std::sort(entries.begin(), entries.end());
            std::vector<std::string> expected{"filler", w.file};
            std::sort(expected.begin(), expected.end());
            CHECK(entries == expected);
            std::filesystem::remove(filler);
            std::filesystem::remove(path);
        }
    }
}
