// Lesson 001, UDP: sends each line typed on standard input as one datagram and prints the reply.
// Usage: lesson001_parity_client [HOST [PORT]]   (defaults: 127.0.0.1, 20000)
#include <boost/asio.hpp>

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
    const std::string host = argc > 1 ? argv[1] : "127.0.0.1";
    const std::string port = argc > 2 ? argv[2] : "20000";

    asio::io_context io;
    const udp::endpoint server = *udp::resolver(io).resolve(host, port).begin();
    udp::socket udp_socket(io, server.protocol());  // socket(AF_INET, SOCK_DGRAM): no bind, no connect

    std::cout << "UDP target: " << host << " port " << port << std::endl;
    std::string message;
    while (std::cout << "text to send: " << std::flush, std::getline(std::cin, message)) {
        udp_socket.send_to(asio::buffer(message), server);  // sendto
        const auto reply = receive(io, udp_socket, std::chrono::seconds(2));
        if (!reply) {
            std::cerr << "\nparity_client: no reply within 2 s (is the server running?)\n";
            return 1;
        }
        std::cout << "Reply from Server: " << *reply << std::endl;
    }
    std::cout << "\n";
    return 0;
} catch (const std::exception& e) {
    std::cerr << "parity_client: " << e.what() << "\n";
    return 1;
}
