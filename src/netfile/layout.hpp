// Names of the groups, datasets and attributes of a network file (../../shared/znn-manual.md §5),
// shared by the reader and the writer (private to src/netfile).
#pragma once

#include <string_view>

namespace znn::netfile_detail {

// The original ZNN's "stdio" layout; its non-stdio layout kept the layer groups at the root.
inline constexpr const char* network_path[] = {"processing", "znn", "train", "network"};
inline constexpr const char* statistics_path[] = {"processing", "znn", "train", "statistics"};

// Learning curve: statistics/{train,test}/{it,err,cls}; znn's wall-clock seconds go to statistics/elapsed,
// outside train/ so that the original's readers (which load every dataset of train/ as a curve to plot
// against test/, and whose own train/elapsed meant seconds per iteration) never see it.
inline constexpr const char* elapsed_name = "elapsed";

// Datasets of a layer group that are not string scalars.
inline constexpr const char* filters_name = "filters";
inline constexpr const char* biases_name = "biases";
inline constexpr const char* momentum_name = "momentum_vol";
inline constexpr const char* size_name = "size";
inline constexpr const char* stride_name = "stride";
// Bookkeeping string scalars that are no .znn keys.
inline constexpr const char* group_type_name = "group_type";
inline constexpr const char* layer_name_name = "name";

// Attributes on "/" (znn only; the original ignores them).
inline constexpr const char* znn_text_attr = "znn_text";
inline constexpr const char* cfg_text_attr = "cfg_text";
inline constexpr const char* iteration_attr = "iteration";
inline constexpr const char* random_state_attr = "random_state";
inline constexpr const char* version_attr = "znn_version";

inline bool is_parameter_dataset(std::string_view name)
{
    return name == filters_name || name == biases_name || name == momentum_name;
}

}  // namespace znn::netfile_detail
