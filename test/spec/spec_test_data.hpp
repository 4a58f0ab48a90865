// Where the parser tests find their files: $ZNN_SOURCE_ROOT/test/data/spec (set by meson test).
#pragma once

#include <cstdlib>
#include <stdexcept>
#include <string>

namespace znn::test {

inline std::string spec_data(const std::string& relative = "")
{
    const char* root = std::getenv("ZNN_SOURCE_ROOT");
    if (!root) throw std::runtime_error("ZNN_SOURCE_ROOT is not set (run through `meson test`)");
    return std::string(root) + "/test/data/spec" + (relative.empty() ? "" : "/" + relative);
}

}  // namespace znn::test
