// Lesson 004: the report's chat client, on the terminal instead of a tkinter window: a receiving
// thread prints what each recv() returns (the window's message list), the main thread sends each
// line you type (the entry field and its Enter key), bare, with no newline, as the report does.
// Usage: lesson-004-named-chat-client [HOST] [PORT]   (default 127.0.0.1 53000)
#include <netkit/asio.hpp>
#include <netkit/endpoint.hpp>

#include <iostream>
#include <string>
#include <thread>

int main(int argc, char** argv) try {
    using namespace netkit;
    const std::string usage = "usage: lesson-004-named-chat-client [HOST] [PORT]   (default 127.0.0.1 53000)\n";
    if (argc > 1 && std::string(argv[1]) == "--help") return std::cout << usage, 0;
    if (argc > 3) return std::cerr << usage, 2;
    const std::string host = argc > 1 ? argv[1] : "127.0.0.1";
    const std::string port = argc > 2 ? argv[2] : "53000";  // "if not PORT: PORT = 53000"
    try {
        parse_port(port);
    } catch (const std::invalid_argument& e) {
        return std::cerr << "lesson-004-named-chat-client: " << e.what() << "\n" << usage, 2;
    }
    asio::io_context io;
    tcp::socket client_socket(io);
    tcp::resolver resolver(io);
    asio::connect(client_socket, resolver.resolve(host, port));

    // receive(): one recv(BUFSIZ) is one message. {end_conn} means the server is closing.
    std::thread receive_thread([&client_socket] {
        char buffer[1024];
        boost::system::error_code ec;
        for (;;) {
            const std::size_t n = client_socket.read_some(asio::buffer(buffer), ec);
            if (ec) break;
            std::string msg(buffer, n);
            // The report compares the whole read with "{end_conn}"; a notice sent just before it
            // may share the read, so look at its end.
            if (msg.ends_with("{end_conn}")) {
                if (msg.size() > 10) std::cout << msg.substr(0, msg.size() - 10) << std::endl;
                std::cout << "The server has closed the chat." << std::endl;
                std::exit(0);
            }
            std::cout << msg << std::endl;
        }
        std::cout << "Connection closed." << std::endl;
        std::exit(0);  // the main thread may be waiting for input
    });

    // send(): the first line is the name, then messages; {quit} leaves. The end of input (Ctrl-D)
    // does what closing the window does in the report: on_closing() sends {quit}.
    boost::system::error_code ec;
    std::string msg;
    while (!ec && msg != "{quit}" && std::getline(std::cin, msg))
        if (!msg.empty()) asio::write(client_socket, asio::buffer(msg), ec);
    if (msg != "{quit}") asio::write(client_socket, asio::buffer(std::string("{quit}")), ec);
    receive_thread.join();  // the server closes the connection after {quit}
} catch (const std::exception& e) {  // the server cannot be reached
    std::cerr << "lesson-004-named-chat-client: " << e.what() << "\n";
    return 1;
}
