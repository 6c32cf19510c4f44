// Runs a server_host on background threads for the length of a test. The listeners are added
// before start(); the destructor shuts everything down and joins the threads.
#pragma once

#include <netkit/log.hpp>
#include <netkit/server_host.hpp>

#include <sstream>
#include <thread>

namespace netkit::test {

class hosted {
public:
    explicit hosted(log_level level = log_level::warn) : log_(level), host_(log_) {}
    ~hosted() { stop(); }

    server_host& host() { return host_; }
    logger& log() { return log_; }

    void start(unsigned threads = 2) {
        runner_ = std::jthread([this, threads] {
            std::ostringstream announce;
            host_.run(threads, std::chrono::milliseconds(1000), announce);
        });
    }
    void stop() {
        host_.shutdown();
        if (runner_.joinable()) runner_.join();
    }

private:
    logger log_;
    server_host host_;
    std::jthread runner_;
};

}  // namespace netkit::test
