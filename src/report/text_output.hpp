// Writing a small text file (CSV, SVG) under a temporary name and renaming it into place, so that a
// reader never sees half of it (private to src/report).
#pragma once

#include <string>

namespace znn::report_detail {

// Throws runtime_failure (naming `path`) when the folder is missing or the write or rename fails.
void write_text_file(const std::string& path, const std::string& text);

}  // namespace znn::report_detail
