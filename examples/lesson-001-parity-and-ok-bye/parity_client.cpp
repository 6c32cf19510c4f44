// Lesson 001, UDP: sends each line typed on standard input as one datagram and prints the reply.
// Usage: lesson-001-parity-client [HOST] [PORT]   (default 127.0.0.1 20000)
#include "../lesson_args.hpp"

#include <chrono>
#include <iostream>
#include <optional>
#include <string>

namespace asio = boost::asio;
using udp = asio::ip::udp;

// UDP may lose a datagram: wait for the reply at most `timeout` instead of forever.
std::optional<std::string> receive(asio::io_context& io, udp::socket& s, std::chrono::seconds timeout) {
    std::string buffer(65536, '\0');
    std::optional<std::string> reply;
    udp::endpoint from;
    s.async_receive_from(asio::buffer(buffer), from, [&](boost::system::error_code ec, std::size_t n) {
        if (!ec) reply = buffer.substr(0, n);
    });
    io.restart();
    io.run_for(timeout);
    if (!reply) {
        s.cancel();  // give up, and let the cancelled receive finish before `buffer` goes away
        io.run();
    }
    return reply;
}

int main(int argc, char* argv[]) try {
    const auto args = lesson::parse_host_port(argc, argv, "lesson-001-parity-client [HOST] [PORT]", "127.0.0.1", "20000");
    const std::string host = args.host, port = std::to_string(args.port);

    asio::io_context io;
    const udp::endpoint server = *udp::resolver(io).resolve(host, port).begin();
    udp::socket udp_socket(io, server.protocol());  // socket(AF_INET, SOCK_DGRAM): no bind, no connect

    std::cout << "UDP target: " << host << " port " << port << std::endl;
    std::string message;
    while (std::cout << "text to send: " << std::flush, std::getline(std::cin, message)) {
        udp_socket.send_to(asio::buffer(message), server);  // sendto
        const auto reply = receive(io, udp_socket, std::chrono::seconds(2));
        if (!reply) {
            std::cerr << "\nlesson-001-parity-client: no reply within 2 s (is the server running?)\n";
            return 1;
        }
        std::cout << "Reply from Server: " << *reply << std::endl;
    }
    std::cout << "\n";
    return 0;
} catch (const std::exception& e) {
    std::cerr << "lesson-001-parity-client: " << e.what() << "\n";
    return 1;
}
