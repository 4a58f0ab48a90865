// Task-parallel execution for the engine: a pool of worker threads and graphs of tasks with
// dependencies and priorities. ZNN's scheduling idea: forward, backward and update work of many
// edges runs at once; among the tasks that are ready, the most urgent (highest priority, e.g. the
// ones nearest the output) run first, so every core stays busy even when one layer is small.
//
// Determinism: the scheduler decides only *when* a task runs, never what it sums. Tasks that
// accumulate into shared results do so in a fixed order inside one task, so results do not depend
// on thread timing.
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <cstddef>
#include <exception>
#include <functional>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace znn {

class task_graph;

// What one task did, for a profile of where a pass spends its time (task_pool::log_tasks): the task's
// label (task_graph::add), the pool thread that ran it (0 is the caller of run()), and its start and
// end in seconds of the steady clock.
struct task_record {
    std::string label;
    int thread = 0;
    double start_s = 0, end_s = 0;
};

// The records of the labelled tasks a pool runs, collected from all its threads.
class task_log {
public:
    void add(task_record record);
    // Everything recorded since the last take(), in the order the tasks finished.
    std::vector<task_record> take();

private:
    std::mutex mutex_;
    std::vector<task_record> records_;
};

class task_pool {
public:
    // threads <= 0: one per core. The calling thread works too, so `threads - 1` workers are started.
    explicit task_pool(int threads = 0);
    ~task_pool();
    task_pool(const task_pool&) = delete;
    task_pool& operator=(const task_pool&) = delete;

    int threads() const { return threads_; }

    // Runs every task of `graph` respecting its dependencies; returns when all have run. The first
    // exception thrown by a task is rethrown here (the remaining tasks are skipped).
    void run(task_graph& graph);
    // body(i) for i in [0, n), spread over the pool.
    void parallel_for(std::size_t n, const std::function<void(std::size_t)>& body);
    // From now on every task run() runs is recorded in `log` (nullptr: none, the default). Not while a
    // graph runs.
    void log_tasks(task_log* log) { log_ = log; }

private:
    void worker_loop(int thread);
    // Runs one ready task if any, as pool thread `thread`; lock held on entry/exit.
    bool work_once(std::unique_lock<std::mutex>& lock, int thread);
    void idle(std::unique_lock<std::mutex>& lock);       // until news (see epoch_); lock held on entry/exit
    void announce();                                     // news for idle threads; lock held

    int threads_;
    std::vector<std::thread> workers_;
    std::mutex mutex_;
    std::condition_variable wake_;   // every thread: a task became ready, the graph finished, or the pool stops
    std::atomic<std::uint64_t> epoch_{0};  // counts that news, so an idle thread can spin on it unlocked
    task_graph* current_ = nullptr;  // the graph being run (one at a time; run() is not re-entrant)
    bool stopping_ = false;
    task_log* log_ = nullptr;
};

class task_graph {
public:
    using task_id = std::size_t;

    // priority: higher runs first among ready tasks. label: what a task_log records the task as.
    task_id add(std::function<void()> fn, int priority = 0, std::string label = {});
    // `task` may start only after `prerequisite` has finished.
    void depends(task_id task, task_id prerequisite);
    std::size_t size() const { return tasks_.size(); }

private:
    friend class task_pool;
    struct task {
        std::function<void()> fn;
        int priority = 0;
        std::string label;
        std::vector<task_id> dependents;
        std::size_t unmet = 0;  // prerequisites not yet finished (reset by prepare())
        std::size_t prerequisites = 0;
    };
    void prepare();               // resets the counters and fills the ready heap
    bool pop_ready(task_id& id);  // highest-priority ready task
    void finished(task_id id);    // releases dependents
    std::function<bool(std::size_t, std::size_t)> heap_order() const;

    std::vector<task> tasks_;
    std::vector<task_id> ready_;  // a heap ordered by (priority, -id)
    std::size_t remaining_ = 0;
    std::size_t running_ = 0;
    std::exception_ptr error_;
};

}  // namespace znn
