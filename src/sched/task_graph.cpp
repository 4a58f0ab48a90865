#include "znn/task_graph.hpp"

#include <algorithm>
#include <chrono>
#include <utility>

#if defined(__x86_64__) || defined(__i386__)
#include <immintrin.h>
#endif

namespace znn {


// Heap order: higher priority first; among equals the task added first (deterministic start order).
std::function<bool(std::size_t, std::size_t)> task_graph::heap_order() const
{
    return [this](std::size_t a, std::size_t b) {
        int pa = tasks_[a].priority, pb = tasks_[b].priority;
        return pa != pb ? pa < pb : a > b;
    };
}

task_graph::task_id task_graph::add(std::function<void()> fn, int priority, std::string label)
{
    tasks_.push_back(task{std::move(fn), priority, std::move(label), {}, 0, 0});
    return tasks_.size() - 1;
}

void task_log::add(task_record record)
{
    std::lock_guard<std::mutex> lock(mutex_);
    records_.push_back(std::move(record));
}

std::vector<task_record> task_log::take()
{
    std::lock_guard<std::mutex> lock(mutex_);
    return std::exchange(records_, {});
}

void task_graph::depends(task_id t, task_id prerequisite)
{
    tasks_[prerequisite].dependents.push_back(t);
    ++tasks_[t].prerequisites;
}

void task_graph::prepare()
{
    ready_.clear();
    for (std::size_t i = 0; i < tasks_.size(); ++i) {
        tasks_[i].unmet = tasks_[i].prerequisites;
        if (tasks_[i].unmet == 0) ready_.push_back(i);
    }
    remaining_ = tasks_.size();
    running_ = 0;
    error_ = nullptr;
    std::make_heap(ready_.begin(), ready_.end(), heap_order());
}

bool task_graph::pop_ready(task_id& id)
{
    if (ready_.empty()) return false;
    std::pop_heap(ready_.begin(), ready_.end(), heap_order());
    id = ready_.back();
    ready_.pop_back();
    return true;
}

void task_graph::finished(task_id id)
{
    for (task_id d : tasks_[id].dependents) {
        if (--tasks_[d].unmet == 0) {
            ready_.push_back(d);
            std::push_heap(ready_.begin(), ready_.end(), heap_order());
        }
    }
    --remaining_;
}

task_pool::task_pool(int threads)
{
    if (threads <= 0) threads = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
    threads_ = threads;
    for (int i = 1; i < threads_; ++i) workers_.emplace_back([this, i] { worker_loop(i); });
}

task_pool::~task_pool()
{
    {
        std::lock_guard<std::mutex> lock(mutex_);
        stopping_ = true;
        announce();
    }
    wake_.notify_all();
    for (auto& w : workers_) w.join();
}

bool task_pool::work_once(std::unique_lock<std::mutex>& lock, int thread)
{
    task_graph* g = current_;
    if (!g) return false;
    task_graph::task_id id;
    if (!g->pop_ready(id)) return false;
    ++g->running_;
    bool skip = static_cast<bool>(g->error_);
    task_log* log = log_;
    lock.unlock();
    std::exception_ptr error;
    if (!skip) {
        const auto seconds = [] {
            return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count();
        };
        if (log && g->tasks_[id].label.empty()) log = nullptr;  // unlabelled: bookkeeping, not work
        const double start = log ? seconds() : 0;
        try {
            g->tasks_[id].fn();
        } catch (...) {
            error = std::current_exception();
        }
        if (log) log->add({g->tasks_[id].label, thread, start, seconds()});
    }
    lock.lock();
    --g->running_;
    if (error && !g->error_) g->error_ = error;
    std::size_t before = g->ready_.size();
    g->finished(id);
    std::size_t released = g->ready_.size() - before;
    // Every thread, the caller of run() included, idles when it finds nothing ready.
    if (released > 0 || g->remaining_ == 0) announce();
    if (released > 1 || g->remaining_ == 0) wake_.notify_all();
    else if (released == 1) wake_.notify_one();
    return true;
}

void task_pool::announce()
{
    epoch_.fetch_add(1, std::memory_order_release);
}

// A thread with nothing to do spins a little before it sleeps: a graph's tasks often become ready
// tens of microseconds apart (one layer's transforms, then its regions), and waking a sleeping
// thread costs about that much again (more in a virtual machine), which a pass of a millisecond or
// two cannot afford. The spin is bounded (0.1 ms), so an idle pool soon stops using the cores.
void task_pool::idle(std::unique_lock<std::mutex>& lock)
{
    constexpr auto spin_limit = std::chrono::microseconds(100);
    const std::uint64_t seen = epoch_.load(std::memory_order_relaxed);
    lock.unlock();
    const auto until = std::chrono::steady_clock::now() + spin_limit;
    bool news = false;
    while (!news && std::chrono::steady_clock::now() < until)
        for (int i = 0; i < 64 && !news; ++i) {
#if defined(__x86_64__) || defined(__i386__)
            _mm_pause();
#endif
            news = epoch_.load(std::memory_order_acquire) != seen;
        }
    lock.lock();
    wake_.wait(lock, [&] { return epoch_.load(std::memory_order_relaxed) != seen; });
}

void task_pool::worker_loop(int thread)
{
    std::unique_lock<std::mutex> lock(mutex_);
    for (;;) {
        if (stopping_) return;
        if (!work_once(lock, thread)) idle(lock);
    }
}

void task_pool::run(task_graph& graph)
{
    std::unique_lock<std::mutex> lock(mutex_);
    graph.prepare();
    if (graph.remaining_ == 0) return;
    current_ = &graph;
    announce();
    wake_.notify_all();
    // The calling thread works like the workers. (It used to wait for the whole graph once it found
    // nothing ready, so a graph with a narrow moment ran on one thread less from then on.)
    while (graph.remaining_ > 0) {
        if (!work_once(lock, 0)) idle(lock);
    }
    current_ = nullptr;
    if (graph.error_) std::rethrow_exception(graph.error_);
}

void task_pool::parallel_for(std::size_t n, const std::function<void(std::size_t)>& body)
{
    if (n == 0) return;
    if (n == 1 || threads_ == 1) {
        for (std::size_t i = 0; i < n; ++i) body(i);
        return;
    }
    // A few chunks per thread balance uneven work without a task per index.
    std::size_t chunks = std::min<std::size_t>(n, static_cast<std::size_t>(threads_) * 4);
    task_graph g;
    for (std::size_t c = 0; c < chunks; ++c) {
        std::size_t lo = n * c / chunks, hi = n * (c + 1) / chunks;
        g.add([lo, hi, &body] {
            for (std::size_t i = lo; i < hi; ++i) body(i);
        });
    }
    run(g);
}

}  // namespace znn
