// Lesson 002, the TCP echo client: reads one message from standard input, sends it, prints the echo.
// Usage: lesson002_echo_client HOST PORT
#include <boost/asio.hpp>

#include <iostream>
#include <string>

namespace asio = boost::asio;
using tcp = asio::ip::tcp;

int main(int argc, char* argv[]) try {
    if (argc != 3) {
        std::cerr << "usage: lesson002_echo_client HOST PORT\n";
        return 2;
    }
    asio::io_context io;
    tcp::socket s(io);                                            // 1. socket(AF_INET, SOCK_STREAM)
    asio::connect(s, tcp::resolver(io).resolve(argv[1], argv[2]));  // 2. connect((address, port))

    std::string msg;
    std::cout << "Inserire un messaggio di echo:" << std::endl;
    std::getline(std::cin, msg);
    asio::write(s, asio::buffer(msg));                            // 3. send

    // 4. recv: the server closes after the echo, so read until the end of the stream; one recv
    // could return only part of a long message.
    std::string reply;
    boost::system::error_code ec;
    asio::read(s, asio::dynamic_buffer(reply, 64 * 1024), ec);
    if (ec && ec != asio::error::eof) throw boost::system::system_error(ec, "recv");
    std::cout << "S: " << reply << std::endl;
    s.close();                                                    // 5. close
    return 0;
} catch (const std::exception& e) {
    std::cerr << "echo_client: " << e.what() << "\n";
    return 1;
}
