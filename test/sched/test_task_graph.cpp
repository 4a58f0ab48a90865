// The task pool: dependencies are respected, priorities order ready tasks, errors propagate.
#include "znn/task_graph.hpp"

#include <catch2/catch.hpp>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <ctime>
#include <set>
#include <thread>
#include <mutex>
#include <numeric>
#include <stdexcept>
#include <string>
#include <vector>

using namespace znn;

TEST_CASE("parallel_for visits every index exactly once")
{
    for (int threads : {1, 2, 4}) {
        task_pool pool(threads);
        std::vector<std::atomic<int>> hits(1000);
        pool.parallel_for(hits.size(), [&](std::size_t i) { hits[i]++; });
        for (auto& h : hits) REQUIRE(h.load() == 1);
    }
}

TEST_CASE("a task never starts before its prerequisites finished")
{
    task_pool pool(4);
    // A diamond lattice: layer k task t depends on all tasks of layer k-1.
    const int layers = 6, width = 8;
    std::vector<std::atomic<int>> finished_layer(layers);
    std::atomic<bool> violated{false};
    task_graph g;
    std::vector<std::vector<task_graph::task_id>> ids(layers);
    for (int k = 0; k < layers; ++k)
        for (int t = 0; t < width; ++t) {
            ids[k].push_back(g.add([&, k] {
                if (k > 0 && finished_layer[k - 1].load() != width) violated = true;
                finished_layer[k]++;
            }));
            if (k > 0)
                for (auto p : ids[k - 1]) g.depends(ids[k].back(), p);
        }
    for (int rep = 0; rep < 20; ++rep) {
        for (auto& f : finished_layer) f = 0;
        pool.run(g);
        REQUIRE_FALSE(violated.load());
        for (auto& f : finished_layer) REQUIRE(f.load() == width);
    }
}

TEST_CASE("with one thread, ready tasks run by priority, then in the order added")
{
    task_pool pool(1);
    std::vector<int> order;
    task_graph g;
    g.add([&] { order.push_back(0); }, 1);
    g.add([&] { order.push_back(1); }, 5);
    g.add([&] { order.push_back(2); }, 1);
    auto last = g.add([&] { order.push_back(3); }, 9);
    g.depends(last, 0);
    pool.run(g);
    // 1 (priority 5) first; then 0; its dependent 3 (priority 9) becomes ready and beats 2.
    CHECK(order == std::vector<int>{1, 0, 3, 2});
}

TEST_CASE("the first exception of a task is rethrown and the pool stays usable")
{
    task_pool pool(2);
    task_graph g;
    auto a = g.add([] { throw std::runtime_error("boom"); });
    std::atomic<bool> ran_dependent{false};
    auto b = g.add([&] { ran_dependent = true; });
    g.depends(b, a);
    CHECK_THROWS_WITH(pool.run(g), "boom");
    CHECK_FALSE(ran_dependent.load());
    std::atomic<int> n{0};
    pool.parallel_for(10, [&](std::size_t) { n++; });
    CHECK(n.load() == 10);
}

TEST_CASE("the thread that called run() keeps working after it once found nothing ready")
{
    // Two threads. The caller takes the short first task (higher priority), the worker the long one;
    // the caller then finds nothing ready until the long task releases eight more. Those must run on
    // both threads: the caller used to sleep until the whole graph was done.
    using namespace std::chrono_literals;
    task_pool pool(2);
    for (int round = 0; round < 3; ++round) {
        task_graph g;
        std::mutex m;
        std::set<std::thread::id> later;
        auto short_first = g.add([] { std::this_thread::sleep_for(5ms); }, 2);
        auto long_first = g.add([] { std::this_thread::sleep_for(40ms); }, 1);
        for (int k = 0; k < 8; ++k) {
            auto t = g.add([&] {
                std::this_thread::sleep_for(10ms);
                std::lock_guard<std::mutex> lock(m);
                later.insert(std::this_thread::get_id());
            });
            g.depends(t, short_first);
            g.depends(t, long_first);
        }
        pool.run(g);
        CHECK(later.size() == 2);
    }
}

TEST_CASE("many short graphs in a row: no thread misses the news that work is ready")
{
    // Idle threads spin on a counter before they sleep, and the caller of run() idles until the graph's
    // last task announces the end: a lost announcement hangs here (meson's timeout fails the test).
    // Chains release one task at a time, fans several at once.
    task_pool pool(4);
    task_graph g;
    std::atomic<int> ran{0};
    auto head = g.add([&] { ran++; });
    auto middle = g.add([&] { ran++; });
    g.depends(middle, head);
    // The fan's tasks last ~20 us, so that the workers, not the caller alone, finish graphs.
    auto busy = [&] {
        const auto until = std::chrono::steady_clock::now() + std::chrono::microseconds(20);
        while (std::chrono::steady_clock::now() < until) {
        }
        ran++;
    };
    for (int k = 0; k < 6; ++k) g.depends(g.add(busy), middle);
    for (int rep = 0; rep < 2000; ++rep) pool.run(g);
    CHECK(ran.load() == 2000 * 8);
}

TEST_CASE("an idle pool stops using the cores")
{
    // The spin before sleeping is bounded (about 0.1 ms): four threads idle for 300 ms must not cost
    // anywhere near 900 ms of CPU time.
    using namespace std::chrono_literals;
    task_pool pool(4);
    pool.parallel_for(64, [](std::size_t) {});
    auto cpu_ms = [] { return 1000.0 * static_cast<double>(std::clock()) / CLOCKS_PER_SEC; };
    const double before = cpu_ms();
    std::this_thread::sleep_for(300ms);
    CHECK(cpu_ms() - before < 100.0);
}

TEST_CASE("a task log records every labelled task once, with its thread and times")
{
    task_pool pool(3);
    task_log log;
    pool.log_tasks(&log);
    task_graph g;
    std::vector<task_graph::task_id> first;
    for (int i = 0; i < 6; ++i)
        first.push_back(g.add([] { std::this_thread::sleep_for(std::chrono::milliseconds(1)); }, 0, "first " + std::to_string(i)));
    const auto join = g.add([] {}, 0);  // unlabelled: not recorded
    const auto last = g.add([] {}, 0, "last");
    for (auto t : first) g.depends(join, t);
    g.depends(last, join);
    pool.run(g);

    const std::vector<task_record> records = log.take();
    REQUIRE(records.size() == 7);
    std::set<std::string> labels;
    double first_end = 0;
    for (const task_record& r : records) {
        labels.insert(r.label);
        CHECK(r.thread >= 0);
        CHECK(r.thread < 3);
        CHECK(r.start_s <= r.end_s);
        if (r.label != "last") first_end = std::max(first_end, r.end_s);
    }
    CHECK(labels.size() == 7);
    CHECK(labels.count("last") == 1);
    // The last task started after every one it waited for had ended.
    for (const task_record& r : records)
        if (r.label == "last") CHECK(r.start_s >= first_end);
    CHECK(log.take().empty());

    // No log: nothing recorded.
    pool.log_tasks(nullptr);
    pool.run(g);
    CHECK(log.take().empty());
}
