#include "bench_profile.hpp"

#include <algorithm>
#include <map>
#include <string>

namespace znn::bench {

void print_profile(const std::vector<std::vector<task_record>>& passes, int threads, std::FILE* out)
{
    struct totals {
        double start = 0, span = 0, cpu = 0;
        std::size_t tasks = 0;
    };
    std::map<std::string, totals> labels;
    double wall = 0, busy = 0;
    std::size_t counted = 0;
    for (const std::vector<task_record>& pass : passes) {
        if (pass.empty()) continue;
        ++counted;
        double first = pass.front().start_s, last = pass.front().end_s;
        for (const task_record& r : pass) {
            first = std::min(first, r.start_s);
            last = std::max(last, r.end_s);
        }
        wall += last - first;
        std::map<std::string, std::pair<double, double>> extent;  // per label: first start, last end
        for (const task_record& r : pass) {
            totals& t = labels[r.label];
            t.cpu += r.end_s - r.start_s;
            ++t.tasks;
            busy += r.end_s - r.start_s;
            auto [it, fresh] = extent.try_emplace(r.label, r.start_s, r.end_s);
            if (!fresh) it->second = {std::min(it->second.first, r.start_s), std::max(it->second.second, r.end_s)};
        }
        for (const auto& [label, e] : extent) {
            labels[label].start += e.first - first;
            labels[label].span += e.second - e.first;
        }
    }
    if (counted == 0) {
        std::fprintf(out, "profile: no labelled tasks ran\n");
        return;
    }
    const double n = static_cast<double>(counted);
    std::fprintf(out, "profile: %zu passes on %d threads; per pass %.2f ms, labelled tasks %.2f ms of work (%.0f%% of the "
                 "threads' time)\n",
                 counted, threads, wall / n * 1e3, busy / n * 1e3, 100 * busy / (wall * threads));
    std::fprintf(out, "profile: %10s %10s %10s %7s  %s\n", "start ms", "span ms", "cpu ms", "tasks", "label");
    std::vector<std::pair<std::string, totals>> rows(labels.begin(), labels.end());
    std::stable_sort(rows.begin(), rows.end(), [](const auto& a, const auto& b) { return a.second.start < b.second.start; });
    for (const auto& [label, t] : rows)
        std::fprintf(out, "profile: %10.2f %10.2f %10.2f %7.1f  %s\n", t.start / n * 1e3, t.span / n * 1e3,
                     t.cpu / n * 1e3, static_cast<double>(t.tasks) / n, label.c_str());
}

}  // namespace znn::bench
