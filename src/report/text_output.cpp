#include "text_output.hpp"

#include "znn/error.hpp"

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <random>

namespace znn::report_detail {

namespace fs = std::filesystem;

void write_text_file(const std::string& path, const std::string& text)
{
    const fs::path folder = fs::path(path).parent_path();
    std::error_code ec;
    if (!folder.empty() && !fs::is_directory(folder, ec))
        throw runtime_failure(path + ": cannot write: folder " + folder.string() + " does not exist");
    if (fs::is_directory(path, ec)) throw runtime_failure(path + ": cannot write: it is a folder");

    std::random_device entropy;
    char suffix[32];
    std::snprintf(suffix, sizeof suffix, ".part-%08x%08x", entropy(), entropy());
    const std::string temp = path + suffix;

    std::FILE* f = std::fopen(temp.c_str(), "wb");
    if (!f) throw runtime_failure(path + ": cannot write: " + std::strerror(errno));
    const bool written = std::fwrite(text.data(), 1, text.size(), f) == text.size();
    const int saved_errno = errno;
    const bool closed = std::fclose(f) == 0;
    if (!written || !closed) {
        fs::remove(temp, ec);
        throw runtime_failure(path + ": cannot write: " + std::strerror(written ? errno : saved_errno));
    }
    fs::rename(temp, path, ec);
    if (ec) {
        std::error_code ignored;
        fs::remove(temp, ignored);
        throw runtime_failure(path + ": cannot move the finished file into place: " + ec.message());
    }
}

}  // namespace znn::report_detail
