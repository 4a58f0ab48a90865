// A net_file as bytes and back, to carry what a child process read from a network file to its parent
// (load_net_file reads in a child: src/core/isolated_call.hpp). Same machine, same build: numbers
// travel in their native representation. Every field of net_file and layer_record travels; a field
// added to include/znn/net_file.hpp must be added here too (a size check in the .cpp stops the build
// until it is). Private to src/netfile.
#pragma once

#include "znn/net_file.hpp"

#include <string>

namespace znn::netfile_detail {

std::string to_wire(const net_file& net);
// Throws runtime_failure on bytes that to_wire did not make (cut or malformed).
net_file from_wire(const std::string& bytes);

}  // namespace znn::netfile_detail
