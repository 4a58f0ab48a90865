// Writing a file under a temporary name in its own folder and renaming it into place on success, so a
// crash or an exception never leaves a half-written file at the final path (internal to src/io).
#pragma once

#include <string>

namespace znn::io_detail {

class atomic_file {
public:
    explicit atomic_file(std::string final_path);
    ~atomic_file();  // removes the temporary file unless commit() ran
    atomic_file(const atomic_file&) = delete;
    atomic_file& operator=(const atomic_file&) = delete;

    const std::string& temp_path() const noexcept { return temp_; }
    const std::string& final_path() const noexcept { return final_; }
    // Renames the temporary file over the final path; throws runtime_failure if that fails.
    void commit();

private:
    std::string final_;
    std::string temp_;
    bool committed_ = false;
};

}  // namespace znn::io_detail
