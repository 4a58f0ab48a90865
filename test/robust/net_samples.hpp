// Network files for the robustness suite: a small record holding every kind of group, dataset and
// attribute the reader knows, the original's srini2d file, and a field-by-field comparison of records.
#pragma once

#include "znn/net_file.hpp"

#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <stdexcept>
#include <string>
#include <vector>

namespace znn::robust {

// input (2 maps) -> conv1 (2x2 filters of 1x2x2) -> out (2 maps, transfer), with a learning curve and
// every root attribute.
inline net_file small_net()
{
    net_file net;
    layer_record input;
    input.name = "input";
    input.strings = {{"type", "input"}};
    input.size = {0, 0, 2};
    layer_record conv;
    conv.name = "conv1";
    conv.is_edge = true;
    conv.strings = {{"type", "conv"}, {"input", "input"}, {"output", "out"}, {"init", "xavier"}};
    conv.size = {1, 2, 2};
    conv.stride = {1, 1, 1};
    conv.n_in = 2;
    conv.n_out = 2;
    for (int i = 0; i < 16; ++i) conv.filters.push_back(i * 0.25);
    layer_record out;
    out.name = "out";
    out.strings = {{"type", "transfer"}, {"function", "linear"}};
    out.size = {0, 0, 2};
    out.biases = {0.5, -0.5};
    net.layers = {input, conv, out};
    net.curve.train_it = {10, 20};
    net.curve.train_err = {0.5, 0.25};
    net.curve.train_cls = {0.1, 0.05};
    net.curve.test_it = {20};
    net.curve.test_err = {0.3};
    net.curve.test_cls = {0.07};
    net.curve.elapsed = {1.5, 3.0};
    net.znn_text = "nodes input\ntype input\nsize 2\n";
    net.cfg_text = "[parameters]\n";
    net.iteration = 20;
    net.random_state = "1 2 3";
    return net;
}

inline std::string srini2d_path()
{
    const char* root = std::getenv("ZNN_SOURCE_ROOT");
    if (!root) throw std::runtime_error("ZNN_SOURCE_ROOT is not set (run through `meson test`)");
    return std::string(root) + "/test/data/netfile/srini2d_net_current.h5";
}

// $ZNN_SOURCE_ROOT/test/robust/data/<name>
inline std::string robust_data(const std::string& name)
{
    const char* root = std::getenv("ZNN_SOURCE_ROOT");
    if (!root) throw std::runtime_error("ZNN_SOURCE_ROOT is not set (run through `meson test`)");
    return std::string(root) + "/test/robust/data/" + name;
}

// Replaces the index of every global-heap reference (length, collection address, index) to the heap
// collection found in `bytes` with one far past its object table. libhdf5 1.10 only asserts on it (in
// debug builds) and reads the object table out of bounds. Returns how many references were broken.
inline std::size_t break_heap_references(std::string& bytes)
{
    std::size_t broken = 0;
    for (std::size_t at = bytes.find("GCOL"); at != std::string::npos; at = bytes.find("GCOL", at + 4)) {
        std::string address(8, '\0');
        for (int b = 0; b < 8; ++b) address[b] = static_cast<char>((std::uint64_t(at) >> (8 * b)) & 0xFF);
        for (std::size_t ref = bytes.find(address); ref != std::string::npos; ref = bytes.find(address, ref + 1)) {
            if (ref < 4 || ref + 12 > bytes.size()) continue;
            std::uint32_t index = 0;
            std::memcpy(&index, bytes.data() + ref + 8, 4);
            if (index == 0 || index > 4096) continue;  // not a heap reference
            const std::uint32_t far_away = 0x7FFFFFF0;
            std::memcpy(bytes.data() + ref + 8, &far_away, 4);
            ++broken;
        }
    }
    return broken;
}

namespace net_compare_detail {
// Bit for bit, so that NaNs compare equal to themselves.
inline bool same(const std::vector<double>& a, const std::vector<double>& b)
{
    return a.size() == b.size() && (a.empty() || std::memcmp(a.data(), b.data(), a.size() * sizeof(double)) == 0);
}
}  // namespace net_compare_detail

// "" when the records agree on every field of net_file.hpp, else the first field that differs.
inline std::string differences(const net_file& a, const net_file& b)
{
    using net_compare_detail::same;
    if (a.layers.size() != b.layers.size()) return "layer count";
    for (std::size_t i = 0; i < a.layers.size(); ++i) {
        const layer_record& x = a.layers[i];
        const layer_record& y = b.layers[i];
        const std::string where = "layer " + std::to_string(i) + " (" + x.name + "): ";
        if (x.name != y.name) return where + "name";
        if (x.is_edge != y.is_edge) return where + "is_edge";
        if (x.strings != y.strings) return where + "strings";
        if (x.size != y.size) return where + "size";
        if (x.stride != y.stride) return where + "stride";
        if (x.n_in != y.n_in || x.n_out != y.n_out) return where + "n_in/n_out";
        if (!same(x.filters, y.filters)) return where + "filters";
        if (!same(x.filter_momentum, y.filter_momentum)) return where + "filter_momentum";
        if (!same(x.biases, y.biases)) return where + "biases";
        if (!same(x.bias_momentum, y.bias_momentum)) return where + "bias_momentum";
    }
    const learning_curve& c = a.curve;
    const learning_curve& d = b.curve;
    if (!same(c.train_it, d.train_it) || !same(c.train_err, d.train_err) || !same(c.train_cls, d.train_cls) ||
        !same(c.test_it, d.test_it) || !same(c.test_err, d.test_err) || !same(c.test_cls, d.test_cls) ||
        !same(c.elapsed, d.elapsed))
        return "learning curve";
    if (a.float64 != b.float64) return "float64";
    if (a.znn_text != b.znn_text) return "znn_text";
    if (a.cfg_text != b.cfg_text) return "cfg_text";
    if (a.iteration != b.iteration) return "iteration";
    if (a.random_state != b.random_state) return "random_state";
    if (a.version != b.version) return "version";
    return "";
}

}  // namespace znn::robust
