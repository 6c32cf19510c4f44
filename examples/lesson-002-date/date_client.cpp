// Lesson 002 exercise "Date Server", the client: sends "date" (or REQUEST) in one datagram and
// prints the answer. A server that does not answer within 2 s is reported, with exit status 1.
// Usage: lesson-002-date-client [HOST] [PORT] [REQUEST]   (default 127.0.0.1 50000 date)
#include "../lesson_args.hpp"

#include <chrono>
#include <iostream>
#include <optional>
#include <string>

namespace asio = boost::asio;
using udp = asio::ip::udp;

// UDP may lose a datagram (and the date server ignores bad requests): wait at most `timeout`.
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
    const auto args = lesson::parse_host_port(argc, argv, "lesson-002-date-client [HOST] [PORT] [REQUEST]",
                                              "127.0.0.1", "50000", 1);
    const std::string request = argc > 3 ? argv[3] : "date";
    asio::io_context io;
    const udp::endpoint server = *udp::resolver(io).resolve(args.host, std::to_string(args.port)).begin();
    udp::socket us(io, server.protocol());

    us.send_to(asio::buffer(request), server);
    const auto reply = receive(io, us, std::chrono::seconds(2));
    if (!reply) {
        std::cerr << "lesson-002-date-client: no reply to '" << request << "' within 2 s\n";
        return 1;
    }
    std::cout << *reply << std::flush;  // the date line ends with '\n' already
    return 0;
} catch (const std::exception& e) {
    std::cerr << "lesson-002-date-client: " << e.what() << "\n";
    return 1;
}
