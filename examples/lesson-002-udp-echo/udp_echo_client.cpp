// Lesson 002, the UDP echo client: no connection; one datagram out, one datagram back.
// Usage: lesson002_udp_echo_client HOST PORT   (the message is read from standard input)
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
    if (argc != 3) {
        std::cerr << "usage: lesson002_udp_echo_client HOST PORT\n";
        return 2;
    }
    asio::io_context io;
    const udp::endpoint server = *udp::resolver(io).resolve(argv[1], argv[2]).begin();
    udp::socket us(io, server.protocol());  // socket(AF_INET, SOCK_DGRAM)

    std::string msg;
    std::cout << "Inserire un messaggio di echo:" << std::endl;
    std::getline(std::cin, msg);
    us.send_to(asio::buffer(msg), server);  // sendto(msg, (address, port))

    const auto reply = receive(io, us, std::chrono::seconds(2));  // recvfrom
    if (!reply) {
        std::cerr << "udp_echo_client: no reply within 2 s (is the server running?)\n";
        return 1;
    }
    std::cout << "S: " << *reply << std::endl;
    return 0;
} catch (const std::exception& e) {
    std::cerr << "udp_echo_client: " << e.what() << "\n";
    return 1;
}
