// A small network record for the netfile suite: input (2 maps) -> conv1 (2x3 filters of 2x3x4) -> nl1
// (3 maps, transfer) -> conv2 (1x1x1) -> output (2 maps). Filter values encode their own position so
// that any axis mix-up shows.
#pragma once

#include "znn/net_file.hpp"

namespace netfile_test {

// The value of tap (kz, ky, kx) of filter (i, j): exact in float32.
inline double tap_code(std::int64_t i, std::int64_t j, std::int64_t kz, std::int64_t ky, std::int64_t kx)
{
    return static_cast<double>(i * 10000 + j * 1000 + kz * 100 + ky * 10 + kx);
}

inline znn::layer_record conv_edge(const std::string& name, const std::string& from, const std::string& to,
                                   std::int64_t n_in, std::int64_t n_out, znn::vec3 size)
{
    znn::layer_record edge;
    edge.name = name;
    edge.is_edge = true;
    edge.strings = {{"type", "conv"}, {"input", from}, {"output", to}, {"init", "xavier"}, {"fft", "0"}};
    edge.size = size;
    edge.stride = {1, 1, 1};
    edge.n_in = n_in;
    edge.n_out = n_out;
    for (std::int64_t i = 0; i < n_in; ++i)
        for (std::int64_t j = 0; j < n_out; ++j)
            for (std::int64_t kz = 0; kz < size.z; ++kz)
                for (std::int64_t ky = 0; ky < size.y; ++ky)
                    for (std::int64_t kx = 0; kx < size.x; ++kx) {
                        edge.filters.push_back(tap_code(i, j, kz, ky, kx));
                        edge.filter_momentum.push_back(-tap_code(i, j, kz, ky, kx) - 0.5);
                    }
    return edge;
}

inline znn::layer_record node(const std::string& name, const std::string& type, std::int64_t maps)
{
    znn::layer_record n;
    n.name = name;
    n.strings = {{"type", type}};
    n.size = {0, 0, maps};
    return n;
}

inline znn::net_file sample_net(bool float64)
{
    znn::net_file net;
    net.float64 = float64;
    net.layers.push_back(node("input", "input", 2));
    net.layers.push_back(conv_edge("conv1", "input", "nl1", 2, 3, {2, 3, 4}));
    znn::layer_record nl1 = node("nl1", "transfer", 3);
    nl1.strings.emplace_back("function", "tanh");
    nl1.strings.emplace_back("function_args", "1.7159,0.6666");
    nl1.strings.emplace_back("eta", "0.05");
    nl1.biases = {0.5, -1.25, 0.1};
    nl1.bias_momentum = {0.25, 0.0, -0.2};
    net.layers.push_back(nl1);
    net.layers.push_back(conv_edge("conv2", "nl1", "output", 3, 2, {1, 1, 1}));
    znn::layer_record output = node("output", "transfer", 2);
    output.strings.emplace_back("function", "linear");
    output.biases = {2.0, -3.0};
    net.layers.push_back(output);
    net.znn_text = "nodes input\ntype input\nsize 1\n";
    net.cfg_text = "[parameters]\nfnet_spec = net.znn\n";
    net.iteration = 1234;
    net.random_state = "5489 1 2 3";
    net.version = "9.9.9-test";
    return net;
}

}  // namespace netfile_test
