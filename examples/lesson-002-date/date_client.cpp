// Lesson 002 exercise "Date Server", the client: sends "date" (or REQUEST) in one datagram and
// prints the answer. A server that does not answer within 2 s is reported, with exit status 1.
// Usage: lesson002_date_client HOST PORT [REQUEST]
#include <boost/asio.hpp>

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
    if (argc < 3 || argc > 4) {
        std::cerr << "usage: lesson002_date_client HOST PORT [REQUEST]\n";
        return 2;
    }
    const std::string request = argc > 3 ? argv[3] : "date";
    asio::io_context io;
    const udp::endpoint server = *udp::resolver(io).resolve(argv[1], argv[2]).begin();
    udp::socket us(io, server.protocol());

    us.send_to(asio::buffer(request), server);
    const auto reply = receive(io, us, std::chrono::seconds(2));
    if (!reply) {
        std::cerr << "date_client: no reply to '" << request << "' within 2 s\n";
        return 1;
    }
    std::cout << *reply << std::flush;  // the date line ends with '\n' already
    return 0;
} catch (const std::exception& e) {
    std::cerr << "date_client: " << e.what() << "\n";
    return 1;
}
