// Lesson 003: a console client for the header chat, as the lesson's tutorial client: the first
// message is the username, every message is a 10-byte length header then the bytes, and what
// arrives prints as "username > message".
// Usage: lesson-003-header-chat-client HOST PORT USERNAME   (type a line to send it)
#include <netkit/asio.hpp>
#include <netkit/endpoint.hpp>
#include <netkit/framing/length_header.hpp>

#include <atomic>
#include <iostream>
#include <string>
#include <thread>

int main(int argc, char** argv) try {
    using namespace netkit;
    const std::string usage = "usage: lesson-003-header-chat-client HOST PORT USERNAME\n";
    if (argc > 1 && std::string(argv[1]) == "--help") return std::cout << usage, 0;
    if (argc != 4 || std::string(argv[3]).empty()) return std::cerr << usage, 2;
    try {
        parse_port(argv[2]);
    } catch (const std::invalid_argument& e) {
        return std::cerr << "lesson-003-header-chat-client: " << e.what() << "\n" << usage, 2;
    }
    asio::io_context io;
    tcp::socket socket(io);
    tcp::resolver resolver(io);
    asio::connect(socket, resolver.resolve(argv[1], argv[2]));

    // The first message is the username: header + bytes.
    asio::write(socket, asio::buffer(framing::length_frame(argv[3])));

    // Receiving runs on its own thread so messages print while the user types.
    std::atomic<bool> leaving = false;
    std::thread receiver([&socket, &leaving] {
        framing::length_header_decoder frames(1024 * 1024);
        std::string username;
        bool have_username = false;
        char chunk[4096];
        boost::system::error_code ec;
        try {
            for (;;) {
                const std::size_t n = socket.read_some(asio::buffer(chunk), ec);
                if (ec) break;
                frames.feed(std::string_view(chunk, n));
                while (auto frame = frames.next()) {  // frames come in pairs: username, message
                    if (!have_username) {
                        username = *frame;
                        have_username = true;
                    } else {
                        std::cout << username << " > " << *frame << std::endl;
                        have_username = false;
                    }
                }
            }
        } catch (const framing::error& e) {
            std::cout << "Reading error: " << e.what() << std::endl;
        }
        if (!leaving) std::cout << "Connection closed by the server" << std::endl;
        std::exit(0);  // the main thread may be waiting for input
    });

    boost::system::error_code ec;
    for (std::string line; !ec && std::getline(std::cin, line);)
        if (!line.empty()) asio::write(socket, asio::buffer(framing::length_frame(line)), ec);

    leaving = true;
    socket.shutdown(tcp::socket::shutdown_both, ec);  // end of input: leave the chat
    receiver.join();
} catch (const std::exception& e) {  // the server cannot be reached
    std::cerr << "lesson-003-header-chat-client: " << e.what() << "\n";
    return 1;
}
