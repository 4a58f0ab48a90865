// znn-bench: times the znn engine on one case and prints a `result key=value ...` line (see
// bench_args.cpp for the command line). Benchmarks are not tests: nothing here fails on timing.
//
//   conv     one conv layer (IN -> OUT maps, linear output), one forward pass
//   forward  one forward pass of a network file for an output patch (inference: training off)
//   train    one SGD step: forward, backward of E = ½·Σ out², update
//
// Times exclude building the network (reported as setup_s: allocation, initialisation and, in mode
// `optimize`, the per-edge timing of direct against FFT). With --memory-cap, a network whose estimated
// peak (bench_memory.hpp) is larger is not run (exit status 3); in mode optimize the check assumes FFT
// on every conv edge, since the choice is only made when the network is built.
#include "bench_args.hpp"
#include "bench_memory.hpp"
#include "bench_nets.hpp"
#include "bench_profile.hpp"
#include "bench_timing.hpp"

#include "znn/net_graph.hpp"
#include "znn/net_spec.hpp"
#include "znn/network.hpp"

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <iostream>
#include <random>

namespace znn::bench {
namespace {

std::vector<maps<float>> random_inputs(const network<float>& net)
{
    std::mt19937_64 rng(42);
    std::uniform_real_distribution<float> u(0.0f, 1.0f);
    std::vector<maps<float>> in;
    for (int n : net.graph().inputs()) {
        maps<float> m;
        for (int i = 0; i < net.graph().nodes()[n].maps(); ++i) {
            volume<float> v(net.node_sizes()[n]);
            for (auto& x : v) x = u(rng);
            m.push_back(std::move(v));
        }
        in.push_back(std::move(m));
    }
    return in;
}

// One SGD step of E = ½·Σ out² (so dE/dout = out), the loss the torch peer uses too.
void train_step(network<float>& net, const std::vector<maps<float>>& inputs, std::vector<maps<float>>& grads)
{
    net.forward(inputs);
    for (std::size_t k = 0; k < grads.size(); ++k) grads[k] = net.output(k);
    net.backward(grads);
    net.update(1e-4, 0.9, 1e-5, static_cast<double>(net.output_size().volume()));
}

bool fits(const bench_args& a, const memory_estimate& m)
{
    constexpr double gib = 1024.0 * 1024.0 * 1024.0;
    if (a.memory_cap_gib <= 0 || m.total() <= a.memory_cap_gib * gib) return true;
    std::fprintf(stderr, "znn-bench: needs about %.1f GiB (FFT filter spectra %.1f GiB) > --memory-cap %g GiB\n",
                 m.total() / gib, m.kernel_spectra_bytes / gib, a.memory_cap_gib);
    return false;
}

int run(const bench_args& a)
{
    net_spec spec = a.command == "conv" ? parse_net_spec_text(conv_layer_spec(a.kernel, a.maps_in, a.maps_out), "conv.znn")
                                        : load_net_spec(a.net);
    net_graph graph(std::move(spec));
    const vec3 outsz = a.command == "conv" ? a.input - a.kernel + 1 : a.outsz;
    if (a.describe) {
        std::cout << describe_chain(graph, outsz);
        return 0;
    }

    engine_options options;
    options.conv_mode = a.mode;
    options.threads = a.threads;
    options.winograd_tile = a.winograd_tile;
    options.training = a.command == "train";
    options.measure_fft_plans = a.measure_plans;
    if (a.verbose) options.log = &std::cerr;

    // Mode fft is checked as if every conv edge used FFT; mode optimize as if none did, and the cap less
    // the maps and a reserve becomes its FFT memory budget (its choice respects it). The reserve, 5% of
    // the cap, covers what neither counts: per-thread scratch, plans, the program (n537 at 24x24x24
    // with an 8 GiB cap and no reserve peaked at 8.02 GiB, 0.22 GiB over maps and transforms).
    std::vector<char> fft(graph.edges().size(), 0);
    for (const auto& e : graph.edges()) fft[e.index] = e.type() == "conv" && a.mode == "fft";
    const memory_estimate before = estimate_memory(graph, graph.sizes_for_output(outsz), fft, options.training);
    if (!fits(a, before)) return 3;
    if (a.mode == "optimize" && a.memory_cap_gib > 0)
        options.fft_memory_budget =
            std::max<std::int64_t>(1, static_cast<std::int64_t>(a.memory_cap_gib * 1073741824.0 * 0.95) - before.total());

    auto t0 = std::chrono::steady_clock::now();
    network<float> net(graph, outsz, options, 1);
    const double setup_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    for (const auto& e : graph.edges()) fft[e.index] = e.type() == "conv" && net.uses_fft(e.index);
    const memory_estimate memory = estimate_memory(graph, net.node_sizes(), fft, options.training);

    int conv_edges = 0, fft_edges = 0;
    for (const auto& e : graph.edges())
        if (e.type() == "conv") {
            ++conv_edges;
            fft_edges += net.uses_fft(e.index) ? 1 : 0;
        }

    const std::vector<maps<float>> inputs = random_inputs(net);
    std::vector<maps<float>> grads(graph.outputs().size());
    timing t = options.training ? time_runs([&] { train_step(net, inputs, grads); }, a.budget_s, a.max_reps)
                                : time_runs([&] { net.forward(inputs); }, a.budget_s, a.max_reps);

    if (a.print_runs)
        for (double r : t.runs_s) std::fprintf(stderr, "run_ms %.3f\n", r * 1000);
    if (a.profile) {
        task_log log;
        net.log_tasks(&log);
        std::vector<std::vector<task_record>> passes;
        for (std::size_t k = 0; k < t.runs_s.size(); ++k) {
            if (options.training) train_step(net, inputs, grads);
            else net.forward(inputs);
            passes.push_back(log.take());
        }
        net.log_tasks(nullptr);
        print_profile(passes, net.threads(), stderr);
    }
    std::printf("result side=znn case=%s mode=%s threads=%d best_s=%.6f median_s=%.6f reps=%zu warmup_s=%.4f "
                "setup_s=%.4f out_voxels=%lld in_size=%s out_size=%s fft_edges=%d/%d est_mib=%.0f\n",
                a.command.c_str(), a.mode.c_str(), net.threads(), t.best(), t.median(), t.runs_s.size(), t.warmup_s,
                setup_s, static_cast<long long>(outsz.volume()), net.input_size().dims().c_str(), outsz.dims().c_str(),
                fft_edges, conv_edges, memory.total() / (1024.0 * 1024.0));
    return 0;
}

}  // namespace
}  // namespace znn::bench

int main(int argc, char** argv)
{
    znn::bench::bench_args args;
    try {
        args = znn::bench::parse_args(argc, argv);
    } catch (const std::invalid_argument& e) {
        std::cerr << "znn-bench: " << e.what() << "\n" << znn::bench::usage();
        return 2;
    }
    try {
        return znn::bench::run(args);
    } catch (const std::exception& e) {
        std::cerr << "znn-bench: " << e.what() << "\n";
        return 1;
    }
}
