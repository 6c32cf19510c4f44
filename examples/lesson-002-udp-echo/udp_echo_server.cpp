// Lesson 002, the UDP echo server as a service: netkit::udp_server does the recvfrom/sendto loop,
// netkit::echo::udp_echo_handler() decides the answer (the datagram itself). Stops on Ctrl-C or SIGTERM.
// Usage: lesson-002-udp-echo-server [HOST] [PORT]   (default 127.0.0.1 2300)
#include <netkit/echo/udp_echo.hpp>
#include "../lesson_args.hpp"

#include <csignal>
#include <iostream>
#include <stdexcept>

namespace asio = boost::asio;

int main(int argc, char* argv[]) try {
    constexpr auto usage = "lesson-002-udp-echo-server [HOST] [PORT]";
    const auto args = lesson::parse_host_port(argc, argv, usage, "127.0.0.1", "2300");
    lesson::server_address(args, usage);  // a numeric address, checked before anything starts
    asio::io_context io;
    netkit::logger log;  // warnings and errors on stderr
    const netkit::udp_server_options options{.bind_address = args.host,
                                             .port = args.port};
    netkit::udp_server server(io, options, netkit::echo::udp_echo_handler(), log);
    // The event loop runs until the server stops: closing its socket ends its receive loop.
    asio::signal_set signals(io, SIGINT, SIGTERM);
    signals.async_wait([&](boost::system::error_code, int) { server.stop(); });
    server.start();
    netkit::announce_listening(std::cout, netkit::to_string(server.local_endpoint()), "");
    io.run();
    return 0;
} catch (const std::exception& e) {
    std::cerr << "lesson-002-udp-echo-server: " << e.what() << "\n";
    return 1;
}
