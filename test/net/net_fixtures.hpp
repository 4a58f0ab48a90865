// Small networks and helpers shared by the network tests.
#pragma once

#include "znn/net_graph.hpp"
#include "znn/net_spec.hpp"
#include "znn/network.hpp"

#include <algorithm>
#include <cmath>
#include <memory>
#include <random>
#include <string>

namespace znn::testing {

inline std::unique_ptr<net_graph> graph_from(const std::string& text)
{
    return std::make_unique<net_graph>(parse_net_spec_text(text, "test.znn"));
}

template <class T>
maps<T> random_maps(int count, vec3 shape, std::mt19937_64& rng, double lo = -1, double hi = 1)
{
    std::uniform_real_distribution<double> u(lo, hi);
    maps<T> m;
    for (int i = 0; i < count; ++i) {
        volume<T> v(shape);
        for (auto& x : v) x = static_cast<T>(u(rng));
        m.push_back(std::move(v));
    }
    return m;
}

template <class T>
std::vector<maps<T>> random_inputs(const network<T>& net, std::mt19937_64& rng)
{
    std::vector<maps<T>> in;
    for (int n : net.graph().inputs())
        in.push_back(random_maps<T>(net.graph().nodes()[n].maps(), net.node_sizes()[n], rng));
    return in;
}

// The largest absolute difference between two stacks of maps of the same shapes (any value types).
template <class A, class B>
double max_abs_diff(const maps<A>& a, const maps<B>& b)
{
    double d = 0;
    for (std::size_t m = 0; m < a.size(); ++m)
        for (std::size_t v = 0; v < a[m].size(); ++v)
            d = std::max(d, std::abs(static_cast<double>(a[m][v]) - static_cast<double>(b[m][v])));
    return d;
}

// A node block and an edge block of the .znn language.
inline std::string node(const std::string& name, const std::string& type, int size, const std::string& extra = "")
{
    return "nodes " + name + "\ntype " + type + "\nsize " + std::to_string(size) + "\n" + extra + "\n";
}
inline std::string transfer(const std::string& name, const std::string& function, int size,
                            const std::string& extra = "init uniform\ninit_args -0.5,0.5\n")
{
    return node(name, "transfer", size, "function " + function + "\n" + extra);
}
inline std::string edge(const std::string& name, const std::string& type, const std::string& from,
                        const std::string& to, const std::string& extra)
{
    return "edges " + name + "\ntype " + type + "\ninput " + from + "\noutput " + to + "\n" + extra + "\n";
}
inline std::string conv(const std::string& name, const std::string& from, const std::string& to,
                        const std::string& size, const std::string& stride = "1,1,1")
{
    return edge(name, "conv", from, to, "size " + size + "\nstride " + stride + "\ninit uniform\ninit_args -0.5,0.5\n");
}
inline std::string max_filter(const std::string& name, const std::string& from, const std::string& to,
                              const std::string& size, const std::string& stride)
{
    return edge(name, "max_filter", from, to, "size " + size + "\nstride " + stride + "\n");
}

}  // namespace znn::testing
