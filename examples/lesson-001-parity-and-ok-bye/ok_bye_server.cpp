// Lesson 001, TCP: answers "OK" to every message and "bye" to "close", then closes the connection.
// Serves one client at a time, like the lesson (which stops after the first; this one waits for the next).
// Usage: lesson001_ok_bye_server [PORT [ADDRESS]]   (defaults: 65432, 127.0.0.1)
#include <netkit/endpoint.hpp>

#include <iostream>
#include <stdexcept>
#include <string>

namespace asio = boost::asio;
using tcp = asio::ip::tcp;

// One connection: TCP carries a stream of bytes, not messages, so each message is a line ending
// in '\n' (one recv() may hold half a message, or two).
void serve(tcp::socket& conn) {
    std::string pending;
    for (;;) {
        boost::system::error_code ec;
        // recv until a whole line is there; at most 1024 bytes, like the lesson's recv(1024).
        const std::size_t n = asio::read_until(conn, asio::dynamic_buffer(pending, 1024), '\n', ec);
        if (ec) return;  // the client left (or sent 1024 bytes without a newline)
        std::string message = pending.substr(0, n - 1);
        pending.erase(0, n);
        if (!message.empty() && message.back() == '\r') message.pop_back();  // telnet, nc -C
        std::cout << "Received: " << message << std::endl;
        const std::string reply = message == "close" ? "bye\n" : "OK\n";
        asio::write(conn, asio::buffer(reply), ec);  // sendall
        if (ec || message == "close") return;
    }
}

int main(int argc, char* argv[]) try {
    const std::uint16_t port = netkit::parse_port(argc > 1 ? argv[1] : "65432");
    const auto address = netkit::parse_address(argc > 2 ? argv[2] : "127.0.0.1");

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
    std::cerr << "ok_bye_server: " << e.what() << "\n";
    return 1;
}
