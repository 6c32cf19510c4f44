// Process-level helpers for servers and load generators.
#pragma once

#include <netkit/asio.hpp>
#include <netkit/log.hpp>

namespace netkit {

// The number of cores, at least 1.
unsigned default_thread_count();

// Runs io.run() on `threads` threads (the caller's included) and returns when all have finished.
void run_threads(asio::io_context& io, unsigned threads);

// Raises RLIMIT_NOFILE's soft limit to the hard limit, so many connections can be open at once.
// Returns the new soft limit.
unsigned long raise_open_file_limit(logger& log);

}  // namespace netkit
