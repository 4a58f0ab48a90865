// The network executor: a net_graph made runnable for one output patch size, with its parameters.
//
// forward() computes every node's maps from the input maps; backward() takes dE/d(output) and
// computes the gradients of all filters and biases; update() applies the manual's SGD rule. The work of
// each pass is a task graph (see task_graph.hpp) built once: one task per (node, map), per image
// transform and per weight gradient, run on all cores with the tasks nearest the output first.
//
// Convolution: per conv edge, direct, Winograd or FFT (options.conv_mode: fft | direct | winograd |
// optimize — winograd where the filter allows it (znn/conv_winograd.hpp), direct elsewhere; optimize
// times the three on the real shapes when the network is built and keeps the fastest). In the FFT path
// each node's maps are transformed once and shared by all its outgoing edges and by the weight
// gradient; each target map accumulates its products in the frequency domain and does one inverse
// transform; filter transforms are kept until the next update. The Winograd path likewise transforms
// each source map (and, training, each padded output gradient) once for all the tasks that read it;
// its filter gradients are computed by Winograd where that is faster (znn/conv_winograd_kernel.hpp),
// directly elsewhere. Summation orders are fixed, so results do not depend on thread timing.
#pragma once

#include "znn/net_graph.hpp"
#include "znn/volume.hpp"

#include <cstdint>
#include <iosfwd>
#include <memory>
#include <string>
#include <vector>

namespace znn {

class task_pool;

struct engine_options {
    std::string conv_mode = "optimize";  // fft | direct | winograd | optimize
    int threads = 0;                     // <= 0: every core
    bool training = true;                // dropout active; forward transforms kept for backward()
    bool measure_fft_plans = false;      // FFTW_MEASURE (slower start, faster transforms)
    // FFTW wisdom file: read before planning (if it exists) and rewritten after, so that measured
    // plans cost nothing in later runs. Setting it implies measure_fft_plans.
    std::string fft_wisdom;
    std::ostream* log = nullptr;         // where `optimize` reports its choices (nullptr: silent)
    // Bytes the spectra of FFT edges chosen by `optimize` may take (filter spectra dominate: one per
    // filter at the padded input size). Where FFT would be faster on more edges than fit, the edges
    // with the most time saved per byte get it. 0: half the physical memory. Modes fft and direct
    // ignore it.
    std::int64_t fft_memory_budget = 0;
    // `optimize` in an inference network on 2+ threads: a layer whose two fastest one-thread estimates
    // lie within this factor is timed again by each method, whole and on all threads as the executor
    // runs it (the methods scale differently from 1 thread to many). 0: never.
    double optimize_trial_within = 2.0;
    // The transformed tile side of Winograd layers (znn/conv_winograd.hpp): 0 lets `optimize` time 6 x 6
    // and 8 x 8 tiles and keep the faster (mode winograd takes 6 x 6); 6 or 8 is used by both modes
    // wherever the filter takes it (8 x 8 needs filters square in y and x; others take 6 x 6).
    int winograd_tile = 0;
};

class task_log;  // znn/task_graph.hpp

template <class T>
struct network_state;

template <class T>
class network {
public:
    // Initialises every filter and bias from the spec's init/init_args, drawing from `seed`.
    network(const net_graph& graph, vec3 output_size, const engine_options& options, std::uint64_t seed);
    ~network();
    network(network&&) noexcept;
    network& operator=(network&&) noexcept;

    const net_graph& graph() const;
    vec3 output_size() const;
    const std::vector<vec3>& node_sizes() const;  // indexed like graph().nodes()
    vec3 input_size() const;                      // of the first input node

    // inputs[k]: the maps of graph().inputs()[k], of size node_sizes()[that node]. Dropout edges drop
    // voxels in a training network.
    void forward(const std::vector<maps<T>>& inputs);
    // forward() with dropout off (the identity) even in a training network: for validation patches.
    // A backward() after it takes the gradient of that pass (no dropout either).
    void evaluate(const std::vector<maps<T>>& inputs);
    // The maps of graph().outputs()[k] after forward().
    const maps<T>& output(std::size_t k = 0) const;
    // Any node's maps after forward() (transfer nodes: after the transfer function). An inference
    // network (engine_options::training false) keeps only the maps no later layer reuses
    // (znn/activation_plan.hpp), always the outputs; for the others this throws std::logic_error.
    const maps<T>& activation(int node) const;

    // output_grads[k] = dE/d(output k) (same shapes as output(k)). Needs a training network.
    void backward(const std::vector<maps<T>>& output_grads);
    // The gradient of each node's maps before its transfer function, after backward().
    const maps<T>& gradient(int node) const;

    // V <- m*V - (eta/P)*dE/dW - eta*lambda*W;  W <- W + V  (filters and biases alike; P = patch_voxels).
    void update(double eta, double momentum, double weight_decay, double patch_voxels);

    // Parameters. filters(e)[i * n_out + j] is the filter from input map i to output map j of conv edge e.
    std::vector<volume<T>>& filters(int edge);
    std::vector<volume<T>>& filter_momentum(int edge);
    const std::vector<volume<T>>& filter_gradients(int edge) const;
    std::vector<T>& biases(int node);
    std::vector<T>& bias_momentum(int node);
    const std::vector<T>& bias_gradients(int node) const;
    // Call after changing filters() directly: cached filter transforms are dropped.
    void parameters_changed();

    bool uses_fft(int edge) const;       // the method chosen for a conv edge: FFT,
    bool uses_winograd(int edge) const;  // Winograd, or (neither) direct
    // Whether a Winograd conv edge of a training network computes its filter gradients by Winograd too
    // (znn/conv_winograd_kernel.hpp) rather than by direct convolution.
    bool uses_winograd_filter_gradients(int edge) const;
    // Whether a Winograd conv edge's forward pass is fused (winograd_forward_fused: the input maps'
    // tiles transformed as the products need them) rather than read from stored transforms.
    bool uses_fused_winograd(int edge) const;
    // The transformed tile side of a Winograd conv edge (6, or 8 where optimize timed 8 x 8 tiles
    // faster: znn/conv_winograd.hpp), 0 for an edge that does not use Winograd.
    int winograd_tile(int edge) const;
    int threads() const;
    // Records the tasks of every later pass in `log` (nullptr: stop), labelled by node or edge and
    // phase: forward "<node> maps|regions|rows|input|spectra", "<edge> transforms"; backward "<node>
    // gradient maps|gradient regions|bias gradients", "<edge> gradient spectra|gradient transforms|
    // gradient padding|filter gradients|filter gradient transforms|products|sums". The update is not
    // recorded. For profiles (znn-bench --profile); costs a lock per task.
    void log_tasks(task_log* log);

private:
    void run_forward(const std::vector<maps<T>>& inputs, bool dropout);
    std::unique_ptr<network_state<T>> s_;
};

extern template class network<float>;
extern template class network<double>;

}  // namespace znn
