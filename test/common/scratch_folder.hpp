// A fresh folder for one test, removed with its contents at the end (its permissions restored first, so
// tests that make it read-only clean up too). In /dev/shm where there is one: suites that rewrite small
// files thousands of times would otherwise wait for ext4 to flush each file truncated and written
// again (auto_da_alloc); else under the system's temporary folder.
#pragma once

#include <unistd.h>

#include <filesystem>
#include <random>
#include <string>
#include <system_error>
#include <vector>

namespace znn::testing {

class scratch_folder {
public:
    explicit scratch_folder(const std::string& prefix = "znn-test")
    {
        namespace fs = std::filesystem;
        std::random_device entropy;
        std::error_code ec;
        const fs::path base = fs::is_directory("/dev/shm", ec) && ::access("/dev/shm", W_OK) == 0
                                  ? fs::path("/dev/shm")
                                  : fs::temp_directory_path();
        path_ = base / (prefix + "-" + std::to_string(entropy()) + "-" + std::to_string(entropy()));
        fs::create_directories(path_);
    }
    ~scratch_folder()
    {
        namespace fs = std::filesystem;
        std::error_code ignored;
        fs::permissions(path_, fs::perms::owner_all, fs::perm_options::add, ignored);
        fs::remove_all(path_, ignored);
    }
    scratch_folder(const scratch_folder&) = delete;
    scratch_folder& operator=(const scratch_folder&) = delete;

    std::string file(const std::string& name) const { return (path_ / name).string(); }
    const std::filesystem::path& path() const { return path_; }
    std::vector<std::string> entries() const
    {
        std::vector<std::string> names;
        for (const auto& entry : std::filesystem::directory_iterator(path_))
            names.push_back(entry.path().filename().string());
        return names;
    }

private:
    std::filesystem::path path_;
};

}  // namespace znn::testing
