// Lesson 001, TCP: sends each line typed on standard input and prints the answer; stops after "bye".
// Usage: lesson-001-ok-bye-client [HOST] [PORT]   (default 127.0.0.1 65432)
#include "../lesson_args.hpp"

#include <iostream>
#include <string>

namespace asio = boost::asio;
using tcp = asio::ip::tcp;

int main(int argc, char* argv[]) try {
    const auto args = lesson::parse_host_port(argc, argv, "lesson-001-ok-bye-client [HOST] [PORT]", "127.0.0.1", "65432");
    const std::string host = args.host, port = std::to_string(args.port);

    asio::io_context io;
    tcp::socket tcp_socket(io);
    asio::connect(tcp_socket, tcp::resolver(io).resolve(host, port));  // socket + connect

    char data[1024];
    std::string message;
    while (std::cout << "Message to send: " << std::flush, std::getline(std::cin, message)) {
        if (message.empty()) continue;  // TCP has no empty message: no answer would ever come
        asio::write(tcp_socket, asio::buffer(message));  // sendall: the text, as the lesson sends it
        const std::size_t n = tcp_socket.read_some(asio::buffer(data));  // recv(1024): the answer
        const std::string reply(data, n);
        std::cout << "Received: " << reply << std::endl;
        if (reply == "bye") break;
    }
    tcp_socket.close();  // close
    return 0;
} catch (const std::exception& e) {
    std::cerr << "\nlesson-001-ok-bye-client: " << e.what() << "\n";
    return 1;
}
