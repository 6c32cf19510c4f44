// A UDP server: receives datagrams and sends back whatever the handler answers.
#pragma once

#include <netkit/asio.hpp>
#include <netkit/log.hpp>

#include <cstdint>
#include <functional>
#include <span>
#include <string>

namespace netkit {

struct udp_server_options {
    std::string bind_address = "127.0.0.1";  // "::" receives IPv6 and IPv4 (dual stack)
    std::uint16_t port = 0;
    std::string label;
};

class udp_server {
public:
    // Fills `reply` and returns true to answer the sender; returns false to stay silent.
    using handler = std::function<bool(std::span<const char> request, std::string& reply)>;

    udp_server(asio::io_context& io, udp_server_options options, handler handle, logger& log);
    udp_server(const udp_server&) = delete;
    udp_server& operator=(const udp_server&) = delete;

    udp::endpoint local_endpoint() const { return endpoint_; }
    const udp_server_options& options() const { return options_; }

    void start();
    void stop();  // thread-safe

private:
    asio::awaitable<void> receive_loop();

    udp_server_options options_;
    handler handle_;
    logger& log_;
    // One socket on one strand: datagram handlers are short, so one loop keeps up with the kernel.
    udp::socket socket_;
    udp::endpoint endpoint_;
};

}  // namespace netkit
