// A private redis-server for a test: on a free loopback port, in a temporary directory, without
// persistence. Started and stopped by PID; restart() brings it back (empty) on the same port.
#pragma once

#include "support/child_process.hpp"

#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace netkit::test {

class redis_server {
public:
    redis_server();   // starts it; throws if it does not answer PING within 10 s
    ~redis_server();  // stops it and removes its directory

    std::uint16_t port() const { return port_; }
    std::string url(const std::string& prefix = "") const;

    void stop();  // SIGTERM, waits for the exit
    void kill();  // SIGKILL, waits for the exit
    void start();
    void restart() { stop(); start(); }

    // A blocking command on a fresh connection (for the test's own checks): the reply as text,
    // "(nil)" for a nil reply, "(unreachable)" when Redis cannot be reached.
    std::string command(const std::vector<std::string>& args) const;

private:
    std::filesystem::path dir_;
    std::uint16_t port_ = 0;
    std::unique_ptr<child_process> process_;
};

}  // namespace netkit::test
