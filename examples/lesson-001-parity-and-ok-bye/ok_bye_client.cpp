// Lesson 001, TCP: sends each line typed on standard input and prints the answer; stops after "bye".
// Usage: lesson001_ok_bye_client [HOST [PORT]]   (defaults: 127.0.0.1, 65432)
#include <boost/asio.hpp>

#include <iostream>
#include <string>

namespace asio = boost::asio;
using tcp = asio::ip::tcp;

int main(int argc, char* argv[]) try {
    const std::string host = argc > 1 ? argv[1] : "127.0.0.1";
    const std::string port = argc > 2 ? argv[2] : "65432";

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
    std::cerr << "\nok_bye_client: " << e.what() << "\n";
    return 1;
}
