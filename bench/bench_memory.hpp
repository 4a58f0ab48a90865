// What a network will hold at its peak, computed from its shapes alone, so that znn-bench can refuse
// a case that would not fit before allocating anything. FFT edges dominate: the engine keeps one
// spectrum per filter at the padded size of the filter's input map (n_in·n_out·Z·Y·(X/2+1) complex
// values per edge), plus one per input map (and per output map when training).
#pragma once

#include "znn/net_graph.hpp"

#include <cstdint>
#include <vector>

namespace znn::bench {

struct memory_estimate {
    std::int64_t maps_bytes = 0;            // activations (and gradients when training)
    std::int64_t kernel_spectra_bytes = 0;  // FFT edges: one spectrum per filter
    std::int64_t other_spectra_bytes = 0;   // image spectra, gradient spectra
    std::int64_t total() const { return maps_bytes + kernel_spectra_bytes + other_spectra_bytes; }
};

// sizes: per node (net_graph::sizes_for_output); fft[e] != 0 for conv edges computed by FFT.
memory_estimate estimate_memory(const net_graph& graph, const std::vector<vec3>& sizes, const std::vector<char>& fft,
                                bool training);

}  // namespace znn::bench
