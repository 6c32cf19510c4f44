// Lesson 004: the chat client, on the console instead of a tkinter window: a receiving thread
// prints each line (the window's message list), the main thread sends what you type (the entry
// field). Usage: named_chat_client HOST [PORT]   (default 53000)
#include <netkit/asio.hpp>
#include <netkit/framing/lines.hpp>

#include <iostream>
#include <string>
#include <thread>

int main(int argc, char** argv) {
    using namespace netkit;
    if (argc < 2) {
        std::cerr << "usage: named_chat_client HOST [PORT]\n";
        return 2;
    }
    asio::io_context io;
    tcp::socket socket(io);
    tcp::resolver resolver(io);
    asio::connect(socket, resolver.resolve(argv[1], argc > 2 ? argv[2] : "53000"));

    std::thread receiver([&socket] {
        framing::line_decoder lines(1024 * 1024);  // one message per line, however TCP splits it
        char chunk[4096];
        boost::system::error_code ec;
        for (;;) {
            const std::size_t n = socket.read_some(asio::buffer(chunk), ec);
            if (ec) break;
            lines.feed(std::string_view(chunk, n));
            while (auto line = lines.next()) {
                if (*line == "{end_conn}") {
                    std::cout << "The server has closed the chat." << std::endl;
                    std::exit(0);
                }
                std::cout << *line << std::endl;
            }
        }
        std::cout << "Connection closed." << std::endl;
        std::exit(0);
    });

    // The first line you type is your name; {quit} leaves (the server then closes the connection).
    boost::system::error_code ec;
    for (std::string line; !ec && std::getline(std::cin, line);) asio::write(socket, asio::buffer(line + "\n"), ec);
    asio::write(socket, asio::buffer(std::string("{quit}\n")), ec);  // Ctrl-D = closing the window
    receiver.join();
}
