// Timing loop shared by every znn-bench case: one warm-up run (plans, first-touch page faults,
// cached filter transforms), then repetitions until the time budget is spent, at least one and at
// most max_reps (so a case slower than the budget costs two runs). The torch peer in tools/bench
// follows the same rule so that both sides are comparable.
#pragma once

#include <algorithm>
#include <chrono>
#include <vector>

namespace znn::bench {

struct timing {
    double warmup_s = 0;
    std::vector<double> runs_s;  // after the warm-up

    double best() const { return *std::min_element(runs_s.begin(), runs_s.end()); }
    double median() const
    {
        std::vector<double> v = runs_s;
        std::sort(v.begin(), v.end());
        const std::size_t n = v.size();
        return n % 2 ? v[n / 2] : 0.5 * (v[n / 2 - 1] + v[n / 2]);
    }
};

template <class F>
timing time_runs(F&& run, double budget_s, int max_reps)
{
    using clock = std::chrono::steady_clock;
    auto seconds_of = [&] {
        auto t0 = clock::now();
        run();
        return std::chrono::duration<double>(clock::now() - t0).count();
    };
    timing t;
    t.warmup_s = seconds_of();
    double spent = 0;
    while (t.runs_s.empty() || (spent < budget_s && static_cast<int>(t.runs_s.size()) < max_reps)) {
        t.runs_s.push_back(seconds_of());
        spent += t.runs_s.back();
    }
    return t;
}

}  // namespace znn::bench
