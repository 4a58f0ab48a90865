// A fresh folder under the system temp directory, removed with everything in it at the end of a test.
#pragma once

#include <filesystem>
#include <random>
#include <string>

namespace znn::test {

class temp_folder {
public:
    temp_folder()
    {
        std::random_device entropy;
        path_ = std::filesystem::temp_directory_path() /
                ("znn-io-test-" + std::to_string(entropy()) + "-" + std::to_string(entropy()));
        std::filesystem::create_directories(path_);
    }
    ~temp_folder()
    {
        std::error_code ignored;
        std::filesystem::remove_all(path_, ignored);
    }
    temp_folder(const temp_folder&) = delete;
    temp_folder& operator=(const temp_folder&) = delete;

    std::string file(const std::string& name) const { return (path_ / name).string(); }
    const std::filesystem::path& path() const { return path_; }
    // The number of entries in the folder (to see that no temporary files are left behind).
    std::size_t entries() const
    {
        std::size_t n = 0;
        for ([[maybe_unused]] const auto& e : std::filesystem::directory_iterator(path_)) ++n;
        return n;
    }

private:
    std::filesystem::path path_;
};

}  // namespace znn::test
