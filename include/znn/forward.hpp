// `znn forward` and `znn convert merge`: a trained network over whole volumes
// (../shared/znn-manual.md §5).
//
// For every sample of forward_range, the input stacks are read tile by tile (h5 through hyperslabs),
// the network runs on output tiles of forward_outsz (input tiles overlap by the field of view) and
// each output tile is written into <output_prefix>_sample<N>_output.h5, dataset /main, float32
// [channels, z, y, x]. With is_bd_mirror the input is extended by reflection so that the output covers
// the whole input; without, the output is input - fov + 1 and starts (fov-1)/2 into the input.
// Softmax is applied when the cost is softmax_loss. Memory depends on forward_outsz, not on the volume.
//
// Cluster mode: with blocks = N, only block K (see split_blocks) is computed and written to
// <output_prefix>_sample<N>_block<K>of<N>.h5; a block whose file exists is skipped, so a re-run after a
// crash redoes only what is missing. merge_blocks then writes the same output file as a whole run.
#pragma once

#include "znn/config.hpp"

#include <atomic>
#include <iosfwd>
#include <string>
#include <vector>

namespace znn {

struct forward_options {
    std::ostream* progress = nullptr;         // progress lines; nullptr: quiet
    const std::atomic<bool>* stop = nullptr;  // polled between tiles: stop without writing partial files
    int block = 0, blocks = 0;                // blocks = 0: the whole volume
    bool tif = false;                         // also write <prefix>_sample<N>_output_<c>.tif per channel
    std::string fft_wisdom;                   // FFTW wisdom file (see engine_options)
};

struct forward_result {
    std::vector<std::string> written;  // files written (blocks or outputs)
    std::vector<std::string> skipped;  // block files that already existed
    long peak_memory_kib = 0;          // peak resident memory of the process
    bool interrupted = false;
};

forward_result run_forward(const config& cfg, const forward_options& options);

// Writes every sample's output from its block files. Throws input_error listing the missing blocks.
forward_result merge_blocks(const config& cfg, int blocks, std::ostream* progress);

std::string forward_output_path(const config& cfg, int sample);
std::string forward_block_path(const config& cfg, int sample, int block, int blocks);

}  // namespace znn
