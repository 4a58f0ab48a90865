// Small helpers over the HDF5 C API for network files (private to src/netfile): owned ids, silenced
// error printing with the library's reason kept for our messages.
#pragma once

#include "../core/h5_handle.hpp"

#include <hdf5.h>

#include <string>
#include <vector>
#include <utility>

namespace znn::netfile_detail {

// The shared owned id, quiet guard and reason helper (src/core/h5_handle.hpp).
using h5_detail::h5_handle;
using h5_detail::h5_quiet;
using h5_detail::h5_reason;

// True when `parent` has a link `name` (a single path component) that opens as a group.
bool has_group(hid_t parent, const char* name);
// True when `parent` has a link `name` (a single path component) that opens as a dataset.
bool has_dataset(hid_t parent, const char* name);

// The names of the links in a group, in HDF5's name order (what h5ls shows).
std::vector<std::string> link_names(hid_t group);

}  // namespace znn::netfile_detail
