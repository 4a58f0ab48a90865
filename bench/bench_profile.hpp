// znn-bench --profile: where the time of a pass goes, from the tasks its thread pool ran (task_log).
#pragma once

#include "znn/task_graph.hpp"

#include <cstdio>
#include <vector>

namespace znn::bench {

// Prints, for the records of each of several passes on `threads` threads: the mean time per pass and
// the share of the threads' time spent in labelled tasks, then per label (in the order the labels
// first start within a pass) the mean start from the pass's first task, span (first start to last
// end), CPU time (the tasks' durations summed) and tasks per pass. A label's CPU time growing from 1
// thread to 2 while its span halves less shows work that slows down per thread (memory-bound phases).
void print_profile(const std::vector<std::vector<task_record>>& passes, int threads, std::FILE* out);

}  // namespace znn::bench
