// Lesson 002, the sequential TCP echo server: for each client, receive one message, print it,
// send it back, close. One client at a time: the next one waits in the listen queue.
// Usage: lesson002_echo_server PORT [ADDRESS]   (default address: 127.0.0.1)
#include <netkit/endpoint.hpp>

#include <iostream>
#include <stdexcept>
#include <string>

namespace asio = boost::asio;
using tcp = asio::ip::tcp;

int main(int argc, char* argv[]) try {
    if (argc < 2) {
        std::cerr << "usage: lesson002_echo_server PORT [ADDRESS]\n";
        return 2;
    }
    const tcp::endpoint where(netkit::parse_address(argc > 2 ? argv[2] : "127.0.0.1"), netkit::parse_port(argv[1]));
    asio::io_context io;

    tcp::acceptor ss(io);
    ss.open(where.protocol());                                // 1. socket(AF_INET, SOCK_STREAM)
    ss.set_option(tcp::acceptor::reuse_address(true));        //    SO_REUSEADDR: restart at once
    ss.bind(where);                                           // 2. bind((address, port))
    ss.listen(5);                                             // 3. listen(5): queue of 5 clients
    netkit::announce_listening(std::cout, netkit::to_string(ss.local_endpoint()), "");

    for (;;) {
        boost::system::error_code ec;
        tcp::socket client = ss.accept(ec);                   // 4. accept()
        const tcp::endpoint address = client.remote_endpoint(ec);
        if (ec) continue;  // a client that failed or left at once must not stop the server
        std::cout << "Client connected from: " << netkit::to_string(address) << std::endl;

        char echo_txt[1024];
        const std::size_t n = client.read_some(asio::buffer(echo_txt), ec);  // 5. recv(1024)
        if (!ec) {
            std::cout << "C: " << std::string_view(echo_txt, n) << std::endl;
            asio::write(client, asio::buffer(echo_txt, n), ec);              // 6. send
        }
        client.close(ec);                                                    // 7. close
    }
} catch (const std::exception& e) {
    std::cerr << "echo_server: " << e.what() << "\n";
    return 1;
}
