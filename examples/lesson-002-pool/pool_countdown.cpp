// Lesson 002, "Multi-threading in Python": the countdown of 50,000,000 split into four tasks and
// run by a Pool of 4 workers. In Python the GIL makes threads useless for it, hence the lesson's
// processes; C++ threads have no GIL, so asio::thread_pool plays the part of Pool. The program
// times the same four tasks on 1 worker and on 4, to show what the extra workers buy.
// Usage: lesson-002-pool-countdown [COUNT]   (default 50000000)
#include <boost/asio/post.hpp>
#include <boost/asio/thread_pool.hpp>

#include <chrono>
#include <cstdio>
#include <future>
#include <iostream>
#include <string>
#include <thread>
#include <vector>

namespace asio = boost::asio;

// The lesson's countdown(n). `volatile` keeps the compiler from replacing the loop with n = 0.
long countdown(long n) {
    volatile long left = n;
    while (left > 0) left = left - 1;
    return n;
}

// pool = Pool(processes=workers); four apply_async(countdown, [count // 4]); close(); join().
double run_pool(unsigned workers, long count) {
    const auto start = std::chrono::steady_clock::now();
    asio::thread_pool pool(workers);
    std::vector<std::future<long>> results;
    for (int task = 0; task < 4; ++task)
        results.push_back(asio::post(pool, std::packaged_task<long()>([count] { return countdown(count / 4); })));
    pool.join();  // close() + join(): wait for the four tasks
    long done = 0;
    for (auto& r : results) done += r.get();
    if (done != count / 4 * 4) throw std::logic_error("a task did not count down");
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

int main(int argc, char* argv[]) {
    const std::string usage = "usage: lesson-002-pool-countdown [COUNT]   (default 50000000)";
    if (argc > 1 && std::string(argv[1]) == "--help") {
        std::cout << usage << "\n";
        return 0;
    }
    long count = 50'000'000;
    try {
        if (argc > 2) throw std::invalid_argument("too many arguments");
        std::size_t used = 0;
        if (argc > 1) count = std::stol(argv[1], &used);
        if (argc > 1 && (used != std::string(argv[1]).size() || count < 4)) throw std::invalid_argument("");
    } catch (const std::exception&) {
        std::cerr << "COUNT must be a whole number of at least 4\n" << usage << "\n";
        return 2;
    }
    std::cout << "countdown(" << count << ") as 4 tasks of " << count / 4 << ", "
              << std::thread::hardware_concurrency() << " cores" << std::endl;
    const double one = run_pool(1, count);
    std::printf("1 worker:  %.3f s\n", one);
    const double four = run_pool(4, count);
    std::printf("4 workers: %.3f s  (%.1fx faster)\n", four, one / four);
    return 0;
}
