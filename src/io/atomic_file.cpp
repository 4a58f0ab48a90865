#include "atomic_file.hpp"

#include "znn/error.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
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

// fsync of a file (its data) or of a folder (its entries: that makes a rename in it durable).
// 0 when it worked, else the errno.
int flush_to_disk(const std::string& path, bool folder)
{
    const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | (folder ? O_DIRECTORY : 0));
    if (fd < 0) return errno;
    const int error = ::fsync(fd) == 0 ? 0 : errno;
    ::close(fd);
    return error;
}
}  // namespace

atomic_file::atomic_file(std::string final_path) : final_(std::move(final_path)), temp_(temporary_name_for(final_))
{
    const fs::path parent = fs::path(final_).parent_path();
    std::error_code ec;
    if (!parent.empty() && !fs::is_directory(parent, ec))
        throw runtime_failure(final_ + ": cannot write: folder " + parent.string() + " does not exist");
    if (fs::is_directory(final_, ec)) throw runtime_failure(final_ + ": cannot write: it is a folder");
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
    if (const int error = flush_to_disk(temp_, false))
        throw runtime_failure(final_ + ": cannot flush the finished file to the disk: " + std::strerror(error));
    std::error_code ec;
    fs::rename(temp_, final_, ec);
    if (ec) throw runtime_failure(final_ + ": cannot move the finished file into place: " + ec.message());
    committed_ = true;
    // Best effort: some file systems refuse fsync on a folder, and the file itself is already safe.
    const fs::path parent = fs::path(final_).parent_path();
    (void)flush_to_disk(parent.empty() ? std::string(".") : parent.string(), true);
}

}  // namespace znn::io_detail
