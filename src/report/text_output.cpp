#include "text_output.hpp"

#include "znn/error.hpp"

#include "../io/atomic_file.hpp"

#include <cerrno>
#include <cstdio>
#include <cstring>

namespace znn::report_detail {

void write_text_file(const std::string& path, const std::string& text)
{
    io_detail::atomic_file target(path);  // checks the folder; removes the temporary file unless committed
    std::FILE* f = std::fopen(target.temp_path().c_str(), "wb");
    if (!f) throw runtime_failure(path + ": cannot write: " + std::strerror(errno));
    const bool written = std::fwrite(text.data(), 1, text.size(), f) == text.size();
    const int write_errno = errno;
    const bool closed = std::fclose(f) == 0;
    if (!written || !closed) throw runtime_failure(path + ": cannot write: " + std::strerror(written ? errno : write_errno));
    target.commit();
}

}  // namespace znn::report_detail
