// Lesson 002, the TCP echo client: reads one message from standard input, sends it, prints the echo.
// It works with all three servers (sequential, process and thread per connection) and with the
// lesson's Python server, whether or not the server closes after the echo.
// Usage: lesson-002-echo-client [HOST] [PORT]   (default 127.0.0.1 2300)
#include "../lesson_args.hpp"

#include <iostream>
#include <string>

namespace asio = boost::asio;
using tcp = asio::ip::tcp;

int main(int argc, char* argv[]) try {
    const auto args = lesson::parse_host_port(argc, argv, "lesson-002-echo-client [HOST] [PORT]", "127.0.0.1", "2300");
    asio::io_context io;
    tcp::socket s(io);                                                      // 1. socket()
    asio::connect(s, tcp::resolver(io).resolve(args.host, std::to_string(args.port)));  // 2. connect()

    std::string msg;
    std::cout << "Inserire un messaggio di echo:" << std::endl;
    std::getline(std::cin, msg);
    if (msg.empty() || msg.size() > 1024) {  // the server's recv(1024) takes one message of 1..1024 bytes
        std::cerr << "the message must be 1 to 1024 bytes long\n";
        return 2;
    }
    asio::write(s, asio::buffer(msg));                                      // 3. send

    // 4. recv: the echo is as long as the message. One recv may return only part of it, and
    // waiting for the server to close would hang against a server that keeps the connection.
    std::string reply(msg.size(), '\0');
    boost::system::error_code ec;
    reply.resize(asio::read(s, asio::buffer(reply), ec));
    if (ec && ec != asio::error::eof) throw boost::system::system_error(ec, "recv");
    std::cout << "S: " << reply << std::endl;
    s.close();                                                              // 5. close
    return 0;
} catch (const std::exception& e) {
    std::cerr << "lesson-002-echo-client: " << e.what() << "\n";
    return 1;
}
