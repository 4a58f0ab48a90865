#include "signals.hpp"

#include <csignal>

namespace znn::cli {

namespace {
std::atomic<bool> stop_requested{false};

extern "C" void on_stop_signal(int)
{
    stop_requested.store(true);
}
}  // namespace

const std::atomic<bool>& install_stop_handlers()
{
    static_assert(std::atomic<bool>::is_always_lock_free, "the stop flag must be usable from a signal handler");
    std::signal(SIGINT, on_stop_signal);
    std::signal(SIGTERM, on_stop_signal);
    return stop_requested;
}

}  // namespace znn::cli
