#include "znn/labels.hpp"

#include "znn/error.hpp"

namespace znn {

label_transform parse_label_transform(const std::string& name)
{
    if (name == "none") return label_transform::none;
    if (name == "one_class") return label_transform::one_class;
    if (name == "binary_class") return label_transform::binary_class;
    if (name == "affinity") return label_transform::affinity;
    throw input_error("unknown pp_types '" + name + "' for a label (none, one_class, binary_class or affinity)");
}

const char* label_transform_name(label_transform t) noexcept
{
    switch (t) {
    case label_transform::none: return "none";
    case label_transform::one_class: return "one_class";
    case label_transform::binary_class: return "binary_class";
    case label_transform::affinity: return "affinity";
    }
    return "?";
}

rebalance_mode parse_rebalance_mode(const std::string& name)
{
    if (name == "none") return rebalance_mode::none;
    if (name == "global") return rebalance_mode::global;
    if (name == "patch") return rebalance_mode::patch;
    throw input_error("unknown rebalance_mode '" + name + "' (none, global or patch)");
}

const char* rebalance_mode_name(rebalance_mode m) noexcept
{
    switch (m) {
    case rebalance_mode::none: return "none";
    case rebalance_mode::global: return "global";
    case rebalance_mode::patch: return "patch";
    }
    return "?";
}

class_weights rebalance_weights(rebalance_mode mode, const class_counts& counts) noexcept
{
    if (mode == rebalance_mode::none || counts.positive == 0 || counts.zero == 0) return {1.0, 1.0};
    const double n = static_cast<double>(counts.total());
    const double pos = static_cast<double>(counts.positive);
    const double zero = static_cast<double>(counts.zero);
    if (mode == rebalance_mode::patch) return {zero / n, pos / n};
    return {0.5 * n / pos, 0.5 * n / zero};
}

}  // namespace znn
