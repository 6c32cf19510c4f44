// Lesson 001, TCP: answers "OK" to every message and "bye" to "close", then closes the connection.
// Serves one client at a time, like the lesson (which stops after the first; this one waits for the next).
// Usage: lesson-001-ok-bye-server [HOST] [PORT]   (default 127.0.0.1 65432)
#include "../lesson_args.hpp"

#include <iostream>
#include <stdexcept>
#include <string>

namespace asio = boost::asio;
using tcp = asio::ip::tcp;

// One connection, with the lesson's bytes: each recv() is one message, and the answer is "OK", or
// "bye" to "close". That holds because the client waits for each answer before it sends again;
// lesson 003 shows how to mark where a message ends when it does not.
void serve(tcp::socket& conn) {
    char data[1024];
    for (;;) {
        boost::system::error_code ec;
        const std::size_t n = conn.read_some(asio::buffer(data), ec);  // recv(1024)
        if (ec) return;  // the client left
        std::string message(data, n);
        // Typed into nc or telnet a message ends with a newline, which the lesson's client does not send.
        if (message.ends_with("\r\n")) message.resize(n - 2);
        else if (message.ends_with('\n')) message.resize(n - 1);
        std::cout << "Received: " << message << std::endl;
        const std::string reply = message == "close" ? "bye" : "OK";
        asio::write(conn, asio::buffer(reply), ec);  // sendall
        if (ec || message == "close") return;
    }
}

int main(int argc, char* argv[]) try {
    constexpr auto usage = "lesson-001-ok-bye-server [HOST] [PORT]";
    const auto args = lesson::parse_host_port(argc, argv, usage, "127.0.0.1", "65432");
    const auto address = lesson::server_address(args, usage);
    const auto port = args.port;

    asio::io_context io;
    tcp::acceptor tcp_socket(io, tcp::endpoint(address, port));  // socket + bind + listen
    netkit::announce_listening(std::cout, netkit::to_string(tcp_socket.local_endpoint()), "");

    for (;;) {
        boost::system::error_code ec;
        tcp::socket conn = tcp_socket.accept(ec);  // accept: waits for the next client
        const tcp::endpoint client = conn.remote_endpoint(ec);
        if (ec) continue;  // a client that failed or left at once must not stop the server
        std::cout << "Connected by " << netkit::to_string(client) << std::endl;
        serve(conn);
        conn.close(ec);  // close
    }
} catch (const std::exception& e) {
    std::cerr << "lesson-001-ok-bye-server: " << e.what() << "\n";
    return 1;
}
