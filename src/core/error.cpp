#include "znn/error.hpp"

namespace znn {

namespace {
std::string located(const std::string& file, int line, const std::string& message)
{
    if (file.empty()) return message;
    if (line <= 0) return file + ": " + message;
    return file + ":" + std::to_string(line) + ": " + message;
}
}  // namespace

input_error::input_error(const std::string& file, int line, const std::string& message)
    : std::runtime_error(located(file, line, message)), file_(file), line_(line), message_(message)
{
}

input_error::input_error(const std::string& message)
    : std::runtime_error(message), message_(message)
{
}

}  // namespace znn
