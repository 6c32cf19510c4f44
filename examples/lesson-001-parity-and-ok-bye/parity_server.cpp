// Lesson 001, UDP: answers "OK" when a datagram has an even number of bytes, "Err" when odd.
// Usage: lesson001_parity_server [PORT [ADDRESS]]   (defaults: 20000, 127.0.0.1)
#include <netkit/endpoint.hpp>

#include <iostream>
#include <stdexcept>
#include <string>

namespace asio = boost::asio;
using udp = asio::ip::udp;

int main(int argc, char* argv[]) try {
    const std::uint16_t port = netkit::parse_port(argc > 1 ? argv[1] : "20000");
    const auto address = netkit::parse_address(argc > 2 ? argv[2] : "127.0.0.1");

    asio::io_context io;
    udp::socket udp_socket(io, udp::endpoint(address, port));  // socket(AF_INET, SOCK_DGRAM) + bind
    netkit::announce_listening(std::cout, netkit::to_string(udp_socket.local_endpoint()), "");

    // The lesson reads at most 1024 bytes; a longer datagram would be cut and its length lost,
    // so the buffer holds the largest possible UDP payload.
    std::string message(65536, '\0');
    for (;;) {
        udp::endpoint client;
        boost::system::error_code ec;
        const std::size_t n = udp_socket.receive_from(asio::buffer(message), client, 0, ec);  // recvfrom
        if (ec) continue;
        std::cout << "Message from Client: " << message.substr(0, n) << "\n"
                  << "Client IP Address: " << netkit::to_string(client) << std::endl;
        const std::string reply = n % 2 == 0 ? "OK" : "Err";
        udp_socket.send_to(asio::buffer(reply), client, 0, ec);  // sendto
    }
} catch (const std::exception& e) {
    std::cerr << "parity_server: " << e.what() << "\n";
    return 1;
}
