// Lesson 002, the sequential TCP echo server: for each client, receive one message, print it,
// send it back, close. One client at a time: the next one waits in the listen queue.
// Usage: lesson-002-sequential-echo-server [HOST] [PORT]   (default 127.0.0.1 2300)
#include "../lesson_args.hpp"

#include <iostream>
#include <string>

namespace asio = boost::asio;
using tcp = asio::ip::tcp;

// The lesson's handling of one client: recv(1024), print, send it back, close.
void echo_once(tcp::socket client) {
    boost::system::error_code ec;
    char echo_txt[1024];
    const std::size_t n = client.read_some(asio::buffer(echo_txt), ec);  // 5. recv(1024)
    if (ec) return;
    std::cout << "C: " << std::string_view(echo_txt, n) << std::endl;
    asio::write(client, asio::buffer(echo_txt, n), ec);                  // 6. send
}                                                                        // 7. close

int main(int argc, char* argv[]) try {
    constexpr auto usage = "lesson-002-sequential-echo-server [HOST] [PORT]";
    const auto args = lesson::parse_host_port(argc, argv, usage, "127.0.0.1", "2300");
    const tcp::endpoint where(lesson::server_address(args, usage), args.port);
    asio::io_context io;

    tcp::acceptor ss(io);
    ss.open(where.protocol());                                // 1. socket(AF_INET, SOCK_STREAM)
    ss.set_option(tcp::acceptor::reuse_address(true));        //    SO_REUSEADDR: restart at once
    ss.bind(where);                                           // 2. bind((address, port))
    ss.listen(5);                                             // 3. listen(5): queue of 5 clients
    netkit::announce_listening(std::cout, netkit::to_string(ss.local_endpoint()), "");

    for (;;) {  // the sequential model: the next accept() waits until this client is served
        boost::system::error_code ec;
        tcp::socket client = ss.accept(ec);                   // 4. accept()
        const tcp::endpoint address = client.remote_endpoint(ec);
        if (ec) continue;  // a client that failed or left at once must not stop the server
        std::cout << "Client connected from: " << netkit::to_string(address) << std::endl;
        echo_once(std::move(client));
    }
} catch (const std::exception& e) {
    std::cerr << "lesson-002-sequential-echo-server: " << e.what() << "\n";
    return 1;
}
