// The per-format readers and writers behind image_io.hpp (internal to src/io).
// `file` is the plain file name (an h5 dataset comes separately); the file is known to exist for reads.
#pragma once

#include "znn/image_io.hpp"

#include <string>

namespace znn::io_detail {

raw_stack read_tif(const std::string& file);
void write_tif(const std::string& file, const raw_stack& stack, const write_options& options);
stack_summary tif_info(const std::string& file);

raw_stack read_h5(const std::string& file, const std::string& dataset);
void write_h5(const std::string& file, const std::string& dataset, const raw_stack& stack, const write_options& options);
stack_summary h5_info(const std::string& file, const std::string& dataset);

}  // namespace znn::io_detail
