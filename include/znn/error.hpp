// Error types shared by the library and the CLI.
//
// input_error   — the user's input is wrong (a malformed file, a bad key, a missing file).
//                 The CLI maps it to exit code 2. what() reads "file:line: message".
// runtime_failure — a valid job failed while running (I/O error, full disk, NaN in training).
//                 The CLI maps it to exit code 1.
#pragma once

#include <stdexcept>
#include <string>

namespace znn {

class input_error : public std::runtime_error {
public:
    // line <= 0 means "the whole file": what() is then "file: message".
    input_error(const std::string& file, int line, const std::string& message);
    explicit input_error(const std::string& message);

    const std::string& file() const noexcept { return file_; }
    int line() const noexcept { return line_; }
    const std::string& message() const noexcept { return message_; }

private:
    std::string file_;
    int line_ = 0;
    std::string message_;
};

class runtime_failure : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

}  // namespace znn
