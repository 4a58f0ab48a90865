// SIGINT/SIGTERM turn into a stop request that long jobs poll, so that cluster pre-emption or Ctrl-C
// saves the network instead of losing it. A signal handler can only reach a global: this flag is the
// one piece of global mutable state in znn, and only the CLI touches it.
#pragma once

#include <atomic>

namespace znn::cli {

// Installs the handlers (idempotent) and returns the flag they set.
const std::atomic<bool>& install_stop_handlers();

}  // namespace znn::cli
