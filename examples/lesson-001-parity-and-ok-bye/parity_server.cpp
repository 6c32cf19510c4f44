// Lesson 001, UDP: answers "OK" when a datagram has an even number of bytes, "Err" when odd.
// Usage: lesson-001-parity-server [HOST] [PORT]   (default 127.0.0.1 20000)
#include "../lesson_args.hpp"

#include <iostream>
#include <stdexcept>
#include <string>

namespace asio = boost::asio;
using udp = asio::ip::udp;

int main(int argc, char* argv[]) try {
    constexpr auto usage = "lesson-001-parity-server [HOST] [PORT]";
    const auto args = lesson::parse_host_port(argc, argv, usage, "127.0.0.1", "20000");
    const auto address = lesson::server_address(args, usage);
    const auto port = args.port;

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
    std::cerr << "lesson-001-parity-server: " << e.what() << "\n";
    return 1;
}
