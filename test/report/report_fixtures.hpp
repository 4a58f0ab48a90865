// A small saved network for the report suite: input (1 map) -> conv1 (1x3x3, 1->2) -> nl1 (tanh, 2 maps)
// -> conv2 (1x1x1, 2->1) -> output (logistics, 1 map). By hand: 18 + 2 + 2 + 1 = 23 parameters, field of
// view 1x3x3.
#pragma once

#include "znn/net_file.hpp"

#include <string>

namespace report_test {

inline const char* tiny_znn_text =
    "nodes input\ntype input\nsize 1\n\n"
    "edges conv1\ntype conv\ninit xavier\nsize 1,3,3\ninput input\noutput nl1\n\n"
    "nodes nl1\ntype transfer\nfunction tanh\nsize 2\n\n"
    "edges conv2\ntype conv\ninit xavier\nsize 1,1,1\ninput nl1\noutput output\n\n"
    "nodes output\ntype transfer\nfunction logistics\nsize 1\n";

inline znn::layer_record node(const std::string& name, const std::string& type, std::int64_t maps,
                              const std::string& function = "")
{
    znn::layer_record n;
    n.name = name;
    n.strings = {{"type", type}};
    if (!function.empty()) {
        n.strings.emplace_back("function", function);
        n.biases.assign(static_cast<std::size_t>(maps), 0.25);
    }
    n.size = {0, 0, maps};
    return n;
}

inline znn::layer_record conv(const std::string& name, const std::string& from, const std::string& to,
                              std::int64_t n_in, std::int64_t n_out, znn::vec3 size)
{
    znn::layer_record e;
    e.name = name;
    e.is_edge = true;
    e.strings = {{"type", "conv"}, {"input", from}, {"output", to}, {"init", "xavier"}};
    e.size = size;
    e.stride = {1, 1, 1};
    e.n_in = n_in;
    e.n_out = n_out;
    for (std::int64_t i = 0; i < n_in * n_out * size.volume(); ++i) e.filters.push_back(0.01 * static_cast<double>(i));
    return e;
}

inline znn::net_file tiny_net()
{
    znn::net_file net;
    net.layers = {node("input", "input", 1), conv("conv1", "input", "nl1", 1, 2, {1, 3, 3}),
                  node("nl1", "transfer", 2, "tanh"), conv("conv2", "nl1", "output", 2, 1, {1, 1, 1}),
                  node("output", "transfer", 1, "logistics")};
    net.znn_text = tiny_znn_text;
    net.cfg_text = "[parameters]\nfnet_spec = net.znn\neta = 0.01\n";
    net.iteration = 1234;
    net.version = "7.7.7-test";
    for (int k = 1; k <= 12; ++k) {
        net.curve.train_it.push_back(100.0 * k);
        net.curve.train_err.push_back(1.0 / k);
        net.curve.train_cls.push_back(0.5 / k);
        net.curve.elapsed.push_back(2.0 * k);
    }
    net.curve.test_it = {500, 1000};
    net.curve.test_err = {0.3, 0.2};
    net.curve.test_cls = {0.15, 0.1};
    return net;
}

}  // namespace report_test
