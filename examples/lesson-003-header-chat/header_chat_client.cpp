// Lesson 003: a console client for the header chat. Usage: header_chat_client HOST PORT USERNAME
// Type a line to send it; messages from the others print as "username > message".
#include <netkit/asio.hpp>
#include <netkit/framing/length_header.hpp>

#include <iostream>
#include <string>
#include <thread>

int main(int argc, char** argv) {
    using namespace netkit;
    if (argc != 4) {
        std::cerr << "usage: header_chat_client HOST PORT USERNAME\n";
        return 2;
    }
    asio::io_context io;
    tcp::socket socket(io);
    tcp::resolver resolver(io);
    asio::connect(socket, resolver.resolve(argv[1], argv[2]));

    // As in the lesson, the first message is the username: header + bytes.
    asio::write(socket, asio::buffer(framing::length_frame(argv[3])));

    // Receiving runs on its own thread so messages print while the user types.
    std::thread receiver([&socket] {
        framing::length_header_decoder frames(1024 * 1024);
        std::string username;
        bool have_username = false;
        char chunk[4096];
        boost::system::error_code ec;
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
        std::cout << "Connection closed" << std::endl;
    });

    boost::system::error_code ec;
    for (std::string line; !ec && std::getline(std::cin, line);)
        if (!line.empty()) asio::write(socket, asio::buffer(framing::length_frame(line)), ec);

    socket.shutdown(tcp::socket::shutdown_both, ec);  // end of input: leave the chat
    receiver.join();
}
