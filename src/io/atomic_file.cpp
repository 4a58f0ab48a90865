#include "atomic_file.hpp"

#include "znn/error.hpp"

#include <cstdio>
#include <filesystem>
#include <random>
#include <system_error>

namespace znn::io_detail {

namespace fs = std::filesystem;

namespace {
// A name no other writer (thread or process) picks: the folder of the final file, a random suffix.
std::string temporary_name_for(const std::string& final_path)
{
    std::random_device entropy;
    const unsigned long long token = (static_cast<unsigned long long>(entropy()) << 32) ^ entropy();
    char suffix[32];
    std::snprintf(suffix, sizeof suffix, ".part-%016llx", token);
    return final_path + suffix;
}
}  // namespace

atomic_file::atomic_file(std::string final_path) : final_(std::move(final_path)), temp_(temporary_name_for(final_))
{
    const fs::path parent = fs::path(final_).parent_path();
    std::error_code ec;
    if (!parent.empty() && !fs::is_directory(parent, ec))
        throw runtime_failure(final_ + ": cannot write: folder " + parent.string() + " does not exist");
}

atomic_file::~atomic_file()
{
    if (!committed_) {
        std::error_code ignored;
        fs::remove(temp_, ignored);
    }
}

void atomic_file::commit()
{
    std::error_code ec;
    fs::rename(temp_, final_, ec);
    if (ec) throw runtime_failure(final_ + ": cannot move the finished file into place: " + ec.message());
    committed_ = true;
}

}  // namespace znn::io_detail
