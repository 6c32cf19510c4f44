// Lesson 002, the UDP echo client: no connection; one datagram out, one datagram back.
// Usage: lesson-002-udp-echo-client [HOST] [PORT]   (default 127.0.0.1 2300; the message is read from standard input)
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
    const auto args = lesson::parse_host_port(argc, argv, "lesson-002-udp-echo-client [HOST] [PORT]", "127.0.0.1", "2300");
    asio::io_context io;
    const udp::endpoint server = *udp::resolver(io).resolve(args.host, std::to_string(args.port)).begin();
    udp::socket us(io, server.protocol());  // socket(AF_INET, SOCK_DGRAM)

    std::string msg;
    std::cout << "Inserire un messaggio di echo:" << std::endl;
    std::getline(std::cin, msg);
    us.send_to(asio::buffer(msg), server);  // sendto(msg, (address, port))

    const auto reply = receive(io, us, std::chrono::seconds(2));  // recvfrom
    if (!reply) {
        std::cerr << "lesson-002-udp-echo-client: no reply within 2 s (is the server running?)\n";
        return 1;
    }
    std::cout << "S: " << *reply << std::endl;
    return 0;
} catch (const std::exception& e) {
    std::cerr << "lesson-002-udp-echo-client: " << e.what() << "\n";
    return 1;
}
