#include <netkit/runtime.hpp>

#include <sys/resource.h>

#include <thread>
#include <vector>

namespace netkit {

unsigned default_thread_count() {
    const unsigned n = std::thread::hardware_concurrency();
    return n == 0 ? 1 : n;
}

void run_threads(asio::io_context& io, unsigned threads) {
    std::vector<std::jthread> pool;
    for (unsigned i = 1; i < threads; ++i) pool.emplace_back([&io] { io.run(); });
    io.run();
}

unsigned long raise_open_file_limit(logger& log) {
    rlimit limit{};
    if (getrlimit(RLIMIT_NOFILE, &limit) != 0) return 0;
    if (limit.rlim_cur < limit.rlim_max) {
        const auto before = limit.rlim_cur;
        limit.rlim_cur = limit.rlim_max;
        if (setrlimit(RLIMIT_NOFILE, &limit) != 0) {
            log.warn("cannot raise the open-file limit above ", before);
            return before;
        }
        log.debug("open-file limit raised from ", before, " to ", limit.rlim_cur);
    }
    return limit.rlim_cur;
}

}  // namespace netkit
