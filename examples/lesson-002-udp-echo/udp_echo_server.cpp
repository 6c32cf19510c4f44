// Lesson 002, the UDP echo server as a service: netkit::udp_server does the recvfrom/sendto loop,
// netkit::udp_echo_handler() decides the answer (the datagram itself). Stops on Ctrl-C or SIGTERM.
// Usage: lesson002_udp_echo_server PORT [ADDRESS]   (default address: 127.0.0.1)
#include <netkit/echo/udp_echo.hpp>
#include <netkit/endpoint.hpp>

#include <csignal>
#include <iostream>
#include <stdexcept>

namespace asio = boost::asio;

int main(int argc, char* argv[]) try {
    if (argc < 2) {
        std::cerr << "usage: lesson002_udp_echo_server PORT [ADDRESS]\n";
        return 2;
    }
    asio::io_context io;
    netkit::logger log;  // warnings and errors on stderr
    const netkit::udp_server_options options{.bind_address = argc > 2 ? argv[2] : "127.0.0.1",
                                             .port = netkit::parse_port(argv[1])};
    netkit::udp_server server(io, options, netkit::udp_echo_handler(), log);
    // The event loop runs until the server stops: closing its socket ends its receive loop.
    asio::signal_set signals(io, SIGINT, SIGTERM);
    signals.async_wait([&](boost::system::error_code, int) { server.stop(); });
    server.start();
    netkit::announce_listening(std::cout, netkit::to_string(server.local_endpoint()), "");
    io.run();
    return 0;
} catch (const std::exception& e) {
    std::cerr << "udp_echo_server: " << e.what() << "\n";
    return 1;
}
